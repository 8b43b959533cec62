import type { Migration } from './migration';

/**
 * The hot read ("which features does this user hold, and why") as a PL/pgSQL function.
 * Not for logic's sake: PL/pgSQL keeps the plan of its query for the session, while a
 * query sent as text is planned on every call, and planning this one cost several times
 * its execution (most of all in PGlite, which runs the planner in WASM).
 *
 * A grant counts while not revoked and while its source subscription is in force
 * (`p_statuses`) or not recorded yet: an order grants before it records its
 * subscription, and a suspended subscription's grants come back once it is paid. Both
 * subject lookups use the whole key of grants_one_active_per_source, so the plan stays
 * an index scan even without statistics (PGlite never autovacuums, so never analyzes).
 * Text sorts with the "C" collation: the same order on every engine.
 */
export const userEntitlementsFunction: Migration = {
  version: 2,
  name: 'user-entitlements-function',
  sql: /* sql */ `
CREATE FUNCTION user_entitlements(p_tenant text, p_user text, p_statuses text[])
RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    WITH effective AS (
      SELECT g.subject_type, g.feature, g.kind, g.source_subscription_id,
             g.source_product_key, g.granted_by_order_id, g.granted_at
        FROM grants g
        LEFT JOIN subscriptions s ON s.id = g.source_subscription_id
       WHERE g.tenant_id = p_tenant AND g.revoked_at IS NULL
         AND g.subject_type = 'user' AND g.subject_id = p_user
         AND (s.id IS NULL OR s.status = ANY (p_statuses))
      UNION ALL
      SELECT g.subject_type, g.feature, g.kind, g.source_subscription_id,
             g.source_product_key, g.granted_by_order_id, g.granted_at
        FROM grants g
        LEFT JOIN subscriptions s ON s.id = g.source_subscription_id
       WHERE g.tenant_id = p_tenant AND g.revoked_at IS NULL
         AND g.subject_type = 'tenant' AND g.subject_id = p_tenant
         AND (s.id IS NULL OR s.status = ANY (p_statuses))
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
                           AND a.released_at IS NULL AND s.status = ANY (p_statuses)) held)
    )
  );
END;
$$;
`,
};
