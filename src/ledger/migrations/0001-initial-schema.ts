import type { Migration } from './migration';

/**
 * The license ledger. Business ids (tenant, subscription, order, user, product and
 * feature keys) are the caller's strings; rows are never deleted: a release or a
 * revocation stamps the row, so the tables are also the audit trail.
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'initial-schema',
  sql: /* sql */ `
CREATE TABLE tenants (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  kind text NOT NULL CHECK (kind IN ('plan', 'addon')),
  product_key text NOT NULL,
  seats integer,
  period text NOT NULL CHECK (period IN ('month', 'year')),
  status text NOT NULL CHECK (status IN ('active', 'past_due', 'suspended', 'cancelled', 'ended')),
  status_reason text,
  catalog_version integer NOT NULL CHECK (catalog_version > 0),
  current_period_start timestamptz NOT NULL,
  current_period_end timestamptz NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}',
  stripe_customer_id text,
  payment_intent_id text,
  order_id text NOT NULL,
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT subscriptions_seats_by_kind
    CHECK ((kind = 'plan' AND seats > 0) OR (kind = 'addon' AND seats IS NULL)),
  CONSTRAINT subscriptions_period_order CHECK (current_period_end > current_period_start),
  CONSTRAINT subscriptions_id_tenant UNIQUE (id, tenant_id)
);
CREATE INDEX subscriptions_by_tenant ON subscriptions (tenant_id);

CREATE TABLE seat_assignments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_id text NOT NULL,
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  plan_key text NOT NULL,
  order_id text NOT NULL,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  release_order_id text,
  release_reason text,
  FOREIGN KEY (subscription_id, tenant_id) REFERENCES subscriptions (id, tenant_id),
  CONSTRAINT seat_assignments_release_fields
    CHECK (released_at IS NOT NULL OR (release_order_id IS NULL AND release_reason IS NULL))
);
-- A user holds a plan once: a second subscription of the same plan adds seats, not features.
CREATE UNIQUE INDEX seat_assignments_one_active_plan_per_user
  ON seat_assignments (tenant_id, user_id, plan_key) WHERE released_at IS NULL;
CREATE INDEX seat_assignments_active_by_subscription
  ON seat_assignments (subscription_id) WHERE released_at IS NULL;
CREATE INDEX seat_assignments_by_subscription_user ON seat_assignments (subscription_id, user_id);

-- Statement-level, so assigning 10,000 users counts each subscription once, not per row.
-- The subscriptions are locked (in id order) before counting: two concurrent assignments
-- to one subscription count one after the other, and the second sees the first's rows
-- because each statement of a READ COMMITTED function takes a new snapshot. NO KEY UPDATE,
-- not UPDATE: the foreign key check of each inserted seat holds KEY SHARE on the same
-- row, and UPDATE would make two concurrent inserts deadlock on each other.
CREATE FUNCTION seat_assignments_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  PERFORM 1 FROM subscriptions
    WHERE id IN (SELECT subscription_id FROM changed_rows)
    ORDER BY id FOR NO KEY UPDATE;

  SELECT c.subscription_id, c.plan_key, s.kind, s.product_key INTO bad
    FROM changed_rows c JOIN subscriptions s ON s.id = c.subscription_id
    WHERE c.released_at IS NULL AND (s.kind <> 'plan' OR s.product_key <> c.plan_key)
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'PV002',
      MESSAGE = format('seat of plan %s does not match subscription %s (%s %s)',
                       bad.plan_key, bad.subscription_id, bad.kind, bad.product_key);
  END IF;

  SELECT s.id, s.seats, count(*) AS assigned INTO bad
    FROM subscriptions s
    JOIN seat_assignments a ON a.subscription_id = s.id AND a.released_at IS NULL
    WHERE s.id IN (SELECT subscription_id FROM changed_rows)
    GROUP BY s.id, s.seats
    HAVING count(*) > s.seats
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'PV001',
      MESSAGE = format('subscription %s has %s seats, %s would be assigned',
                       bad.id, bad.seats, bad.assigned);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER seat_assignments_checked_on_insert
  AFTER INSERT ON seat_assignments REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION seat_assignments_check();
CREATE TRIGGER seat_assignments_checked_on_update
  AFTER UPDATE ON seat_assignments REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION seat_assignments_check();

-- Fewer seats than assigned users would leave users holding seats nobody pays for:
-- a downgrade releases seats first, then lowers the count.
CREATE FUNCTION subscriptions_check_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  assigned bigint;
BEGIN
  SELECT count(*) INTO assigned FROM seat_assignments
    WHERE subscription_id = NEW.id AND released_at IS NULL;
  IF assigned > coalesce(NEW.seats, 0) THEN
    RAISE EXCEPTION USING ERRCODE = 'PV001',
      MESSAGE = format('subscription %s has %s seats, %s are assigned',
                       NEW.id, coalesce(NEW.seats, 0), assigned);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER subscriptions_seats_cover_assignments
  AFTER UPDATE OF seats ON subscriptions
  FOR EACH ROW WHEN (NEW.seats IS DISTINCT FROM OLD.seats)
  EXECUTE FUNCTION subscriptions_check_seats();

-- No foreign key to subscriptions: an order grants before it records its subscription
-- (authorize, grant, provision, capture, record), so the source may not exist yet.
CREATE TABLE grants (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  subject_type text NOT NULL CHECK (subject_type IN ('user', 'tenant')),
  subject_id text NOT NULL,
  feature text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('feature', 'system-license', 'addon-feature')),
  source_subscription_id text NOT NULL,
  source_product_key text NOT NULL,
  granted_by_order_id text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_by_order_id text,
  revoke_reason text,
  -- Plan features belong to users; system licenses and add-on features are tenant flags.
  CONSTRAINT grants_subject_matches_kind CHECK ((subject_type = 'user') = (kind = 'feature')),
  CONSTRAINT grants_tenant_subject_is_the_tenant CHECK (subject_type = 'user' OR subject_id = tenant_id),
  CONSTRAINT grants_revocation_fields
    CHECK (revoked_at IS NOT NULL OR (revoked_by_order_id IS NULL AND revoke_reason IS NULL))
);
-- One active row per source: the same feature from two subscriptions is two rows, so
-- revoking one source leaves the other. Also the index of the entitlement reads.
CREATE UNIQUE INDEX grants_one_active_per_source
  ON grants (tenant_id, subject_type, subject_id, feature, source_subscription_id)
  WHERE revoked_at IS NULL;
CREATE INDEX grants_by_source_order ON grants (source_subscription_id, granted_by_order_id);
CREATE INDEX grants_history ON grants (tenant_id, id);

-- One row per revokeGrants call, keyed by (subscription, order): a second call is a
-- no-op, and an order whose grants were revoked (compensated) can no longer grant, even
-- if a late attempt of its grant step lands after the compensation.
CREATE TABLE grant_revocations (
  subscription_id text NOT NULL,
  order_id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (id),
  reason text NOT NULL,
  revoked_count integer NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription_id, order_id)
);

-- Transactional outbox: written with the change it reports, published afterwards.
CREATE TABLE license_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  type text NOT NULL CHECK (type IN (
    'license.granted', 'license.revoked', 'subscription.recorded',
    'subscription.status_changed', 'seat.assigned', 'seat.released')),
  payload jsonb NOT NULL,
  order_id text,
  idempotency_key text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX license_events_pending ON license_events (id) WHERE published_at IS NULL;
`,
};
