import { createHash } from 'node:crypto';
import { LedgerError, parseInput, translateConstraintError } from './errors';
import { applyGrants, revokeOrderGrants } from './grants';
import { ledgerId } from './ids';
import { writeEvents } from './outbox-write';
import type { SqlDb, SqlExecutor } from './sql-db';
import {
  applyUpgradeInputSchema,
  changeOutcomeInputSchema,
  requestChangeInputSchema,
  revertUpgradeInputSchema,
  savePaymentMethodInputSchema,
  schedulePendingChangeInputSchema,
  subscriptionChangeSchema,
  withdrawPendingChangeInputSchema,
  type ApplyUpgradeInput,
  type ChangeOutcomeInput,
  type ChangeStatus,
  type HoldingRecord,
  type RequestChangeInput,
  type RequestChangeResult,
  type RevertUpgradeInput,
  type SavePaymentMethodInput,
  type SchedulePendingChangeInput,
  type SubscriptionChange,
  type WithdrawPendingChangeInput,
} from './subscription-change-schemas';
import type { Subscription } from './subscription-schemas';
import { getSubscription, lockSubscription } from './subscriptions';
import type { ApplyGrantsResult } from './grant-schemas';

const CHANGE_COLUMNS = `subscription_id AS "subscriptionId", change_id AS "changeId",
  tenant_id AS "tenantId", kind, request, fingerprint, status, status_reason AS "statusReason",
  amount, payment_intent_id AS "paymentIntentId", created_at AS "createdAt",
  updated_at AS "updatedAt"`;

const toChange = (row: unknown): SubscriptionChange => subscriptionChangeSchema.parse(row);

/** JSON with sorted keys, so the same request always has the same fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function changeFingerprint(kind: string, request: Record<string, unknown>): string {
  return createHash('sha256').update(canonical({ kind, request })).digest('hex');
}

/** The top-level fields in which two requests differ, for the 409 that names them. */
function differingFields(
  before: { kind: string; request: Record<string, unknown> },
  after: { kind: string; request: Record<string, unknown> },
): string[] {
  if (before.kind !== after.kind) return ['kind'];
  const keys = new Set([...Object.keys(before.request), ...Object.keys(after.request)]);
  return [...keys]
    .filter((key) => canonical(before.request[key]) !== canonical(after.request[key]))
    .sort();
}

/**
 * Records a client's change by its change id, before anything acts on it. The same id
 * with the same request is the same change (`repeated`), however long after; with
 * another request it is refused, naming the fields that differ.
 */
export async function requestChange(
  db: SqlDb,
  input: RequestChangeInput,
): Promise<RequestChangeResult> {
  const call = parseInput(requestChangeInputSchema, input);
  const fingerprint = changeFingerprint(call.kind, call.request);
  return db.transaction(async (tx) => {
    const subscription = await lockSubscription(tx, call.subscriptionId);
    if (subscription.tenantId !== call.tenantId) {
      // Another tenant's subscription reads as unknown: tenants never learn of each other.
      throw new LedgerError(
        'LEDGER.SUBSCRIPTION_NOT_FOUND',
        `subscription ${call.subscriptionId} is unknown`,
        'subscriptionId',
      );
    }
    const inserted = await tx.query(
      `INSERT INTO subscription_changes (subscription_id, change_id, tenant_id, kind, request,
         fingerprint, status)
       VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, 'requested')
       ON CONFLICT (subscription_id, change_id) DO NOTHING
       RETURNING ${CHANGE_COLUMNS}`,
      [
        call.subscriptionId,
        call.changeId,
        call.tenantId,
        call.kind,
        JSON.stringify(call.request),
        fingerprint,
      ],
    );
    if (inserted.length > 0) return { change: toChange(inserted[0]), repeated: false };
    const existing = await getChange(tx, call.subscriptionId, call.changeId);
    if (!existing) throw new Error(`change ${call.changeId} vanished while it was read`);
    if (existing.fingerprint !== fingerprint) {
      const fields = differingFields(existing, call);
      throw new LedgerError(
        'LEDGER.CHANGE_CONFLICT',
        `change ${call.changeId} was requested before with other values of: ${fields.join(', ')}`,
        fields.join(','),
      );
    }
    return { change: existing, repeated: true };
  });
}

export async function getChange(
  db: SqlExecutor,
  subscriptionId: string,
  changeId: string,
): Promise<SubscriptionChange | null> {
  const rows = await db.query(
    `SELECT ${CHANGE_COLUMNS} FROM subscription_changes
      WHERE subscription_id = $1 AND change_id = $2`,
    [parseInput(ledgerId, subscriptionId), parseInput(ledgerId, changeId)],
  );
  return rows.length > 0 ? toChange(rows[0]) : null;
}

export async function listChanges(
  db: SqlExecutor,
  subscriptionId: string,
): Promise<SubscriptionChange[]> {
  const rows = await db.query(
    `SELECT ${CHANGE_COLUMNS} FROM subscription_changes WHERE subscription_id = $1
      ORDER BY created_at, change_id`,
    [parseInput(ledgerId, subscriptionId)],
  );
  return rows.map(toChange);
}

/** Which statuses a change may move to from each: final ones stay as they are. */
const NEXT: Record<ChangeStatus, readonly ChangeStatus[]> = {
  requested: ['scheduled', 'applied', 'refused', 'withdrawn'],
  scheduled: ['applied', 'refused', 'withdrawn'],
  applied: [],
  refused: [],
  withdrawn: [],
};

/**
 * Records how a change ended (or that it is scheduled), with what it charged or refunded.
 * Idempotent: recording the status it has changes nothing; a final status stays.
 */
export async function recordChangeOutcome(
  db: SqlDb,
  input: ChangeOutcomeInput,
): Promise<SubscriptionChange> {
  const call = parseInput(changeOutcomeInputSchema, input);
  return db.transaction(async (tx) => {
    const rows = await tx.query(
      `SELECT ${CHANGE_COLUMNS} FROM subscription_changes
        WHERE subscription_id = $1 AND change_id = $2 FOR UPDATE`,
      [call.subscriptionId, call.changeId],
    );
    if (rows.length === 0) {
      throw new LedgerError(
        'LEDGER.SUBSCRIPTION_NOT_FOUND',
        `change ${call.changeId} of subscription ${call.subscriptionId} is unknown`,
        'changeId',
      );
    }
    const existing = toChange(rows[0]);
    if (!NEXT[existing.status].includes(call.status)) return existing;
    const [updated] = await tx.query(
      `UPDATE subscription_changes SET status = $3, status_reason = $4,
         amount = coalesce($5, amount), payment_intent_id = coalesce($6, payment_intent_id),
         updated_at = now()
       WHERE subscription_id = $1 AND change_id = $2
       RETURNING ${CHANGE_COLUMNS}`,
      [
        call.subscriptionId,
        call.changeId,
        call.status,
        call.reason ?? null,
        call.amount ?? null,
        call.paymentIntentId ?? null,
      ],
    );
    const change = toChange(updated);
    if (change.status === 'applied') {
      await writeEvents(tx, [
        {
          tenantId: change.tenantId,
          type: 'subscription.changed',
          payload: {
            subscriptionId: change.subscriptionId,
            changeId: change.changeId,
            kind: change.kind,
            amount: change.amount,
            paymentIntentId: change.paymentIntentId,
          },
          orderId: null,
          idempotencyKey: `subscription.changed:${change.subscriptionId}:${change.changeId}`,
        },
      ]);
    }
    return change;
  });
}

/**
 * Schedules a downgrade or cancellation for the period end (the renewal applies it). One
 * change at a time: another scheduled change must be withdrawn first. Scheduling the
 * same change again changes nothing.
 */
export async function schedulePendingChange(
  db: SqlDb,
  input: SchedulePendingChangeInput,
): Promise<Subscription> {
  const call = parseInput(schedulePendingChangeInputSchema, input);
  return db.transaction(async (tx) => {
    const subscription = await lockSubscription(tx, call.subscriptionId);
    const pending = subscription.pendingChange;
    if (pending?.changeId === call.change.changeId) return subscription;
    if (subscription.status === 'ended') {
      throw new LedgerError(
        'LEDGER.INVALID_TRANSITION',
        `subscription ${subscription.id} has ended`,
        'subscriptionId',
      );
    }
    if (pending) {
      throw new LedgerError(
        'LEDGER.CHANGE_CONFLICT',
        `subscription ${subscription.id} has change ${pending.changeId} (${pending.kind}) scheduled; withdraw it first`,
        'pendingChange',
      );
    }
    await tx.query(
      `UPDATE subscriptions SET pending_change = $2::text::jsonb, revision = revision + 1,
         updated_at = now() WHERE id = $1`,
      [subscription.id, JSON.stringify(call.change)],
    );
    await tx.query(
      `UPDATE subscription_changes SET status = 'scheduled', updated_at = now()
        WHERE subscription_id = $1 AND change_id = $2 AND status = 'requested'`,
      [subscription.id, call.change.changeId],
    );
    await writeEvents(tx, [
      {
        tenantId: subscription.tenantId,
        type: 'subscription.change_scheduled',
        payload: {
          subscriptionId: subscription.id,
          change: call.change,
          effectiveAt: subscription.currentPeriodEnd,
        },
        orderId: null,
        idempotencyKey: `subscription.change_scheduled:${subscription.id}:${call.change.changeId}`,
      },
    ]);
    return (await getSubscription(tx, subscription.id))!;
  });
}

/**
 * Takes a scheduled change back before the period end (a customer who keeps the
 * subscription after all, or the undo of scheduling it). Withdrawing a change that is
 * already withdrawn, or was never scheduled, changes nothing; one the renewal applied
 * cannot be withdrawn.
 */
export async function withdrawPendingChange(
  db: SqlDb,
  input: WithdrawPendingChangeInput,
): Promise<Subscription> {
  const call = parseInput(withdrawPendingChangeInputSchema, input);
  return db.transaction(async (tx) => {
    const subscription = await lockSubscription(tx, call.subscriptionId);
    const target = await getChange(tx, call.subscriptionId, call.changeId);
    if (target?.status === 'applied') {
      throw new LedgerError(
        'LEDGER.INVALID_TRANSITION',
        `change ${call.changeId} took effect already`,
        'changeId',
      );
    }
    if (subscription.pendingChange?.changeId !== call.changeId) return subscription;
    await tx.query(
      `UPDATE subscriptions SET pending_change = NULL, revision = revision + 1,
         updated_at = now() WHERE id = $1`,
      [subscription.id],
    );
    await tx.query(
      `UPDATE subscription_changes SET status = 'withdrawn', status_reason = $3, updated_at = now()
        WHERE subscription_id = $1 AND change_id = $2 AND status IN ('requested', 'scheduled')`,
      [subscription.id, call.changeId, `withdrawn by change ${call.byChangeId}`],
    );
    return (await getSubscription(tx, subscription.id))!;
  });
}

/**
 * Writes a new holding (product, seats, period, period end) in place, in one transaction
 * with the row locked: only those columns, so a renewal or a status change committed
 * meanwhile is never overwritten by a stale copy. The seats move to the new plan.
 */
async function writeHolding(
  db: SqlDb,
  subscriptionId: string,
  orderId: string,
  holding: HoldingRecord,
): Promise<void> {
  await db.transaction(async (tx) => {
    const existing = await lockSubscription(tx, subscriptionId);
    if (existing.status === 'ended') return;
    let updated: unknown[];
    try {
      updated = await tx.query(
        `UPDATE subscriptions SET product_key = $2, seats = $3, period = $4,
           current_period_end = $5, revision = revision + 1, updated_at = now()
         WHERE id = $1
           AND (product_key, seats, period, current_period_end)
               IS DISTINCT FROM ($2, $3::integer, $4, $5::timestamptz)
         RETURNING id`,
        [
          subscriptionId,
          holding.productKey,
          holding.seats,
          holding.period,
          holding.currentPeriodEnd,
        ],
      );
    } catch (error: unknown) {
      translateConstraintError(error, 'seats');
    }
    if (updated.length === 0) return;
    if (holding.productKey !== existing.productKey) {
      await tx.query(
        `UPDATE seat_assignments SET plan_key = $2
          WHERE subscription_id = $1 AND released_at IS NULL`,
        [subscriptionId, holding.productKey],
      );
    }
    const subscription = (await getSubscription(tx, subscriptionId))!;
    await writeEvents(tx, [
      {
        tenantId: subscription.tenantId,
        type: 'subscription.recorded',
        payload: { subscription },
        orderId,
        idempotencyKey: `subscription.recorded:${subscription.id}:${subscription.revision}`,
      },
    ]);
  });
}

/**
 * Saves the payment method renewals charge off session. Only that column is written, so
 * a renewal changing the status meanwhile keeps its write. The same method again: nothing.
 */
export async function savePaymentMethod(
  db: SqlDb,
  input: SavePaymentMethodInput,
): Promise<Subscription> {
  const call = parseInput(savePaymentMethodInputSchema, input);
  return db.transaction(async (tx) => {
    const subscription = await lockSubscription(tx, call.subscriptionId);
    if (subscription.paymentMethodId === call.paymentMethodId) return subscription;
    await tx.query(
      `UPDATE subscriptions SET payment_method_id = $2, revision = revision + 1,
         updated_at = now() WHERE id = $1`,
      [subscription.id, call.paymentMethodId],
    );
    const saved = (await getSubscription(tx, subscription.id))!;
    await writeEvents(tx, [
      {
        tenantId: saved.tenantId,
        type: 'subscription.recorded',
        payload: { subscription: saved },
        orderId: call.orderId,
        idempotencyKey: `subscription.recorded:${saved.id}:${saved.revision}`,
      },
    ]);
    return saved;
  });
}

async function changeableSubscription(db: SqlDb, id: string): Promise<Subscription> {
  const subscription = await getSubscription(db, id);
  if (!subscription) {
    throw new LedgerError(
      'LEDGER.SUBSCRIPTION_NOT_FOUND',
      `subscription ${id} is unknown`,
      'subscriptionId',
    );
  }
  if (subscription.status === 'ended') {
    throw new LedgerError(
      'LEDGER.INVALID_TRANSITION',
      `subscription ${id} has ended`,
      'subscriptionId',
    );
  }
  return subscription;
}

/**
 * An upgrade in place: the subscription takes the new product, seats and period (the
 * period start stays; its seats move to the new plan, as `recordSubscription` moves them),
 * and gains the grants the new
 * holding implies under its own source, recorded with the change's id. Each part is
 * idempotent, so a retry completes the rest; what the purchase granted stays.
 */
export async function applyUpgrade(
  db: SqlDb,
  input: ApplyUpgradeInput,
): Promise<ApplyGrantsResult> {
  const call = parseInput(applyUpgradeInputSchema, input);
  const subscription = await changeableSubscription(db, call.subscriptionId);
  await writeHolding(db, subscription.id, call.orderId, call.to);
  return applyGrants(db, {
    orderId: call.orderId,
    tenantId: subscription.tenantId,
    subscriptionId: subscription.id,
    productKey: call.to.productKey,
    grants: call.grants,
  });
}

/** The undo of `applyUpgrade`: revokes what the change granted, then restores the holding. */
export async function revertUpgrade(db: SqlDb, input: RevertUpgradeInput): Promise<void> {
  const call = parseInput(revertUpgradeInputSchema, input);
  const subscription = await getSubscription(db, call.subscriptionId);
  if (!subscription) return;
  await revokeOrderGrants(db, {
    orderId: call.orderId,
    tenantId: subscription.tenantId,
    subscriptionId: subscription.id,
    reason: 'subscription change undone',
  });
  await writeHolding(db, subscription.id, call.orderId, call.to);
}
