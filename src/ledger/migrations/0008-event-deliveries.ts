import type { Migration } from './migration';

/**
 * Where each license event stands with each subscriber endpoint. The relay copies new
 * outbox events into `event_deliveries` behind a cursor per subscriber, then sends each
 * tenant's events in id order: an event is sent only once every earlier event of its
 * tenant reached that subscriber, so a consumer sees a tenant's changes in the order
 * they were committed. `dead` (out of attempts) holds its tenant's later events back
 * until ops redeliver it. One relay sends at a time, by a lease that expires if its
 * holder dies.
 */
export const eventDeliveries: Migration = {
  version: 8,
  name: 'event-deliveries',
  sql: /* sql */ `
CREATE TABLE event_subscriber_cursors (
  subscriber text PRIMARY KEY,
  last_event_id bigint NOT NULL DEFAULT 0
);

CREATE TABLE event_deliveries (
  subscriber text NOT NULL,
  event_id bigint NOT NULL REFERENCES license_events (id),
  tenant_id text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  delivered_at timestamptz,
  PRIMARY KEY (subscriber, event_id)
);
-- The head of each tenant's queue: its oldest event not yet delivered.
CREATE INDEX event_deliveries_open ON event_deliveries (subscriber, tenant_id, event_id)
  WHERE status <> 'delivered';

CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
};
