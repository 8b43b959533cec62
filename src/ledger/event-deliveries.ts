import { z } from 'zod';
import { LedgerError, parseInput } from './errors';
import { licenseEventSchema, type LicenseEvent } from './event-schemas';
import { isoTimestamp, ledgerId, rowId } from './ids';
import type { SqlDb, SqlExecutor } from './sql-db';

export const deliveryStatusSchema = z.enum(['pending', 'delivered', 'dead']);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

export const eventDeliverySchema = z.object({
  subscriber: z.string(),
  eventId: rowId,
  tenantId: z.string(),
  type: z.string(),
  status: deliveryStatusSchema,
  attempts: z.number().int(),
  nextAttemptAt: isoTimestamp,
  lastError: z.string().nullable(),
  deliveredAt: isoTimestamp.nullable(),
});
export type EventDelivery = z.infer<typeof eventDeliverySchema>;

/** A delivery the relay may send now: the head of its tenant's queue, with its event. */
export interface DueDelivery {
  subscriber: string;
  attempts: number;
  event: LicenseEvent;
}

const subscriberName = ledgerId;
const eventIdSchema = z.string().regex(/^[0-9]{1,18}$/, 'must be an event id');

/**
 * Takes or renews the lease `name` for `holder` for `ttlMs`; true when `holder` has it.
 * A holder that dies loses it when it expires, and the next caller takes it over.
 */
export async function acquireLease(
  db: SqlExecutor,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO leases (name, holder, expires_at)
     VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
     ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
     RETURNING holder`,
    [name, holder, ttlMs],
  );
  return rows.length > 0;
}

export async function releaseLease(db: SqlExecutor, name: string, holder: string): Promise<void> {
  await db.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
}

/**
 * Copies up to `limit` outbox events past the subscriber's cursor into its deliveries,
 * and moves the cursor, in one transaction. A new subscriber starts from the first event.
 */
export async function enqueueDeliveries(
  db: SqlDb,
  subscriber: string,
  limit = 1000,
): Promise<number> {
  const name = parseInput(subscriberName, subscriber);
  return db.transaction(async (tx) => {
    await tx.query(
      'INSERT INTO event_subscriber_cursors (subscriber) VALUES ($1) ON CONFLICT DO NOTHING',
      [name],
    );
    const [cursor] = await tx.query<{ last: string | number }>(
      `SELECT last_event_id AS last FROM event_subscriber_cursors
        WHERE subscriber = $1 FOR UPDATE`,
      [name],
    );
    const added = await tx.query<{ eventId: string | number }>(
      `INSERT INTO event_deliveries (subscriber, event_id, tenant_id)
       SELECT $1, id, tenant_id FROM license_events
        WHERE id > $2::bigint ORDER BY id LIMIT $3
       ON CONFLICT DO NOTHING
       RETURNING event_id AS "eventId"`,
      [name, String(cursor.last), limit],
    );
    if (added.length > 0) {
      const last = Math.max(...added.map((row) => Number(row.eventId)));
      await tx.query(
        'UPDATE event_subscriber_cursors SET last_event_id = $2::bigint WHERE subscriber = $1',
        [name, String(last)],
      );
    }
    return added.length;
  });
}

/**
 * The deliveries to send now: per tenant, its oldest undelivered event, when that one is
 * pending and its retry time has come. A tenant whose head is waiting or dead sends
 * nothing, so its events never overtake each other.
 */
export async function dueDeliveries(
  db: SqlExecutor,
  subscriber: string,
  limit = 100,
): Promise<DueDelivery[]> {
  const rows = await db.query<Record<string, unknown> & { attempts: number }>(
    `SELECT e.id, e.tenant_id AS "tenantId", e.type, e.payload, e.order_id AS "orderId",
            e.idempotency_key AS "idempotencyKey", e.created_at AS "createdAt",
            e.published_at AS "publishedAt", h.attempts
       FROM (SELECT DISTINCT ON (tenant_id) event_id, status, attempts, next_attempt_at
               FROM event_deliveries
              WHERE subscriber = $1 AND status <> 'delivered'
              ORDER BY tenant_id, event_id) h
       JOIN license_events e ON e.id = h.event_id
      WHERE h.status = 'pending' AND h.next_attempt_at <= now()
      ORDER BY e.id
      LIMIT $2`,
    [parseInput(subscriberName, subscriber), limit],
  );
  return rows.map(({ attempts, ...event }) => ({
    subscriber,
    attempts,
    event: licenseEventSchema.parse(event),
  }));
}

/**
 * Records one attempt. Delivered: done, and the event counts as published once every
 * subscriber has it. Failed: retried after `retryInMs`, or `dead` when `giveUp`.
 */
export async function recordAttempt(
  db: SqlDb,
  attempt: {
    subscriber: string;
    eventId: string;
    delivered: boolean;
    error?: string;
    retryInMs?: number;
    giveUp?: boolean;
  },
): Promise<void> {
  await db.transaction(async (tx) => {
    if (attempt.delivered) {
      await tx.query(
        `UPDATE event_deliveries SET status = 'delivered', attempts = attempts + 1,
           delivered_at = now(), last_error = NULL
         WHERE subscriber = $1 AND event_id = $2::bigint AND status = 'pending'`,
        [attempt.subscriber, attempt.eventId],
      );
      await tx.query(
        `UPDATE license_events SET published_at = now()
          WHERE id = $1::bigint AND published_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM event_deliveries
                             WHERE event_id = $1::bigint AND status <> 'delivered')`,
        [attempt.eventId],
      );
      return;
    }
    await tx.query(
      `UPDATE event_deliveries SET attempts = attempts + 1, last_error = $3,
         status = CASE WHEN $4 THEN 'dead' ELSE 'pending' END,
         next_attempt_at = now() + make_interval(secs => $5::double precision / 1000)
       WHERE subscriber = $1 AND event_id = $2::bigint AND status = 'pending'`,
      [
        attempt.subscriber,
        attempt.eventId,
        (attempt.error ?? 'failed').slice(0, 500),
        attempt.giveUp === true,
        attempt.retryInMs ?? 0,
      ],
    );
  });
}

export const deliveryFilterSchema = z.object({
  subscriber: subscriberName.optional(),
  tenantId: ledgerId.optional(),
  status: deliveryStatusSchema.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type DeliveryFilter = z.input<typeof deliveryFilterSchema>;

/** Deliveries newest first, for ops. */
export async function listDeliveries(
  db: SqlExecutor,
  filter: DeliveryFilter = {},
): Promise<EventDelivery[]> {
  const f = parseInput(deliveryFilterSchema, filter);
  const rows = await db.query(
    `SELECT d.subscriber, d.event_id AS "eventId", d.tenant_id AS "tenantId", e.type,
            d.status, d.attempts, d.next_attempt_at AS "nextAttemptAt",
            d.last_error AS "lastError", d.delivered_at AS "deliveredAt"
       FROM event_deliveries d JOIN license_events e ON e.id = d.event_id
      WHERE ($1::text IS NULL OR d.subscriber = $1)
        AND ($2::text IS NULL OR d.tenant_id = $2)
        AND ($3::text IS NULL OR d.status = $3)
      ORDER BY d.event_id DESC, d.subscriber
      LIMIT $4`,
    [f.subscriber ?? null, f.tenantId ?? null, f.status ?? null, f.limit],
  );
  return rows.map((row) => eventDeliverySchema.parse(row));
}

/**
 * Sends an event again: back to pending with its attempts reset, now. Redelivering a
 * delivered event sends it once more (consumers dedupe on its id). Returns how many
 * deliveries were reset; an unknown event is an error naming `eventId`.
 */
export async function redeliver(
  db: SqlExecutor,
  eventId: string,
  subscriber?: string,
): Promise<number> {
  const id = parseInput(eventIdSchema, eventId);
  const rows = await db.query(
    `UPDATE event_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(),
       delivered_at = NULL, last_error = NULL
     WHERE event_id = $1::bigint AND ($2::text IS NULL OR subscriber = $2)
     RETURNING subscriber`,
    [id, subscriber === undefined ? null : parseInput(subscriberName, subscriber)],
  );
  if (rows.length === 0) {
    throw new LedgerError(
      'LEDGER.INVALID_INPUT',
      `event ${id} has no delivery${subscriber ? ` to ${subscriber}` : ''}`,
      'eventId',
    );
  }
  return rows.length;
}
