import { randomUUID } from 'node:crypto';
import {
  heldLicenses,
  isFinal,
  planOrder,
  startOrderStack,
  waitForOrder,
  type OrderStack,
  postSignedWebhook,
} from './support/order-stack';

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

async function completedOrder() {
  const order = planOrder({ assignTo: ['alice'] });
  expect((await stack.http.placeOrder(order)).status).toBe(201);
  const done = await waitForOrder(stack, order.orderId, isFinal);
  expect(done.state).toBe('completed');
  expect(await heldLicenses(stack, order.tenantId)).not.toEqual([]);
  return { order, done, paymentIntentId: done.payment!.paymentIntentId };
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the ledger did not change in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const statusOf = async (subscriptionId: string) =>
  (await stack.services.ledger.getSubscription(subscriptionId))?.status;

/** Posts a signed event to the webhook endpoint, as Stripe would. */
async function deliver(event: Record<string, unknown>) {
  expect((await postSignedWebhook(stack, event)).status).toBe(200);
}

function disputeEvent(
  type: 'charge.dispute.created' | 'charge.dispute.closed',
  paymentIntentId: string,
  disputeId: string,
  status: string,
) {
  return {
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: {
      object: {
        id: disputeId,
        object: 'dispute',
        charge: `ch_${paymentIntentId}`,
        payment_intent: paymentIntentId,
        amount: 4900,
        currency: 'eur',
        status,
      },
    },
  };
}

const paymentEvents = (orderId: string) =>
  stack.services.ledger.db.query<{ stripe_event_id: string; type: string; action: string }>(
    'SELECT stripe_event_id, type, action FROM payment_events WHERE order_id = $1 ORDER BY received_at',
    [orderId],
  );

describe('refunds made outside the product', () => {
  test('when a payment is refunded in full in Stripe, then the licenses are revoked and the subscription ended, once', async () => {
    const { order, done, paymentIntentId } = await completedOrder();

    await stack.stripe!.createClient().refunds.create({ payment_intent: paymentIntentId });

    await until(async () => (await statusOf(done.subscriptionId)) === 'ended');
    expect(await heldLicenses(stack, order.tenantId)).toEqual([]);
    const recorded = await paymentEvents(order.orderId);
    expect(recorded).toEqual([
      expect.objectContaining({ type: 'charge.refunded', action: 'ended' }),
    ]);

    // Stripe resends the same event: acknowledged, nothing applied twice.
    await stack.stripe!.webhooks.idle();
    const events = await stack.stripe!.createClient().events.list({ type: 'charge.refunded' });
    const sent = events.data.find((e) => e.id === recorded[0].stripe_event_id);
    await deliver(sent as unknown as Record<string, unknown>);
    expect(await paymentEvents(order.orderId)).toHaveLength(1);
  });

  test('when a payment is refunded in part, then the licenses stay and the refund is recorded', async () => {
    const { order, done, paymentIntentId } = await completedOrder();

    await stack
      .stripe!.createClient()
      .refunds.create({ payment_intent: paymentIntentId, amount: 100 });

    await until(async () => (await paymentEvents(order.orderId)).length === 1);
    expect(await paymentEvents(order.orderId)).toEqual([
      expect.objectContaining({ type: 'charge.refunded', action: 'kept' }),
    ]);
    expect(await statusOf(done.subscriptionId)).toBe('active');
    expect(await heldLicenses(stack, order.tenantId)).not.toEqual([]);
  });
});

describe('disputes', () => {
  test('when a dispute opens, then the licenses are suspended; when it is won, they are back', async () => {
    const { order, done, paymentIntentId } = await completedOrder();
    const disputeId = `dp_${randomUUID().slice(0, 8)}`;

    await deliver(
      disputeEvent('charge.dispute.created', paymentIntentId, disputeId, 'needs_response'),
    );
    expect(await statusOf(done.subscriptionId)).toBe('suspended');
    expect(await heldLicenses(stack, order.tenantId)).toEqual([]);

    await deliver(disputeEvent('charge.dispute.closed', paymentIntentId, disputeId, 'won'));
    expect(await statusOf(done.subscriptionId)).toBe('active');
    expect(await heldLicenses(stack, order.tenantId)).not.toEqual([]);
    expect((await paymentEvents(order.orderId)).map((e) => e.action)).toEqual([
      'suspended',
      'reinstated',
    ]);
  });

  test('when a dispute is lost, then the licenses are revoked and the subscription ended', async () => {
    const { order, done, paymentIntentId } = await completedOrder();
    const disputeId = `dp_${randomUUID().slice(0, 8)}`;

    await deliver(
      disputeEvent('charge.dispute.created', paymentIntentId, disputeId, 'needs_response'),
    );
    await deliver(disputeEvent('charge.dispute.closed', paymentIntentId, disputeId, 'lost'));

    expect(await statusOf(done.subscriptionId)).toBe('ended');
    expect(await heldLicenses(stack, order.tenantId)).toEqual([]);
    const history = await stack.services.ledger.grantHistory(order.tenantId);
    expect(history.entries.every((entry) => entry.revokedAt !== null)).toBe(true);
  });
});
