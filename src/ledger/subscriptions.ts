import { LedgerError, parseInput, translateConstraintError } from './errors';
import { ledgerId } from './ids';
import { orderStateChangeSchema, updateOrderState, type OrderStateChange } from './orders';
import { collectEvents, writeEvents, type EventSink } from './outbox-write';
import type { SqlDb, SqlExecutor } from './sql-db';
import type { z } from 'zod';
import {
  IN_FORCE_STATUSES,
  paidPeriodSchema,
  statusChangeSchema,
  subscriptionInputSchema,
  subscriptionSchema,
  type RecordSubscriptionResult,
  type FirstPaidPeriodInput,
  type Subscription,
  type SubscriptionInput,
  type SubscriptionStatus,
} from './subscription-schemas';

const COLUMNS = `id, tenant_id AS "tenantId", kind, product_key AS "productKey", seats, period,
  status, status_reason AS "statusReason", catalog_version AS "catalogVersion",
  current_period_start AS "currentPeriodStart", current_period_end AS "currentPeriodEnd",
  settings, stripe_customer_id AS "stripeCustomerId", payment_intent_id AS "paymentIntentId",
  payment_method_id AS "paymentMethodId", pending_change AS "pendingChange",
  past_due_since AS "pastDueSince", suspended_at AS "suspendedAt", ended_at AS "endedAt",
  order_id AS "orderId", revision, created_at AS "createdAt", updated_at AS "updatedAt"`;

function toSubscription(row: unknown): Subscription {
  return subscriptionSchema.parse(row);
}

async function recordedEvent(
  tx: SqlExecutor,
  subscription: Subscription,
  orderId: string,
  emit: EventSink,
) {
  await emit(tx, [
    {
      tenantId: subscription.tenantId,
      type: 'subscription.recorded',
      payload: { subscription },
      orderId,
      idempotencyKey: `subscription.recorded:${subscription.id}:${subscription.revision}`,
    },
  ]);
}

/**
 * Upsert by the subscription's business id. Recording the same values again writes
 * nothing (no new revision, no event); the tenant and kind of a subscription never change.
 * With `paidPeriod` the period the capture paid, and with `orderState` the order's mirrored
 * state, are written in the same transaction.
 */
export async function recordSubscription(
  db: SqlDb,
  input: SubscriptionInput,
  options: { paidPeriod?: FirstPaidPeriodInput; orderState?: OrderStateChange } = {},
): Promise<RecordSubscriptionResult> {
  const sub = parseInput(subscriptionInputSchema, input);
  const paid = options.paidPeriod && parseInput(paidPeriodSchema, options.paidPeriod);
  const orderState = options.orderState && parseInput(orderStateChangeSchema, options.orderState);
  return db.transaction(async (tx) => {
    const outbox = collectEvents();
    // recordSubscriptionIn issues its lookup and update as it is called; the paid period,
    // issued next, goes with them in the same round trip. It takes its values from the
    // row as the update left it, and only from a row in force in the period recorded, so
    // a stale, ended or conflicting record inserts none.
    const recording = recordSubscriptionIn(tx, sub, outbox.sink, 'existing');
    const period = paid && insertPaidPeriod(tx, sub, paid);
    // Its failure is the update's (the transaction is aborted): that one is thrown.
    if (period) period.catch(() => undefined);
    const result = await recording;
    if (
      paid &&
      (result.outcome === 'created' ||
        result.outcome === 'updated' ||
        result.outcome === 'unchanged')
    ) {
      // A subscription created here did not exist when the period was tried with the update.
      const inserted =
        period && result.outcome !== 'created'
          ? await period
          : await insertPaidPeriod(tx, result.subscription, paid);
      if (inserted.length > 0) await paidPeriodEvent(tx, result.subscription, paid, outbox.sink);
    }
    await Promise.all([outbox.flush(tx), orderState && updateOrderState(tx, orderState)]);
    return result;
  });
}

/** `recordSubscription` inside the caller's transaction, with its input already parsed. */
export async function recordSubscriptionIn(
  tx: SqlExecutor,
  sub: z.output<typeof subscriptionInputSchema>,
  emit: EventSink = writeEvents,
  expected: 'new' | 'existing' = 'new',
): Promise<RecordSubscriptionResult> {
  const values = [
    sub.id,
    sub.tenantId,
    sub.kind,
    sub.productKey,
    sub.seats,
    sub.period,
    sub.status,
    sub.catalogVersion,
    sub.currentPeriodStart,
    sub.currentPeriodEnd,
    JSON.stringify(sub.settings),
    sub.stripeCustomerId,
    sub.paymentIntentId,
    sub.paymentMethodId,
    sub.orderId,
  ];
  const lock = async () =>
    (
      await tx.query(`SELECT ${COLUMNS} FROM subscriptions WHERE id = $1 FOR NO KEY UPDATE`, [
        sub.id,
      ])
    )[0];
  // The update changes only a row of the same tenant and kind, not ended, whose period
  // does not start after this one's, and only if something differs: the row that the
  // checks below let through. So it may be issued before they ran.
  const update = () =>
    tx.query(
      `UPDATE subscriptions SET product_key = $4, seats = $5, period = $6, status = $7,
           catalog_version = $8, current_period_start = $9, current_period_end = $10,
           settings = $11::text::jsonb, stripe_customer_id = $12, payment_intent_id = $13,
           payment_method_id = coalesce($14, payment_method_id),
           revision = revision + 1, updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND kind = $3
           AND status <> 'ended' AND current_period_start <= $9::timestamptz
           AND (product_key, seats, period, status, catalog_version, current_period_start,
                current_period_end, settings, stripe_customer_id, payment_intent_id,
                payment_method_id)
               IS DISTINCT FROM
               ($4, $5::integer, $6, $7, $8::integer, $9::timestamptz, $10::timestamptz,
                $11::text::jsonb, $12, $13, coalesce($14, payment_method_id))
         RETURNING ${COLUMNS}`,
      values.slice(0, 14),
    );
  let found: Record<string, unknown> | undefined;
  let updating: Promise<Record<string, unknown>[]> | undefined;
  if (expected === 'existing') {
    // Looked up first when it is expected (a standalone record: the order's grant step or
    // the renewal made it), which spares the insert, with its update issued behind the
    // lookup before this yields (a caller's next statement joins them): one round trip on
    // PGlite. A refused update fails the lookup with it.
    const locking = lock();
    const updated = update();
    const [locked, changed] = await Promise.allSettled([locking, updated]);
    if (changed.status === 'rejected') translateConstraintError(changed.reason, 'seats');
    if (locked.status === 'rejected') throw locked.reason;
    found = locked.value;
    updating = updated;
  }
  if (found === undefined) {
    // The update issued with the lookup found no row: it is issued again once there is one.
    updating = undefined;
    // The tenant in the same statement (its key is checked at the statement's end).
    const inserted = await tx.query(
      `WITH tenant AS (INSERT INTO tenants (id) VALUES ($2) ON CONFLICT (id) DO NOTHING)
       INSERT INTO subscriptions (id, tenant_id, kind, product_key, seats, period, status,
         catalog_version, current_period_start, current_period_end, settings,
         stripe_customer_id, payment_intent_id, payment_method_id, order_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb, $12, $13, $14, $15)
       ON CONFLICT (id) DO NOTHING
       RETURNING ${COLUMNS}`,
      values,
    );
    if (inserted.length > 0) {
      const subscription = toSubscription(inserted[0]);
      await recordedEvent(tx, subscription, sub.orderId, emit);
      return { subscription, outcome: 'created' };
    }

    found = await lock();
  }
  const existing = toSubscription(found);
  if (existing.tenantId !== sub.tenantId || existing.kind !== sub.kind) {
    throw new LedgerError(
      'LEDGER.SUBSCRIPTION_CONFLICT',
      `subscription ${sub.id} is a ${existing.kind} of tenant ${existing.tenantId}`,
      existing.tenantId !== sub.tenantId ? 'tenantId' : 'kind',
    );
  }
  if (sub.currentPeriodStart < existing.currentPeriodStart) {
    return { subscription: existing, outcome: 'stale' };
  }
  // Ended is final: a late retry of an order's step writes nothing to it.
  if (existing.status === 'ended') return { subscription: existing, outcome: 'ended' };

  try {
    // The creating order stays `order_id`: it is the subscription's origin, not its last change.
    const updated = await (updating ?? update());
    if (updated.length === 0) return { subscription: existing, outcome: 'unchanged' };
    const subscription = toSubscription(updated[0]);
    if (subscription.productKey !== existing.productKey) {
      // An upgrade in place (e.g. Essentials to Premium): the seats follow the plan.
      await tx.query(
        `UPDATE seat_assignments SET plan_key = $2
            WHERE subscription_id = $1 AND released_at IS NULL`,
        [sub.id, sub.productKey],
      );
    }
    await recordedEvent(tx, subscription, sub.orderId, emit);
    return { subscription, outcome: 'updated' };
  } catch (error: unknown) {
    translateConstraintError(error, 'seats');
  }
}

/**
 * The paid period of a subscription in force, keyed by (subscription, period start), its
 * values taken from the subscription's row: none when the row is not of this tenant and
 * kind, not in force, or in another period. Recording it again (a retried record step)
 * writes nothing. Returns the row inserted, if any.
 */
function insertPaidPeriod(
  tx: SqlExecutor,
  subscription: Pick<Subscription, 'id' | 'tenantId' | 'kind' | 'currentPeriodStart'>,
  paid: z.output<typeof paidPeriodSchema>,
): Promise<unknown[]> {
  return tx.query(
    `INSERT INTO subscription_periods (subscription_id, tenant_id, period_start, period_end,
       product_key, seats, catalog_version, amount, currency, payment_intent_id, paid_by)
     SELECT s.id, s.tenant_id, s.current_period_start, s.current_period_end, s.product_key,
            s.seats, s.catalog_version, $5, $6, s.payment_intent_id, $7
       FROM subscriptions s
      WHERE s.id = $1 AND s.tenant_id = $2 AND s.kind = $3
        AND s.current_period_start = $4::timestamptz AND s.status = ANY($8::text[])
     ON CONFLICT (subscription_id, period_start) DO NOTHING
     RETURNING subscription_id`,
    [
      subscription.id,
      subscription.tenantId,
      subscription.kind,
      subscription.currentPeriodStart,
      paid.amount,
      paid.currency,
      paid.paidBy,
      IN_FORCE_STATUSES,
    ],
  );
}

function paidPeriodEvent(
  tx: SqlExecutor,
  subscription: Subscription,
  paid: z.output<typeof paidPeriodSchema>,
  emit: EventSink,
): Promise<void> {
  return emit(tx, [
    {
      tenantId: subscription.tenantId,
      type: 'subscription.period_paid',
      payload: {
        subscriptionId: subscription.id,
        periodStart: subscription.currentPeriodStart,
        periodEnd: subscription.currentPeriodEnd,
        amount: paid.amount,
        currency: paid.currency,
        paymentIntentId: subscription.paymentIntentId,
      },
      orderId: subscription.orderId,
      idempotencyKey: `subscription.period_paid:${subscription.id}:${subscription.currentPeriodStart}`,
    },
  ]);
}

export interface StatusChangeResult {
  subscription: Subscription;
  outcome: 'updated' | 'unchanged';
}

/**
 * Moves a subscription to `status`; setting the status it already has is a no-op.
 * `ended` is final: an ended subscription is sold again as a new one.
 */
export async function updateSubscriptionStatus(
  db: SqlDb,
  id: string,
  status: SubscriptionStatus,
  options: { orderId?: string; reason?: string } = {},
): Promise<StatusChangeResult> {
  const change = parseInput(statusChangeSchema, { id, status, ...options });
  return db.transaction(async (tx) => {
    const rows = await tx.query(
      `SELECT ${COLUMNS} FROM subscriptions WHERE id = $1 FOR NO KEY UPDATE`,
      [change.id],
    );
    if (rows.length === 0) {
      throw new LedgerError('LEDGER.SUBSCRIPTION_NOT_FOUND', `subscription ${id} is unknown`, 'id');
    }
    const existing = toSubscription(rows[0]);
    if (existing.status === change.status) return { subscription: existing, outcome: 'unchanged' };
    if (existing.status === 'ended') {
      throw new LedgerError(
        'LEDGER.INVALID_TRANSITION',
        `subscription ${id} has ended and cannot become ${change.status}`,
        'status',
      );
    }
    // The dunning clock: when it fell past due, when it was suspended, when it ended.
    // Back to active (a recovered payment) clears the first two.
    const updated = await tx.query(
      `UPDATE subscriptions SET status = $2, status_reason = $3, revision = revision + 1,
         updated_at = now(),
         past_due_since = CASE WHEN $2 = 'past_due' THEN coalesce(past_due_since, now())
                               WHEN $2 = 'active' THEN NULL ELSE past_due_since END,
         suspended_at = CASE WHEN $2 = 'suspended' THEN coalesce(suspended_at, now())
                             WHEN $2 = 'active' THEN NULL ELSE suspended_at END,
         ended_at = CASE WHEN $2 = 'ended' THEN now() ELSE ended_at END
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [change.id, change.status, change.reason ?? null],
    );
    const subscription = toSubscription(updated[0]);
    await writeEvents(tx, [
      {
        tenantId: subscription.tenantId,
        type: 'subscription.status_changed',
        payload: {
          subscriptionId: subscription.id,
          from: existing.status,
          to: subscription.status,
          reason: change.reason ?? null,
        },
        orderId: change.orderId ?? null,
        idempotencyKey: `subscription.status_changed:${subscription.id}:${subscription.revision}`,
      },
    ]);
    return { subscription, outcome: 'updated' };
  });
}

/**
 * The subscription, locked for the rest of the caller's transaction. One statement: in
 * PostgreSQL a row lock that waited returns the row as the transaction that held the
 * lock left it, so what this returns is what the caller then changes.
 */
export async function lockSubscription(tx: SqlExecutor, id: string): Promise<Subscription> {
  const rows = await tx.query(
    `SELECT ${COLUMNS} FROM subscriptions WHERE id = $1 FOR NO KEY UPDATE`,
    [id],
  );
  if (rows.length === 0) {
    throw new LedgerError(
      'LEDGER.SUBSCRIPTION_NOT_FOUND',
      `subscription ${id} is unknown`,
      'subscriptionId',
    );
  }
  return toSubscription(rows[0]);
}

export async function getSubscription(db: SqlExecutor, id: string): Promise<Subscription | null> {
  const rows = await db.query(`SELECT ${COLUMNS} FROM subscriptions WHERE id = $1`, [
    parseInput(ledgerId, id),
  ]);
  return rows.length > 0 ? toSubscription(rows[0]) : null;
}

export async function listSubscriptions(
  db: SqlExecutor,
  tenantId: string,
): Promise<Subscription[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM subscriptions WHERE tenant_id = $1 ORDER BY created_at, id`,
    [parseInput(ledgerId, tenantId)],
  );
  return rows.map(toSubscription);
}
