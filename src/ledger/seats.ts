import type { z } from 'zod';
import { LedgerError, parseInput, translateConstraintError } from './errors';
import { revokeUserGrantsFromSource } from './grants';
import { ledgerId } from './ids';
import { writeEvents, type EventSink } from './outbox-write';
import {
  assignSeatsInputSchema,
  planSeatUsageSchema,
  releaseSeatsInputSchema,
  type AssignSeatsInput,
  type AssignSeatsResult,
  type PlanSeatUsage,
  type ReleaseSeatsInput,
  type ReleaseSeatsResult,
} from './seat-schemas';
import type { SqlDb, SqlExecutor } from './sql-db';
import { IN_FORCE_STATUSES, type SubscriptionStatus } from './subscription-schemas';
import { requireTenant } from './tenants';

/**
 * A pending subscription (its order granted, not yet captured) seats its users; the seats
 * count for nothing until it is paid, and are released if the order is undone.
 */
const SEATING_STATUSES: readonly SubscriptionStatus[] = ['pending', ...IN_FORCE_STATUSES];

/**
 * The users among `users` seated on `plan` in `tenant` by a subscription other than
 * `subscription`: those a seating of `subscription` is refused for (checkout's refusal
 * before any card is held asks the same). Each argument is the SQL of its value (a
 * parameter), the users a `text[]`.
 */
export function usersHeldElsewhere(sql: {
  tenant: string;
  plan: string;
  users: string;
  subscription: string;
}): string {
  return `SELECT user_id FROM seat_assignments
      WHERE tenant_id = ${sql.tenant} AND plan_key = ${sql.plan}
        AND user_id = ANY (${sql.users}::text[])
        AND released_at IS NULL AND subscription_id <> ${sql.subscription}`;
}

interface SeatedSubscription {
  tenantId: string;
  kind: string;
  productKey: string;
  seats: number | null;
  status: SubscriptionStatus;
}

async function lockPlanSubscription(
  tx: SqlExecutor,
  input: { subscriptionId: string; tenantId: string; plan: string },
): Promise<SeatedSubscription> {
  const [sub] = await tx.query<SeatedSubscription>(
    `SELECT tenant_id AS "tenantId", kind, product_key AS "productKey", seats, status
       FROM subscriptions WHERE id = $1 FOR NO KEY UPDATE`,
    [input.subscriptionId],
  );
  if (!sub) {
    throw new LedgerError(
      'LEDGER.SUBSCRIPTION_NOT_FOUND',
      `subscription ${input.subscriptionId} is not recorded; record it before assigning seats`,
      'subscriptionId',
    );
  }
  if (sub.tenantId !== input.tenantId) {
    throw new LedgerError(
      'LEDGER.SUBSCRIPTION_CONFLICT',
      `subscription ${input.subscriptionId} belongs to another tenant`,
      'tenantId',
    );
  }
  if (sub.kind !== 'plan' || sub.productKey !== input.plan) {
    throw new LedgerError(
      'LEDGER.SUBSCRIPTION_CONFLICT',
      `subscription ${input.subscriptionId} is ${sub.kind} ${sub.productKey}, not plan ${input.plan}`,
      'plan',
    );
  }
  if (!SEATING_STATUSES.includes(sub.status)) {
    throw new LedgerError(
      'LEDGER.SUBSCRIPTION_NOT_IN_FORCE',
      `subscription ${input.subscriptionId} is ${sub.status}`,
      'subscriptionId',
    );
  }
  return sub;
}

/**
 * Seats users on a plan subscription. Idempotent per (subscription, user, order): users
 * already seated are left as they are, and a seat this order gave and that was released
 * since (a compensation) is not given again by a late retry. All or nothing: more users
 * than free seats, or a user holding the plan through another subscription, writes nothing.
 */
export async function assignSeats(db: SqlDb, input: AssignSeatsInput): Promise<AssignSeatsResult> {
  const call = parseInput(assignSeatsInputSchema, input);
  return db.transaction((tx) => assignSeatsIn(tx, call));
}

/** `assignSeats` inside the caller's transaction, with its input already parsed. */
export async function assignSeatsIn(
  tx: SqlExecutor,
  call: z.output<typeof assignSeatsInputSchema>,
  emit: EventSink = writeEvents,
): Promise<AssignSeatsResult> {
  // The subscription is locked and read, and the seats inserted and checked, in one
  // round trip on PGlite: the insert seats users only on a subscription that the checks
  // of lockPlanSubscription let through (of this tenant, this plan, pending or in force),
  // so it is issued before they ran, and inserts nothing where they refuse.
  const locking = lockPlanSubscription(tx, call);
  const inserting = tx.query<{ id: string | number; userId: string }>(
    `INSERT INTO seat_assignments (subscription_id, tenant_id, user_id, plan_key, order_id)
       SELECT $1, $2, u.user_id, $3, $4 FROM unnest($5::text[]) AS u(user_id)
        WHERE NOT EXISTS (
          SELECT 1 FROM seat_assignments a
           WHERE a.subscription_id = $1 AND a.user_id = u.user_id
             AND (a.released_at IS NULL OR a.order_id = $4))
          AND EXISTS (
          SELECT 1 FROM subscriptions s
           WHERE s.id = $1 AND s.tenant_id = $2 AND s.kind = 'plan' AND s.product_key = $3
             AND s.status = ANY($6::text[]))
       ON CONFLICT (tenant_id, user_id, plan_key) WHERE released_at IS NULL DO NOTHING
       RETURNING id, user_id AS "userId"`,
    [call.subscriptionId, call.tenantId, call.plan, call.orderId, call.userIds, SEATING_STATUSES],
  );
  // ON CONFLICT skipped users seated on the plan by another subscription (possibly one
  // committed while the insert waited): refuse rather than report them as seated. Issued
  // with the insert, to run right after it.
  const checking = tx.query<{ userId: string }>(
    `SELECT user_id AS "userId"
       FROM (${usersHeldElsewhere({ tenant: '$1', plan: '$2', users: '$3', subscription: '$4' })}) held
      ORDER BY user_id LIMIT 5`,
    [call.tenantId, call.plan, call.userIds, call.subscriptionId],
  );
  const [locked, insertedOrNot] = await Promise.allSettled([locking, inserting]);
  if (insertedOrNot.status === 'rejected' || locked.status === 'rejected') {
    // The check failed with them (its transaction is aborted). A refused insert is the
    // error; otherwise the lookup's (the subscription cannot be seated).
    checking.catch(() => undefined);
    if (insertedOrNot.status === 'rejected') translateConstraintError(insertedOrNot.reason);
    throw (locked as PromiseRejectedResult).reason;
  }
  const sub = locked.value;
  const inserted = insertedOrNot.value;
  const elsewhere = await checking;
  if (elsewhere.length > 0) {
    throw new LedgerError(
      'LEDGER.PLAN_ALREADY_ASSIGNED',
      `already hold ${call.plan} through another subscription: ${elsewhere.map((u) => u.userId).join(', ')}`,
      'userIds',
    );
  }
  await emit(
    tx,
    inserted.map((row) => ({
      tenantId: call.tenantId,
      type: 'seat.assigned' as const,
      payload: {
        assignmentId: String(row.id),
        subscriptionId: call.subscriptionId,
        userId: row.userId,
        plan: sub.productKey,
      },
      orderId: call.orderId,
      idempotencyKey: `seat.assigned:${row.id}`,
    })),
  );
  const assigned = inserted.map((row) => row.userId);
  const fresh = new Set(assigned);
  return { assigned, unchanged: call.userIds.filter((id) => !fresh.has(id)) };
}

/**
 * Releases seats of a subscription and revokes the user features it granted to those
 * users, in one transaction; releasing a seat that is not held is a no-op.
 */
export async function releaseSeats(
  db: SqlDb,
  input: ReleaseSeatsInput,
): Promise<ReleaseSeatsResult> {
  const call = parseInput(releaseSeatsInputSchema, input);
  return db.transaction(async (tx) => {
    const released = await tx.query<{ id: string | number; userId: string; plan: string }>(
      `UPDATE seat_assignments
          SET released_at = now(), release_order_id = $3, release_reason = $4
        WHERE subscription_id = $1 AND tenant_id = $2 AND released_at IS NULL
          AND ($5::text[] IS NULL OR user_id = ANY($5::text[]))
        RETURNING id, user_id AS "userId", plan_key AS plan`,
      [call.subscriptionId, call.tenantId, call.orderId, call.reason ?? null, call.userIds ?? null],
    );
    await writeEvents(
      tx,
      released.map((row) => ({
        tenantId: call.tenantId,
        type: 'seat.released' as const,
        payload: {
          assignmentId: String(row.id),
          subscriptionId: call.subscriptionId,
          userId: row.userId,
          plan: row.plan,
          reason: call.reason ?? null,
        },
        orderId: call.orderId,
        idempotencyKey: `seat.released:${row.id}`,
      })),
    );
    const users = released.map((row) => row.userId).sort();
    const revokedGrants = await revokeUserGrantsFromSource(
      tx,
      { ...call, reason: call.reason ?? 'seat released' },
      users,
    );
    return { released: users, revokedGrants };
  });
}

/** Seats per plan: bought over the subscriptions in force, assigned on them, and free. */
export async function seatUsage(db: SqlExecutor, tenantId: string): Promise<PlanSeatUsage[]> {
  const id = parseInput(ledgerId, tenantId);
  await requireTenant(db, id);
  const rows = await db.query(
    `SELECT s.product_key AS plan, sum(s.seats)::int AS bought,
            coalesce(sum(a.assigned), 0)::int AS assigned
       FROM subscriptions s
       LEFT JOIN (SELECT subscription_id, count(*) AS assigned FROM seat_assignments
                   WHERE tenant_id = $1 AND released_at IS NULL GROUP BY subscription_id) a
         ON a.subscription_id = s.id
      WHERE s.tenant_id = $1 AND s.kind = 'plan' AND s.status = ANY($2::text[])
      GROUP BY s.product_key
      ORDER BY s.product_key`,
    [id, IN_FORCE_STATUSES],
  );
  return rows.map((row) => {
    const usage = planSeatUsageSchema.omit({ free: true }).parse(row);
    return { ...usage, free: usage.bought - usage.assigned };
  });
}

/** The users seated on a subscription now, sorted. */
export async function seatedUsers(db: SqlExecutor, subscriptionId: string): Promise<string[]> {
  const rows = await db.query<{ userId: string }>(
    `SELECT user_id AS "userId" FROM seat_assignments
      WHERE subscription_id = $1 AND released_at IS NULL ORDER BY user_id`,
    [parseInput(ledgerId, subscriptionId)],
  );
  return rows.map((row) => row.userId);
}
