import { z } from 'zod';
import { isoTimestamp } from './ids';
import type { SqlExecutor } from './sql-db';
import { IN_FORCE_STATUSES } from './subscription-schemas';

/** What the ledger says an order holds, for reconciliation against Stripe and providers. */
export const orderHoldingSchema = z.object({
  orderId: z.string(),
  tenantId: z.string(),
  kind: z.enum(['plan', 'addon']),
  productKey: z.string(),
  state: z.string(),
  subscriptionId: z.string(),
  paymentIntentId: z.string().nullable(),
  stripeCustomerId: z.string().nullable(),
  subscriptionStatus: z.string().nullable(),
  /** In force and its period (plus the grace) not lapsed: its grants count. */
  inForce: z.boolean(),
  activeGrants: z.coerce.number(),
  /** Users seated on the subscription now (a plan bought without assigning anyone: none). */
  activeSeats: z.coerce.number(),
  /** A subscription_periods row pays the subscription's current period. */
  currentPeriodPaid: z.boolean(),
  updatedAt: isoTimestamp,
});
export type OrderHolding = z.infer<typeof orderHoldingSchema>;

/** Every order changed since `since`, with its subscription, grants and paid period. */
export async function orderHoldings(
  db: SqlExecutor,
  since: string,
  graceMs: number,
): Promise<OrderHolding[]> {
  const rows = await db.query(
    `SELECT o.order_id AS "orderId", o.tenant_id AS "tenantId", o.kind,
            o.product_key AS "productKey", o.state, o.subscription_id AS "subscriptionId",
            o.payment_intent_id AS "paymentIntentId", t.stripe_customer_id AS "stripeCustomerId",
            s.status AS "subscriptionStatus",
            coalesce(s.status = ANY ($2::text[])
                     AND now() < s.current_period_end + $3::interval, false) AS "inForce",
            (SELECT count(*) FROM grants g
              WHERE g.source_subscription_id = o.subscription_id
                AND g.revoked_at IS NULL) AS "activeGrants",
            (SELECT count(*) FROM seat_assignments a
              WHERE a.subscription_id = o.subscription_id
                AND a.released_at IS NULL) AS "activeSeats",
            EXISTS (SELECT 1 FROM subscription_periods p
                     WHERE p.subscription_id = o.subscription_id
                       AND p.period_start = s.current_period_start) AS "currentPeriodPaid",
            o.updated_at AS "updatedAt"
       FROM orders o
       JOIN tenants t ON t.id = o.tenant_id
       LEFT JOIN subscriptions s ON s.id = o.subscription_id
      WHERE o.updated_at >= $1::timestamptz
      ORDER BY o.created_at, o.order_id`,
    [since, IN_FORCE_STATUSES, `${Math.max(0, Math.round(graceMs))} milliseconds`],
  );
  return rows.map((row) => orderHoldingSchema.parse(row));
}
