import { LedgerError, parseInput, translateConstraintError } from './errors';
import { applyGrants, lockSource, revokeGrants } from './grants';
import type { GrantSpec } from './grant-spec';
import { writeEvents } from './outbox-write';
import {
  dueQuerySchema,
  endSubscriptionInputSchema,
  paidPeriodInputSchema,
  periodEndChangeInputSchema,
  type DuePage,
  type DueQuery,
  type DueSubscription,
  type EndSubscriptionInput,
  type EndSubscriptionResult,
  type GrantsFor,
  type PaidPeriodInput,
  type PaidPeriodResult,
  type PeriodEndChangeInput,
  type PeriodEndChangeResult,
} from './renewal-schemas';
import { releaseSeats, seatedUsers } from './seats';
import type { SqlDb, SqlExecutor } from './sql-db';
import type { Subscription } from './subscription-schemas';
import {
  getSubscription,
  lockSubscription,
  recordSubscription,
  updateSubscriptionStatus,
} from './subscriptions';

/**
 * The ledger's side of renewals, dunning and period-end changes. Each write is one
 * transaction composed of the ledger's own operations (recordSubscription, releaseSeats,
 * applyGrants, revokeGrants, updateSubscriptionStatus) run inside it, so a renewal is
 * recorded whole or not at all, with its outbox events.
 */

/** The ledger's operations, bound to an open transaction instead of opening their own. */
function within(db: SqlDb, tx: SqlExecutor): SqlDb {
  return {
    engine: db.engine,
    query: (sql, params) => tx.query(sql, params),
    exec: (script) => tx.exec(script),
    deferWrite: (sql, params) => tx.deferWrite(sql, params),
    transaction: (fn) => fn(tx),
    close: () => Promise.reject(new Error('a transaction is not closed by its callee')),
  };
}

/** Subscriptions in force whose period ended by `asOf`, oldest period end first, by pages. */
export async function dueSubscriptions(db: SqlExecutor, query: DueQuery): Promise<DuePage> {
  const call = parseInput(dueQuerySchema, query);
  // (current_period_end, id) is the order of the partial index subscriptions_due.
  const rows = await db.query<Record<string, unknown>>(
    `SELECT id, tenant_id AS "tenantId", current_period_start AS "currentPeriodStart",
            current_period_end AS "currentPeriodEnd"
       FROM subscriptions
      WHERE status IN ('active', 'past_due') AND current_period_end <= $1::timestamptz
        AND ($2::timestamptz IS NULL OR (current_period_end, id) > ($2::timestamptz, $3::text))
        AND ($5::text = 'all' OR pending_change IS NOT NULL)
      ORDER BY current_period_end, id
      LIMIT $4`,
    [call.asOf, call.after?.periodEnd ?? null, call.after?.id ?? '', call.limit, call.only],
  );
  const items: DueSubscription[] = rows.map((row) => ({
    id: String(row.id),
    tenantId: String(row.tenantId),
    currentPeriodStart: toIso(row.currentPeriodStart),
    currentPeriodEnd: toIso(row.currentPeriodEnd),
  }));
  const last = items[items.length - 1];
  return {
    items,
    next:
      items.length === call.limit && last
        ? { periodEnd: last.currentPeriodEnd, id: last.id }
        : null,
  };
}

/**
 * Records a paid renewal: the period row (one per subscription and period start, so a
 * repeated call records nothing), the subscription advanced into it and `active` again
 * (which clears the dunning clock), the grants re-resolved under the catalog it is now
 * sold under when `grantsFor` is given, and the events; all in one transaction.
 */
export async function recordPaidPeriod(
  db: SqlDb,
  input: PaidPeriodInput,
  grantsFor?: GrantsFor,
): Promise<PaidPeriodResult> {
  const call = parseInput(paidPeriodInputSchema, input);
  return db.transaction(async (tx) => {
    const inTx = within(db, tx);
    const current = await lockSubscription(tx, call.subscriptionId);
    // The period first: a period already recorded (a retry) makes this a no-op, whatever
    // became of the subscription since. Anything refused below rolls the row back.
    const inserted = await tx.query(
      `INSERT INTO subscription_periods (subscription_id, tenant_id, period_start, period_end,
         product_key, seats, catalog_version, amount, currency, payment_intent_id, paid_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (subscription_id, period_start) DO NOTHING
       RETURNING 1`,
      [
        call.subscriptionId,
        current.tenantId,
        call.periodStart,
        call.periodEnd,
        call.productKey,
        call.seats,
        call.catalogVersion,
        call.amount,
        call.currency,
        call.paymentIntentId,
        call.paidBy,
      ],
    );
    if (inserted.length === 0) {
      return { subscription: current, outcome: 'already-recorded', granted: 0, revoked: 0 };
    }
    if (current.status === 'ended') {
      throw new LedgerError(
        'LEDGER.INVALID_TRANSITION',
        `subscription ${call.subscriptionId} has ended; a renewal cannot be recorded`,
        'subscriptionId',
      );
    }
    if (current.currentPeriodStart !== call.renewedPeriodStart) {
      throw new LedgerError(
        'LEDGER.INVALID_TRANSITION',
        `subscription ${call.subscriptionId} is in the period from ${current.currentPeriodStart}, not ${call.renewedPeriodStart}`,
        'renewedPeriodStart',
      );
    }
    // Back to active clears the dunning clock; an active subscription (locked above) has
    // none to clear.
    if (current.status !== 'active') {
      const options = { orderId: call.paidBy, reason: 'renewal paid' };
      await updateSubscriptionStatus(inTx, call.subscriptionId, 'active', options);
    }
    const { subscription } = await recordSubscription(inTx, {
      ...recordable(current),
      productKey: call.productKey,
      seats: call.seats,
      period: call.period,
      catalogVersion: call.catalogVersion,
      currentPeriodStart: call.periodStart,
      currentPeriodEnd: call.periodEnd,
      status: 'active',
      paymentIntentId: call.paymentIntentId,
      orderId: call.paidBy,
    });
    const sync = grantsFor
      ? await syncSourceGrants(inTx, tx, subscription, call.paidBy, 'renewed', grantsFor)
      : { granted: 0, revoked: 0 };
    await writeEvents(tx, [
      {
        tenantId: subscription.tenantId,
        type: 'subscription.period_paid',
        payload: {
          subscriptionId: subscription.id,
          periodStart: call.periodStart,
          periodEnd: call.periodEnd,
          productKey: call.productKey,
          catalogVersion: call.catalogVersion,
          amount: call.amount,
          currency: call.currency,
          paymentIntentId: call.paymentIntentId,
        },
        orderId: call.paidBy,
        idempotencyKey: `subscription.period_paid:${subscription.id}:${call.periodStart}`,
      },
    ]);
    return { subscription, outcome: 'recorded', ...sync };
  });
}

/**
 * Applies the downgrade scheduled for the period end: releases the named users' seats,
 * lowers the plan, seats or period, keeps only the grants the new plan implies for the
 * users still seated (grants other subscriptions give are other rows and stay), and
 * clears the pending change. Seats above the new count refuse it, writing nothing.
 */
export async function applyPeriodEndChange(
  db: SqlDb,
  input: PeriodEndChangeInput,
  grantsFor: GrantsFor,
): Promise<PeriodEndChangeResult> {
  const call = parseInput(periodEndChangeInputSchema, input);
  return db.transaction(async (tx) => {
    const inTx = within(db, tx);
    const current = await lockSubscription(tx, call.subscriptionId);
    const change = current.pendingChange;
    if (!change || change.changeId !== call.changeId) {
      return {
        subscription: current,
        outcome: 'not-pending',
        releasedSeats: [],
        granted: 0,
        revoked: 0,
      };
    }
    if (change.kind !== 'downgrade') {
      throw new LedgerError(
        'LEDGER.INVALID_INPUT',
        `change ${change.changeId} is a ${change.kind}: end the subscription instead`,
        'changeId',
      );
    }
    const reason = `period-end change ${change.changeId}`;
    const released =
      change.unassign.length > 0
        ? await releaseSeats(inTx, {
            subscriptionId: current.id,
            tenantId: current.tenantId,
            userIds: change.unassign,
            orderId: call.orderId,
            reason,
          })
        : { released: [] };
    let changed: Subscription;
    try {
      ({ subscription: changed } = await recordSubscription(inTx, {
        ...recordable(current),
        productKey: change.productKey ?? current.productKey,
        seats: change.seats ?? current.seats,
        period: change.period ?? current.period,
        catalogVersion: call.catalogVersion,
        orderId: call.orderId,
      }));
    } catch (error: unknown) {
      translateConstraintError(error, 'seats');
    }
    const sync = await syncSourceGrants(inTx, tx, changed, call.orderId, reason, grantsFor);
    const [cleared] = await tx.query(
      `UPDATE subscriptions SET pending_change = NULL, revision = revision + 1, updated_at = now()
        WHERE id = $1 RETURNING revision`,
      [current.id],
    );
    await markChangeApplied(tx, current.id, change.changeId);
    await writeEvents(tx, [
      {
        tenantId: current.tenantId,
        type: 'subscription.changed',
        payload: {
          subscriptionId: current.id,
          changeId: change.changeId,
          kind: change.kind,
          from: { productKey: current.productKey, seats: current.seats, period: current.period },
          to: { productKey: changed.productKey, seats: changed.seats, period: changed.period },
          releasedSeats: released.released,
          revision: cleared?.revision ?? null,
        },
        orderId: call.orderId,
        idempotencyKey: `subscription.changed:${current.id}:${change.changeId}`,
      },
    ]);
    const subscription = (await getSubscription(tx, current.id)) ?? changed;
    return { subscription, outcome: 'applied', releasedSeats: released.released, ...sync };
  });
}

/**
 * Ends a subscription for good (a cancellation at period end, or dunning run out): its
 * grants revoked, every seat released, a pending change cleared, status `ended`; in one
 * transaction, and a repeated call changes nothing.
 */
export async function endSubscription(
  db: SqlDb,
  input: EndSubscriptionInput,
): Promise<EndSubscriptionResult> {
  const call = parseInput(endSubscriptionInputSchema, input);
  return db.transaction(async (tx) => {
    const inTx = within(db, tx);
    const current = await lockSubscription(tx, call.subscriptionId);
    const base = {
      tenantId: current.tenantId,
      subscriptionId: current.id,
      orderId: call.orderId,
      reason: call.reason,
    };
    const revoked = await revokeGrants(inTx, base);
    const released = await releaseSeats(inTx, base);
    if (current.pendingChange) {
      await tx.query(
        `UPDATE subscriptions SET pending_change = NULL, revision = revision + 1, updated_at = now()
          WHERE id = $1`,
        [current.id],
      );
      if (current.pendingChange.kind === 'cancel') {
        await markChangeApplied(tx, current.id, current.pendingChange.changeId);
      }
    }
    const { subscription } = await updateSubscriptionStatus(inTx, current.id, 'ended', {
      orderId: call.orderId,
      reason: call.reason,
    });
    return {
      subscription,
      revokedGrants: revoked.revoked + released.revokedGrants,
      releasedSeats: released.released,
    };
  });
}

/**
 * Makes the subscription's own active grants exactly `grantsFor(product, seated users)`:
 * revokes what the product no longer implies and grants what it newly does. Other
 * subscriptions' grants are other rows, so a feature another plan of the user implies
 * stays held.
 */
async function syncSourceGrants(
  inTx: SqlDb,
  tx: SqlExecutor,
  subscription: Subscription,
  orderId: string,
  reason: string,
  grantsFor: GrantsFor,
): Promise<{ granted: number; revoked: number }> {
  const desired: GrantSpec[] = grantsFor(
    subscription.productKey,
    await seatedUsers(tx, subscription.id),
  );
  await lockSource(tx, subscription.id);
  const keep = desired.map((spec) => ({
    subjectType: spec.subject.type,
    subjectId: spec.subject.id,
    feature: spec.feature,
  }));
  const revoked = await tx.query<{
    id: string | number;
    subjectType: string;
    subjectId: string;
    feature: string;
    kind: string;
    productKey: string;
  }>(
    `UPDATE grants g SET revoked_at = now(), revoked_by_order_id = $3, revoke_reason = $4
      WHERE g.tenant_id = $1 AND g.source_subscription_id = $2 AND g.revoked_at IS NULL
        AND NOT EXISTS (
          SELECT 1 FROM jsonb_to_recordset($5::text::jsonb)
            AS k("subjectType" text, "subjectId" text, feature text)
           WHERE k."subjectType" = g.subject_type AND k."subjectId" = g.subject_id
             AND k.feature = g.feature)
      RETURNING g.id, g.subject_type AS "subjectType", g.subject_id AS "subjectId", g.feature,
                g.kind, g.source_product_key AS "productKey"`,
    [subscription.tenantId, subscription.id, orderId, reason, JSON.stringify(keep)],
  );
  await writeEvents(
    tx,
    [...revoked]
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((row) => ({
        tenantId: subscription.tenantId,
        type: 'license.revoked' as const,
        payload: {
          grantId: String(row.id),
          subject: { type: row.subjectType, id: row.subjectId },
          feature: row.feature,
          kind: row.kind,
          subscriptionId: subscription.id,
          productKey: row.productKey,
          reason,
        },
        orderId,
        idempotencyKey: `license.revoked:${row.id}`,
      })),
  );
  const applied = await applyGrants(inTx, {
    orderId,
    tenantId: subscription.tenantId,
    subscriptionId: subscription.id,
    productKey: subscription.productKey,
    grants: desired,
  });
  return { granted: applied.inserted, revoked: revoked.length };
}

/** The subscription as recordSubscription takes it, unchanged. */
function recordable(sub: Subscription) {
  return {
    id: sub.id,
    tenantId: sub.tenantId,
    kind: sub.kind,
    productKey: sub.productKey,
    seats: sub.seats,
    period: sub.period,
    status: sub.status,
    catalogVersion: sub.catalogVersion,
    currentPeriodStart: sub.currentPeriodStart,
    currentPeriodEnd: sub.currentPeriodEnd,
    settings: sub.settings,
    stripeCustomerId: sub.stripeCustomerId,
    paymentIntentId: sub.paymentIntentId,
    paymentMethodId: sub.paymentMethodId,
    orderId: sub.orderId,
  };
}

/** The client's change record, when the change API wrote one, follows what the renewal did. */
async function markChangeApplied(tx: SqlExecutor, subscriptionId: string, changeId: string) {
  await tx.query(
    `UPDATE subscription_changes SET status = 'applied', updated_at = now()
      WHERE subscription_id = $1 AND change_id = $2 AND status <> 'applied'`,
    [subscriptionId, changeId],
  );
}

function toIso(value: unknown): string {
  return new Date(value as string | Date).toISOString();
}
