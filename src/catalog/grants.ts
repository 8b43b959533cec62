import { emptyHoldings, type Holdings } from '../domain/holdings';
import type { GrantKind, GrantSpec, GrantSubject } from '../domain/grant-spec';
import type { Catalog } from './catalog-schema';
import { addonOf, planOf } from './catalog-index';
import { tenantEntitlements, userFeatures, type TenantEntitlements } from './resolve';

/** Every license the holdings imply, one GrantSpec each, in `compareGrants` order. */
export function impliedGrants(catalog: Catalog, holdings: Holdings): GrantSpec[] {
  const tenant = { type: 'tenant', id: holdings.tenantId } as const;
  const flags = tenantFlags(catalog, holdings);
  const grants = [
    ...specs(tenant, 'system-license', flags.systemLicenses),
    ...specs(tenant, 'addon-feature', flags.addonFeatures),
  ];
  for (const userId of Object.keys(holdings.userPlans).sort()) {
    const features = userFeatures(catalog, holdings.userPlans[userId] ?? []);
    grants.push(...specs({ type: 'user', id: userId }, 'feature', features));
  }
  return grants;
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

/** Tenant flags of the holdings, with an unknown plan named where it is held. */
function tenantFlags(catalog: Catalog, holdings: Holdings): TenantEntitlements {
  const heldAt = new Map<string, string>();
  for (const plan of holdings.tenantPlans) if (!heldAt.has(plan)) heldAt.set(plan, 'tenantPlans');
  for (const [userId, plans] of Object.entries(holdings.userPlans)) {
    for (const plan of plans) if (!heldAt.has(plan)) heldAt.set(plan, `userPlans.${userId}`);
  }
  for (const [plan, field] of heldAt) planOf(catalog, plan, field);
  return tenantEntitlements(catalog, {
    plans: [...heldAt.keys()],
    addons: holdings.addons,
    systemLicenses: holdings.systemLicenses,
  });
}

function specs(subject: GrantSubject, kind: GrantKind, keys: readonly string[]): GrantSpec[] {
  return keys.map((feature) => ({ subject, feature, kind }));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
