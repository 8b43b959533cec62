import { isLedgerError, parseInput } from './errors';
import { applyGrantsIn } from './grants';
import { applyGrantsInputSchema, type ApplyGrantsResult } from './grant-schemas';
import type { GrantSpec } from './grant-spec';
import { orderStateChangeSchema, updateOrderState } from './orders';
import { collectEvents } from './outbox-write';
import { assignSeatsIn } from './seats';
import { assignSeatsInputSchema } from './seat-schemas';
import type { SqlDb } from './sql-db';
import { recordSubscriptionIn } from './subscriptions';
import { subscriptionInputSchema, type SubscriptionInput } from './subscription-schemas';

export interface GrantOrderInput {
  orderId: string;
  tenantId: string;
  /** Recorded `pending` (granted, not paid) until the order's record step after capture. */
  subscription: SubscriptionInput;
  /** The plan's seats to give the named users (plans only). */
  seats?: { plan: string; userIds: string[] };
  grants: GrantSpec[];
  /** The order's PaymentIntent, mirrored into the order with its `granting` state. */
  paymentIntentId?: string;
}

/**
 * An order's grant step in one transaction: the order mirrored `granting`, its
 * subscription recorded pending, the named users seated and the features granted, each
 * with its outbox events. Every part is idempotent as it is on its own (a retry writes
 * nothing twice; a compensated order is granted nothing again), and all of it commits or
 * none: a refused seat leaves no pending subscription behind.
 */
export async function grantOrder(db: SqlDb, input: GrantOrderInput): Promise<ApplyGrantsResult> {
  const subscription = parseInput(subscriptionInputSchema, {
    ...input.subscription,
    status: 'pending',
  });
  const seats =
    input.seats &&
    parseInput(assignSeatsInputSchema, {
      subscriptionId: subscription.id,
      tenantId: input.tenantId,
      plan: input.seats.plan,
      userIds: input.seats.userIds,
      orderId: input.orderId,
    });
  const grants = parseInput(applyGrantsInputSchema, {
    orderId: input.orderId,
    tenantId: input.tenantId,
    subscriptionId: subscription.id,
    productKey: subscription.productKey,
    grants: input.grants,
  });
  const orderState =
    input.paymentIntentId &&
    parseInput(orderStateChangeSchema, {
      orderId: input.orderId,
      state: 'granting',
      paymentIntentId: input.paymentIntentId,
    });
  return db.transaction(async (tx) => {
    // The subscription's, the seats' and the grants' events in one statement, in that
    // order whichever of seats and grants is answered first.
    const outbox = collectEvents();
    const seatEvents = collectEvents();
    const grantEvents = collectEvents();
    // All issued at once (one round trip on PGlite), and run in this order: the order's
    // mirror, the subscription, its seats (the subscription's lock first), then the
    // grants' lock and grants. Seats go only to a subscription that may seat them, grants
    // only to an order not revoked (see assignSeatsIn and applyGrantsIn). Every part runs
    // to its end before a refusal is thrown, so nothing is issued after it; a refusal the
    // ledger names comes before the database error that the batch's statements share.
    const [, recorded, seated, granted] = await Promise.allSettled([
      orderState && updateOrderState(tx, orderState),
      recordSubscriptionIn(tx, subscription, outbox.sink),
      seats && assignSeatsIn(tx, seats, seatEvents.sink),
      applyGrantsIn(tx, grants, grantEvents.sink),
    ]);
    const refusals = [recorded, seated, granted].flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
    );
    if (refusals.length > 0) throw refusals.find(isLedgerError) ?? refusals[0];
    await outbox.flush(tx, seatEvents, grantEvents);
    return (granted as PromiseFulfilledResult<ApplyGrantsResult>).value;
  });
}
