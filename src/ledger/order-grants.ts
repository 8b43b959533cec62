import { parseInput } from './errors';
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
    // Independent, so issued at once (one round trip on PGlite).
    await Promise.all([
      orderState && updateOrderState(tx, orderState),
      recordSubscriptionIn(tx, subscription, outbox.sink),
    ]);
    // Seating and granting are independent too: their statements go together, the
    // subscription's lock first (it is issued first), then the grants' lock. Both run to
    // their end before a refusal of either is thrown, so nothing is issued after it.
    const [seated, granted] = await Promise.allSettled([
      seats && assignSeatsIn(tx, seats, seatEvents.sink),
      applyGrantsIn(tx, grants, grantEvents.sink),
    ]);
    if (seated.status === 'rejected') throw seated.reason;
    if (granted.status === 'rejected') throw granted.reason;
    await outbox.flush(tx, seatEvents, grantEvents);
    return granted.value;
  });
}
