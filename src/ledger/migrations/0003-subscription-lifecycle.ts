import type { Migration } from './migration';

/**
 * What a subscription needs to live after its first capture, and what an order needs to
 * outlive Temporal's retention:
 *
 * - `pending`: a subscription whose order has granted but not yet captured. Its grants
 *   do not count; the order's record step makes it `active` in the same transaction
 *   that records the paid period. `ended` is final: nothing makes it active again.
 * - The saved payment method renewals charge off session, the dunning clock
 *   (`past_due_since`, `suspended_at`), and one change scheduled for the period end
 *   (`pending_change`: a downgrade, fewer seats or a cancellation).
 * - `subscription_periods`: one row per paid period (the first from the order's capture,
 *   then one per renewal), keyed by (subscription, period start), so a renewal that is
 *   recorded twice is one period, and reconciliation can match each capture to a period.
 * - `subscription_changes`: every change a client asked for, keyed by its change id, so
 *   a change sent twice is one change, and the same id with another request is refused.
 * - `orders`: every order, forever, with a fingerprint of its request and its state.
 * - `tenants.stripe_customer_id`: the tenant's Stripe customer, kept here rather than
 *   behind a 24-hour idempotency key.
 */
export const subscriptionLifecycle: Migration = {
  version: 3,
  name: 'subscription-lifecycle',
  sql: /* sql */ `
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check
  CHECK (status IN ('pending', 'active', 'past_due', 'suspended', 'cancelled', 'ended'));
ALTER TABLE subscriptions
  ADD COLUMN payment_method_id text,
  ADD COLUMN pending_change jsonb,
  ADD COLUMN past_due_since timestamptz,
  ADD COLUMN suspended_at timestamptz,
  ADD COLUMN ended_at timestamptz;
-- The sweeps' query: what is due by a given time, in (period end, id) pages.
CREATE INDEX subscriptions_due ON subscriptions (current_period_end, id)
  WHERE status IN ('active', 'past_due');

-- Nothing leaves ended: a late retry of an order's step, or a renewal racing a
-- cancellation, can never bring an ended subscription back.
CREATE FUNCTION subscriptions_ended_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'ended' AND NEW.status <> 'ended' THEN
    RAISE EXCEPTION USING ERRCODE = 'PV003',
      MESSAGE = format('subscription %s has ended and cannot become %s', OLD.id, NEW.status);
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER subscriptions_ended_stays_ended
  BEFORE UPDATE OF status ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION subscriptions_ended_is_final();

CREATE TABLE subscription_periods (
  subscription_id text NOT NULL REFERENCES subscriptions (id),
  tenant_id text NOT NULL REFERENCES tenants (id),
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL,
  product_key text NOT NULL,
  seats integer,
  catalog_version integer NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  payment_intent_id text,
  -- The order (first period) or the renewal that paid it.
  paid_by text NOT NULL,
  paid_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription_id, period_start),
  CONSTRAINT subscription_periods_order CHECK (period_end > period_start)
);
CREATE INDEX subscription_periods_by_payment ON subscription_periods (payment_intent_id);

CREATE TABLE subscription_changes (
  subscription_id text NOT NULL REFERENCES subscriptions (id),
  change_id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (id),
  kind text NOT NULL,
  request jsonb NOT NULL,
  fingerprint text NOT NULL,
  status text NOT NULL CHECK (status IN ('requested', 'scheduled', 'applied', 'refused', 'withdrawn')),
  status_reason text,
  amount bigint,
  payment_intent_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription_id, change_id)
);

CREATE TABLE orders (
  order_id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  kind text NOT NULL CHECK (kind IN ('plan', 'addon')),
  product_key text NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  fingerprint text NOT NULL,
  request jsonb NOT NULL,
  state text NOT NULL,
  status jsonb,
  subscription_id text NOT NULL,
  payment_intent_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_by_tenant ON orders (tenant_id, created_at);
CREATE INDEX orders_by_state ON orders (state, updated_at);

ALTER TABLE tenants ADD COLUMN stripe_customer_id text UNIQUE;

ALTER TABLE license_events DROP CONSTRAINT license_events_type_check;
ALTER TABLE license_events ADD CONSTRAINT license_events_type_check CHECK (type IN (
  'license.granted', 'license.revoked', 'subscription.recorded',
  'subscription.status_changed', 'subscription.period_paid', 'subscription.change_scheduled',
  'subscription.changed', 'seat.assigned', 'seat.released', 'order.state_changed'));
`,
};
