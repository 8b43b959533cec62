import { emptyHoldings, type Holdings } from '../domain/holdings';
import type { GrantSpec } from '../domain/grant-spec';
import type { Catalog } from './catalog-schema';
import { addonOf, planFeatures, planOf } from './catalog-index';
import { InvalidInputError } from './errors';
import { tenantEntitlements } from './resolve';

export interface GrantDiff {
  grant: GrantSpec[];
  revoke: GrantSpec[];
}

/** Every license the holdings imply, one GrantSpec each, sorted. */
export function impliedGrants(catalog: Catalog, holdings: Holdings): GrantSpec[] {
  const tenant = { type: 'tenant', id: holdings.tenantId } as const;
  const grants: GrantSpec[] = [];
  const heldPlans = new Set(holdings.tenantPlans);
  for (const plan of holdings.tenantPlans) planOf(catalog, plan, 'tenantPlans');
  for (const [userId, plans] of Object.entries(holdings.userPlans)) {
    const features = new Set<string>();
    for (const plan of plans) {
      planFeatures(catalog, plan, `userPlans.${userId}`).forEach((f) => features.add(f));
      heldPlans.add(plan);
    }
    const subject = { type: 'user', id: userId } as const;
    for (const feature of features) grants.push({ subject, feature, kind: 'feature' });
  }
  const flags = tenantEntitlements(catalog, {
    plans: [...heldPlans],
    addons: holdings.addons,
    systemLicenses: holdings.systemLicenses,
  });
  for (const feature of flags.systemLicenses)
    grants.push({ subject: tenant, feature, kind: 'system-license' });
  for (const feature of flags.addonFeatures)
    grants.push({ subject: tenant, feature, kind: 'addon-feature' });
  return grants.sort(compareGrants);
}

/**
 * What changes between two holdings of one tenant. Because both sides are derived from
 * everything held, removing a plan or add-on revokes only the licenses nothing else still
 * implies: another plan of the same user, another user's plan, a remaining add-on.
 */
export function diffHoldings(catalog: Catalog, before: Holdings, after: Holdings): GrantDiff {
  if (before.tenantId !== after.tenantId) {
    throw new InvalidInputError(
      'after.tenantId',
      `"${after.tenantId}" is not the tenant "${before.tenantId}"`,
    );
  }
  const was = impliedGrants(catalog, before);
  const will = impliedGrants(catalog, after);
  const wasKeys = new Set(was.map(grantKey));
  const willKeys = new Set(will.map(grantKey));
  return {
    grant: will.filter((g) => !wasKeys.has(grantKey(g))),
    revoke: was.filter((g) => !willKeys.has(grantKey(g))),
  };
}

/** What a purchase of `plan` implies: its features for each user, its system licenses for the tenant. */
export function grantsForPlan(
  catalog: Catalog,
  plan: string,
  userIds: readonly string[],
  tenantId: string,
): GrantSpec[] {
  planOf(catalog, plan);
  const userPlans = Object.fromEntries(userIds.map((id) => [id, [plan]]));
  return impliedGrants(catalog, { ...emptyHoldings(tenantId), tenantPlans: [plan], userPlans });
}

/** What a purchase of `addon` implies: its features and the system licenses they require. */
export function grantsForAddon(catalog: Catalog, addon: string, tenantId: string): GrantSpec[] {
  addonOf(catalog, addon);
  return impliedGrants(catalog, { ...emptyHoldings(tenantId), addons: [addon] });
}

const subjectOrder = { tenant: 0, user: 1 } as const;
const kindOrder = { 'system-license': 0, 'addon-feature': 1, feature: 2 } as const;

/** Tenant flags first, then users by id; within a subject by kind, then key. */
export function compareGrants(a: GrantSpec, b: GrantSpec): number {
  return (
    subjectOrder[a.subject.type] - subjectOrder[b.subject.type] ||
    compareStrings(a.subject.id, b.subject.id) ||
    kindOrder[a.kind] - kindOrder[b.kind] ||
    compareStrings(a.feature, b.feature)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function grantKey(grant: GrantSpec): string {
  return `${grant.subject.type}\u0000${grant.subject.id}\u0000${grant.kind}\u0000${grant.feature}`;
}
