import type { Migration } from './migration';

/**
 * Licenses count only once paid, and only while paid:
 *
 * - `user_entitlements` is replaced: a grant counts only through a recorded subscription
 *   in force (`p_statuses`) whose current period, plus `p_grace`, has not lapsed. The
 *   leniency of migration 0002 (a grant without a subscription row counts) goes: an order
 *   now records its subscription `pending` before it grants, and makes it active in the
 *   transaction that records the paid period. A renewal that never ran no longer keeps
 *   a subscription's licenses beyond its grace.
 * - `payment_events`: refunds and disputes made in Stripe's dashboard, each applied to
 *   the ledger once, by its Stripe event id.
 * - orders by PaymentIntent, for reconciliation and for Stripe events that name only it.
 */
export const paidLicensesAndOrders: Migration = {
  version: 6,
  name: 'paid-licenses-and-orders',
  sql: /* sql */ `
DROP FUNCTION user_entitlements(text, text, text[]);
CREATE FUNCTION user_entitlements(p_tenant text, p_user text, p_statuses text[], p_grace interval)
RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    WITH effective AS (
      SELECT g.subject_type, g.feature, g.kind, g.source_subscription_id,
             g.source_product_key, g.granted_by_order_id, g.granted_at
        FROM grants g
        JOIN subscriptions s ON s.id = g.source_subscription_id
       WHERE g.tenant_id = p_tenant AND g.revoked_at IS NULL
         AND g.subject_type = 'user' AND g.subject_id = p_user
         AND s.status = ANY (p_statuses) AND now() < s.current_period_end + p_grace
      UNION ALL
      SELECT g.subject_type, g.feature, g.kind, g.source_subscription_id,
             g.source_product_key, g.granted_by_order_id, g.granted_at
        FROM grants g
        JOIN subscriptions s ON s.id = g.source_subscription_id
       WHERE g.tenant_id = p_tenant AND g.revoked_at IS NULL
         AND g.subject_type = 'tenant' AND g.subject_id = p_tenant
         AND s.status = ANY (p_statuses) AND now() < s.current_period_end + p_grace
    ),
    features AS (
      SELECT subject_type, feature,
             json_build_object(
               'feature', feature,
               'kind', min(kind),
               'sources', json_agg(json_build_object(
                 'subscriptionId', source_subscription_id,
                 'productKey', source_product_key,
                 'orderId', granted_by_order_id,
                 'grantedAt', granted_at)
               ORDER BY granted_at, source_subscription_id COLLATE "C")) AS entry
        FROM effective
       GROUP BY subject_type, feature
    )
    SELECT json_build_object(
      'tenantExists', EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant),
      'features', (SELECT coalesce(json_agg(entry ORDER BY feature COLLATE "C"), '[]')
                     FROM features WHERE subject_type = 'user'),
      'tenantFlags', (SELECT coalesce(json_agg(entry ORDER BY feature COLLATE "C"), '[]')
                        FROM features WHERE subject_type = 'tenant'),
      'plans', (SELECT coalesce(json_agg(plan ORDER BY plan COLLATE "C"), '[]')
                  FROM (SELECT DISTINCT a.plan_key AS plan
                          FROM seat_assignments a
                          JOIN subscriptions s ON s.id = a.subscription_id
                         WHERE a.tenant_id = p_tenant AND a.user_id = p_user
                           AND a.released_at IS NULL AND s.status = ANY (p_statuses)
                           AND now() < s.current_period_end + p_grace) held)
    )
  );
END;
$$;

CREATE TABLE payment_events (
  stripe_event_id text PRIMARY KEY,
  type text NOT NULL,
  order_id text,
  subscription_id text,
  payment_intent_id text,
  -- What the ledger did about it: revoked, suspended, reinstated, ended, ignored.
  action text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}',
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_by_order ON payment_events (order_id);
CREATE INDEX orders_by_payment_intent ON orders (payment_intent_id);
`,
};
