import {
  grantSourceSchema,
  type FeatureEntitlement,
  type TenantEntitlements,
  type UserEntitlements,
} from './entitlement-schemas';
import { parseInput } from './errors';
import { grantKindSchema } from './grant-spec';
import { ledgerId } from './ids';
import type { SqlExecutor } from './sql-db';
import { IN_FORCE_STATUSES } from './subscription-schemas';
import { requireTenant } from './tenants';

interface EffectiveGrantRow {
  subjectType: 'user' | 'tenant';
  subjectId: string;
  feature: string;
  kind: string;
  subscriptionId: string;
  productKey: string;
  orderId: string;
  grantedAt: unknown;
}

/**
 * A grant counts while it is not revoked and its source subscription is in force, or
 * not recorded yet: an order grants before it records its subscription, and a suspended
 * subscription's grants come back when it is paid, without re-granting.
 */
const EFFECTIVE_GRANTS = `
  SELECT g.subject_type AS "subjectType", g.subject_id AS "subjectId", g.feature, g.kind,
         g.source_subscription_id AS "subscriptionId", g.source_product_key AS "productKey",
         g.granted_by_order_id AS "orderId", g.granted_at AS "grantedAt"
    FROM grants g
    LEFT JOIN subscriptions s ON s.id = g.source_subscription_id
   WHERE g.tenant_id = $1 AND g.revoked_at IS NULL
     AND (s.id IS NULL OR s.status = ANY($2::text[]))`;

const ORDER = 'ORDER BY "subjectType", "subjectId", feature, "grantedAt", "subscriptionId"';

/** Folds rows (sorted by feature) into one entry per feature with all its sources. */
function byFeature(rows: EffectiveGrantRow[]): FeatureEntitlement[] {
  const entries: FeatureEntitlement[] = [];
  for (const row of rows) {
    const source = grantSourceSchema.parse(row);
    const last = entries[entries.length - 1];
    if (last?.feature === row.feature) last.sources.push(source);
    else
      entries.push({
        feature: row.feature,
        kind: grantKindSchema.parse(row.kind),
        sources: [source],
      });
  }
  return entries;
}

export async function userEntitlements(
  db: SqlExecutor,
  tenantId: string,
  userId: string,
): Promise<UserEntitlements> {
  const tenant = parseInput(ledgerId, tenantId);
  const user = parseInput(ledgerId, userId);
  await requireTenant(db, tenant);
  const rows = await db.query<EffectiveGrantRow>(
    `${EFFECTIVE_GRANTS}
       AND (g.subject_type = 'tenant' OR (g.subject_type = 'user' AND g.subject_id = $3))
     ${ORDER}`,
    [tenant, IN_FORCE_STATUSES, user],
  );
  const plans = await db.query<{ plan: string }>(
    `SELECT DISTINCT a.plan_key AS plan FROM seat_assignments a
       JOIN subscriptions s ON s.id = a.subscription_id
      WHERE a.tenant_id = $1 AND a.user_id = $2 AND a.released_at IS NULL
        AND s.status = ANY($3::text[])
      ORDER BY plan`,
    [tenant, user, IN_FORCE_STATUSES],
  );
  return {
    tenantId: tenant,
    userId: user,
    plans: plans.map((row) => row.plan),
    features: byFeature(rows.filter((row) => row.subjectType === 'user')),
    tenantFlags: byFeature(rows.filter((row) => row.subjectType === 'tenant')),
  };
}

export async function tenantEntitlements(
  db: SqlExecutor,
  tenantId: string,
): Promise<TenantEntitlements> {
  const tenant = parseInput(ledgerId, tenantId);
  await requireTenant(db, tenant);
  const rows = await db.query<EffectiveGrantRow>(`${EFFECTIVE_GRANTS} ${ORDER}`, [
    tenant,
    IN_FORCE_STATUSES,
  ]);
  const users = new Map<string, EffectiveGrantRow[]>();
  for (const row of rows) {
    if (row.subjectType !== 'user') continue;
    const held = users.get(row.subjectId);
    if (held) held.push(row);
    else users.set(row.subjectId, [row]);
  }
  return {
    tenantId: tenant,
    tenantFlags: byFeature(rows.filter((row) => row.subjectType === 'tenant')),
    users: [...users].map(([userId, held]) => ({ userId, features: byFeature(held) })),
  };
}
