import type { Migration } from './migration';

/**
 * The ledger's change signal: a version per tenant, bumped in the same transaction as
 * any change to its grants, subscriptions or seats (statement-level triggers, so
 * granting 10,000 users bumps it once). A reader that remembers the version it read
 * under knows, by one indexed lookup, whether what it holds is still current: the
 * in-memory entitlement snapshots of the API are invalidated by it.
 *
 * Tenants are locked in id order, so two statements touching the same tenants never
 * wait on each other in a cycle.
 */
export const tenantVersions: Migration = {
  version: 9,
  name: 'tenant-versions',
  sql: /* sql */ `
CREATE TABLE tenant_versions (
  tenant_id text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 1,
  changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION tenant_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tenant_versions AS v (tenant_id)
    SELECT DISTINCT tenant_id FROM changed_rows ORDER BY tenant_id
  ON CONFLICT (tenant_id) DO UPDATE SET version = v.version + 1, changed_at = now();
  RETURN NULL;
END;
$$;

CREATE TRIGGER grants_bump_tenant_on_insert AFTER INSERT ON grants
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tenant_versions_bump();
CREATE TRIGGER grants_bump_tenant_on_update AFTER UPDATE ON grants
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tenant_versions_bump();
CREATE TRIGGER subscriptions_bump_tenant_on_insert AFTER INSERT ON subscriptions
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tenant_versions_bump();
CREATE TRIGGER subscriptions_bump_tenant_on_update AFTER UPDATE ON subscriptions
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tenant_versions_bump();
CREATE TRIGGER seats_bump_tenant_on_insert AFTER INSERT ON seat_assignments
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tenant_versions_bump();
CREATE TRIGGER seats_bump_tenant_on_update AFTER UPDATE ON seat_assignments
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tenant_versions_bump();
`,
};
