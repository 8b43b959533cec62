import { z } from 'zod';
import { parseInput } from './errors';
import { licenseEventSchema, type LicenseEvent } from './event-schemas';
import type { SqlExecutor } from './sql-db';

const limitSchema = z.number().int().min(1).max(10_000);
const idsSchema = z.array(z.string().regex(/^[0-9]{1,18}$/, 'must be event ids')).max(10_000);

/**
 * The oldest unpublished events. Delivery is at least once: a publisher that crashes
 * between sending and `markEventsPublished` sends again, so consumers dedupe on
 * `idempotencyKey`.
 */
export async function pendingEvents(db: SqlExecutor, limit = 100): Promise<LicenseEvent[]> {
  const rows = await db.query(
    `SELECT id, tenant_id AS "tenantId", type, payload, order_id AS "orderId",
            idempotency_key AS "idempotencyKey", created_at AS "createdAt",
            published_at AS "publishedAt"
       FROM license_events WHERE published_at IS NULL ORDER BY id LIMIT $1`,
    [parseInput(limitSchema, limit)],
  );
  return rows.map((row) => licenseEventSchema.parse(row));
}

/** Marks events published; returns how many were still pending. */
export async function markEventsPublished(db: SqlExecutor, ids: string[]): Promise<number> {
  const eventIds = parseInput(idsSchema, ids);
  if (eventIds.length === 0) return 0;
  const rows = await db.query(
    `UPDATE license_events SET published_at = now()
      WHERE id = ANY($1::bigint[]) AND published_at IS NULL RETURNING id`,
    [eventIds],
  );
  return rows.length;
}
