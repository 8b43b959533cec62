import type { SqlExecutor } from './sql-db';
import type { LicenseEventType } from './event-schemas';

export interface NewEvent {
  tenantId: string;
  type: LicenseEventType;
  payload: Record<string, unknown>;
  orderId: string | null;
  /** Derived from the change reported, so writing the same event twice keeps one row. */
  idempotencyKey: string;
}

/**
 * Writes events in the caller's transaction (the outbox pattern); one statement, deferred:
 * nothing reads its rows, so it travels with the transaction's next statement or COMMIT.
 */
export async function writeEvents(tx: SqlExecutor, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.deferWrite(
    `INSERT INTO license_events (tenant_id, type, payload, order_id, idempotency_key)
     SELECT e."tenantId", e.type, e.payload, e."orderId", e."idempotencyKey"
       FROM jsonb_to_recordset($1::text::jsonb)
         AS e("tenantId" text, type text, payload jsonb, "orderId" text, "idempotencyKey" text)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [JSON.stringify(events)],
  );
}

/** Where a ledger write puts its events: `writeEvents` now, or a collector's list. */
export type EventSink = (tx: SqlExecutor, events: NewEvent[]) => Promise<void>;

/**
 * Collects the events of several writes in one transaction so they are written by one
 * statement (`flush`, before the commit), in the order they were emitted.
 */
export function collectEvents() {
  const collected: NewEvent[] = [];
  const sink: EventSink = async (_tx, events) => {
    collected.push(...events);
  };
  const take = () => collected.splice(0);
  return {
    sink,
    take,
    /** Writes what was collected here, then what `others` collected, in that order. */
    flush: (tx: SqlExecutor, ...others: { take: () => NewEvent[] }[]) =>
      writeEvents(tx, [...take(), ...others.flatMap((other) => other.take())]),
  };
}
