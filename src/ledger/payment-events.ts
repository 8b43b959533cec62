import type { SqlExecutor } from './sql-db';

export interface PaymentEventRecord {
  stripeEventId: string;
  type: string;
  orderId: string | null;
  subscriptionId: string | null;
  paymentIntentId: string | null;
  /** What the ledger did: ended, suspended, reinstated, kept, ignored. */
  action: string;
  detail: Record<string, unknown>;
}

/** Whether the Stripe event was applied already (events are delivered at least once). */
export async function paymentEventRecorded(db: SqlExecutor, stripeEventId: string) {
  const rows = await db.query('SELECT 1 FROM payment_events WHERE stripe_event_id = $1', [
    stripeEventId,
  ]);
  return rows.length > 0;
}

/** Records an applied Stripe event once, by its id. */
export async function recordPaymentEvent(
  db: SqlExecutor,
  event: PaymentEventRecord,
): Promise<void> {
  await db.query(
    `INSERT INTO payment_events (stripe_event_id, type, order_id, subscription_id,
       payment_intent_id, action, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb)
     ON CONFLICT (stripe_event_id) DO NOTHING`,
    [
      event.stripeEventId,
      event.type,
      event.orderId,
      event.subscriptionId,
      event.paymentIntentId,
      event.action,
      JSON.stringify(event.detail),
    ],
  );
}

/** The events recorded for a dispute (its id is kept in `detail.disputeId`). */
export async function disputeEvents(db: SqlExecutor, disputeId: string): Promise<string[]> {
  const rows = await db.query<{ type: string }>(
    `SELECT type FROM payment_events WHERE detail ->> 'disputeId' = $1`,
    [disputeId],
  );
  return rows.map((row) => row.type);
}

/** The order that owns a PaymentIntent. */
export async function orderIdByPaymentIntent(
  db: SqlExecutor,
  paymentIntentId: string,
): Promise<string | null> {
  const rows = await db.query<{ orderId: string }>(
    'SELECT order_id AS "orderId" FROM orders WHERE payment_intent_id = $1',
    [paymentIntentId],
  );
  return rows[0]?.orderId ?? null;
}
