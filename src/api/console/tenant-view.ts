import type { FeatureEntitlement, Ledger } from '../../ledger';
import { grantRow, subscriptionRow } from './order-view';
import { instant } from './view-format';

const AUDIT_PAGE_SIZE = 50;
const USER_CHOICES = 200;

export async function tenantView(
  ledger: Ledger,
  tenantId: string,
  options: { userId?: string; auditAfter?: string },
  now = Date.now(),
) {
  const [subscriptions, seats, users, audit] = await Promise.all([
    ledger.listSubscriptions(tenantId),
    ledger.seatUsage(tenantId),
    ledger.tenantEntitlementsPage(tenantId, { limit: USER_CHOICES }),
    ledger.grantHistory(tenantId, { limit: AUDIT_PAGE_SIZE, after: options.auditAfter }),
  ]);
  return {
    tenantId,
    subscriptions: subscriptions.map((s) => subscriptionRow(s, now)),
    seats,
    userChoices: users.users.map((u) => u.userId),
    tenantFlags: users.tenantFlags.map((f) => featureRow(f, now)),
    explorer: options.userId ? await explore(ledger, tenantId, options.userId, now) : undefined,
    selectedUser: options.userId ?? '',
    audit: audit.entries.map((entry) => grantRow(entry, now)),
    auditNext: audit.nextCursor,
    auditFirstPage: !options.auditAfter,
  };
}

/** Every feature the user holds, with each subscription, plan and order that implies it. */
async function explore(ledger: Ledger, tenantId: string, userId: string, now: number) {
  const entitlements = await ledger.userEntitlements(tenantId, userId);
  return {
    userId,
    plans: entitlements.plans,
    features: entitlements.features.map((f) => featureRow(f, now)),
  };
}

function featureRow(feature: FeatureEntitlement, now: number) {
  return {
    ...feature,
    sourceCount: feature.sources.length === 1 ? '1 source' : `${feature.sources.length} sources`,
    sources: feature.sources.map((s) => ({ ...s, grantedAt: instant(s.grantedAt, now) })),
  };
}
