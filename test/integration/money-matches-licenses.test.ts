import type { OrderStatus } from '../../workflows/order-types';
import {
  addonOrder,
  heldLicenses,
  isFinal,
  planOrder,
  startOrderStack,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => {
  stack.stripe!.faults.clear();
  stack.simulators!.cep.faults.clear();
});

const needsAttention = (s: OrderStatus) => s.state === 'needs-attention';

/** The order's PaymentIntents as Stripe has them, found by the order's business id. */
async function intentsOf(order: { orderId: string; tenantId: string }) {
  const customerId = await stack.services.ledger.getStripeCustomer(order.tenantId);
  expect(customerId).not.toBeNull();
  const stripe = stack.stripe!.createClient();
  const intents = await stripe.paymentIntents.list({ customer: customerId!, limit: 100 });
  return intents.data.filter((intent) => intent.metadata.order_id === order.orderId);
}

describe('licenses count only once paid', () => {
  test('when the capture keeps failing, then the granted licenses do not count while the order waits, and count once it is paid', async () => {
    stack.stripe!.faults.add({
      type: 'error-before-write',
      method: 'POST',
      path: '/v1/payment_intents/',
      times: 2,
    });
    const order = planOrder({ assignTo: ['alice'] });
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const parked = await waitForOrder(stack, order.orderId, needsAttention);
    expect(parked.attention?.step).toBe('capture');

    expect(await heldLicenses(stack, order.tenantId)).toEqual([]);
    const history = await stack.services.ledger.grantHistory(order.tenantId);
    expect(history.entries.length).toBeGreaterThan(0);
    expect((await stack.services.ledger.getSubscription(parked.subscriptionId))?.status).toBe(
      'pending',
    );

    expect((await stack.http.ops('retry', order.orderId)).status).toBe(200);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('completed');
    expect(await heldLicenses(stack, order.tenantId)).toContain('alice:contact-management');
    const periods = await stack.services.ledger.db.query(
      'SELECT paid_by, payment_intent_id FROM subscription_periods WHERE subscription_id = $1',
      [done.subscriptionId],
    );
    expect(periods).toEqual([
      { paid_by: order.orderId, payment_intent_id: done.payment!.paymentIntentId },
    ]);
  });
});

describe('no card hold is left behind', () => {
  test("when the authorization's answer is lost and ops aborts, then the hold Stripe made is found by the order id and cancelled", async () => {
    stack.stripe!.faults.add({
      type: 'error-after-write',
      method: 'POST',
      path: '/v1/payment_intents',
      times: 2,
    });
    const order = planOrder();
    const placed = stack.http.placeOrder(order);
    const parked = await waitForOrder(stack, order.orderId, needsAttention);
    expect(parked.attention?.step).toBe('authorize');
    expect(parked.payment).toBeUndefined();

    expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    await placed;

    expect(done.state).toBe('compensated');
    const intents = await intentsOf(order);
    expect(intents).toHaveLength(1);
    expect(intents[0].status).toBe('canceled');
    expect(done.payment).toMatchObject({
      paymentIntentId: intents[0].id,
      captured: false,
      refunded: false,
    });
  });

  test("when the capture's answer is lost and ops aborts, then the payment is refunded and the order says captured and refunded", async () => {
    stack.stripe!.faults.add({
      type: 'error-after-write',
      method: 'POST',
      path: '/v1/payment_intents/',
      times: 2,
    });
    const order = planOrder();
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const parked = await waitForOrder(stack, order.orderId, needsAttention);
    expect(parked.attention?.step).toBe('capture');

    expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);
    const done = await waitForOrder(stack, order.orderId, isFinal);

    expect(done.state).toBe('compensated');
    const paymentIntentId = done.payment!.paymentIntentId;
    expect(stack.stripe!.stats.forIntent(paymentIntentId)).toMatchObject({
      captures: 1,
      refunds: 1,
    });
    expect(done.payment).toMatchObject({ captured: true, refunded: true });
    const stored = await stack.services.ledger.getOrder(order.orderId);
    expect(stored?.state).toBe('compensated');
    expect(stored?.status?.payment).toMatchObject({ captured: true, refunded: true });
  });
});

describe('one stuck undo does not block the others', () => {
  test('when the portal cannot be deleted, then the licenses are revoked and the hold released anyway, and only the deprovision parks', async () => {
    const cep = stack.simulators!.cep;
    // Captures fail, so the order compensates after its portal was created.
    stack.stripe!.faults.add({
      type: 'error-before-write',
      method: 'POST',
      path: '/v1/payment_intents/',
      times: 2,
    });
    const order = addonOrder('cep');
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    await waitForOrder(
      stack,
      order.orderId,
      (s) => needsAttention(s) && s.attention?.step === 'capture',
    );
    cep.faults.outage(503);

    expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);
    const stuck = await waitForOrder(
      stack,
      order.orderId,
      (s) => needsAttention(s) && s.attention?.phase === 'compensation',
    );

    expect(stuck.attention?.step).toBe('deprovision');
    expect(stuck.compensationsDone).toEqual(['revoke-licenses', 'release-payment']);
    expect(await heldLicenses(stack, order.tenantId)).toEqual([]);
    const intent = await stack
      .stripe!.createClient()
      .paymentIntents.retrieve(stuck.payment!.paymentIntentId);
    expect(intent.status).toBe('canceled');

    cep.faults.clear();
    expect((await stack.http.ops('retry', order.orderId)).status).toBe(200);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('compensated');
    expect(done.compensationsDone).toEqual(['revoke-licenses', 'release-payment', 'deprovision']);
    expect(cep.resources().filter((p) => p.tenantId === order.tenantId)).toEqual([]);
  });
});

describe("the tenant's Stripe customer", () => {
  test('when a tenant orders again with another email, then its customer is the one the ledger keeps and its email is not overwritten', async () => {
    const first = planOrder({ customer: { email: 'first@example.com' } });
    expect((await stack.http.placeOrder(first)).status).toBe(201);
    await waitForOrder(stack, first.orderId, isFinal);
    const customerId = await stack.services.ledger.getStripeCustomer(first.tenantId);
    expect(customerId).toMatch(/^cus_/);

    const second = planOrder({
      tenantId: first.tenantId,
      plan: 'service-essentials',
      customer: { email: 'second@example.com' },
    });
    expect((await stack.http.placeOrder(second)).status).toBe(201);
    const done = await waitForOrder(stack, second.orderId, isFinal);

    const intent = await stack
      .stripe!.createClient()
      .paymentIntents.retrieve(done.payment!.paymentIntentId);
    expect(intent.customer).toBe(customerId);
    const customer = await stack.stripe!.createClient().customers.retrieve(customerId!);
    expect(customer).toMatchObject({ email: 'first@example.com' });
  });
});
