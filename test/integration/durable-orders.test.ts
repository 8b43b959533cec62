import {
  addonOrder,
  isFinal,
  planOrder,
  startOrderStack,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

interface ErrorBody {
  error: { code: string; message: string; fields?: { path: string }[] };
}

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Every run Temporal has of the order's workflow (open or closed). */
async function runsOf(orderId: string) {
  const runs = [];
  for await (const run of stack.client.workflow.list({
    query: `WorkflowId = 'order-${orderId}'`,
  })) {
    runs.push(run);
  }
  return runs;
}

/** Temporal's retention, simulated: the workflow and its history are gone. */
async function forgetWorkflow(orderId: string) {
  await stack.client.workflowService.deleteWorkflowExecution({
    namespace: stack.config.TEMPORAL_NAMESPACE,
    workflowExecution: { workflowId: `order-${orderId}` },
  });
  // Deletion is asynchronous in Temporal (a system workflow): on a busy server it can
  // take tens of seconds before the execution stops being found.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const exists = await stack.client.workflow
      .getHandle(`order-${orderId}`)
      .describe()
      .then(() => true)
      .catch(() => false);
    if (!exists) return;
    if (Date.now() > deadline) throw new Error(`order-${orderId} was not deleted`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const authorizations = () => stack.stripe!.stats.snapshot().totals.paymentIntents;

describe('orders live in the ledger', () => {
  test('when an order completes, then the ledger holds it with its request fingerprint and its final state', async () => {
    const order = planOrder();
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const done = await waitForOrder(stack, order.orderId, isFinal);

    const stored = await stack.services.ledger.getOrder(order.orderId);
    expect(stored).toMatchObject({
      tenantId: order.tenantId,
      kind: 'plan',
      productKey: order.plan,
      state: 'completed',
      paymentIntentId: done.payment!.paymentIntentId,
      subscriptionId: done.subscriptionId,
    });
    expect(stored!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each([
    ['seats', { seats: 3 }],
    ['period', { period: 'year' }],
    ['assignTo', { assignTo: ['alice', 'bob'] }],
    ['paymentMethod', { paymentMethod: 'pm_card_mastercard' }],
    ['customer.email', { customer: { email: 'other@example.com' } }],
  ])(
    'when the same order id comes again with another %s, then 409 names that field and nothing more is authorized',
    async (field, change) => {
      const order = planOrder();
      expect((await stack.http.placeOrder(order)).status).toBe(201);
      await waitForOrder(stack, order.orderId, isFinal);
      const before = authorizations();

      const again = await stack.http.placeOrder<ErrorBody>({ ...order, ...change });

      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('ORDER.CONFLICT');
      expect(again.body.error.message).toContain(field);
      expect(authorizations()).toBe(before);
    },
  );

  test('when an add-on order comes again with other settings, then 409 names settings', async () => {
    const order = addonOrder('calendar-sync');
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const again = await stack.http.placeOrder<ErrorBody>({
      ...order,
      settings: { provider: 'm365', settings: { tenantDomain: 'fabrikam.com' } },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('settings.settings.tenantDomain');
  });

  test('when another tenant reuses an order id, then 409 names the field but neither the first tenant nor its product', async () => {
    const order = planOrder({ plan: 'marketing-premium' });
    expect((await stack.http.placeOrder(order)).status).toBe(201);

    const other = planOrder({ orderId: order.orderId, plan: 'sales-essentials' });
    const again = await stack.http.placeOrder<ErrorBody>(other);

    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('tenantId');
    expect(again.body.error.message).not.toContain(order.tenantId);
    expect(again.body.error.message).not.toContain('marketing-premium');
  });

  test('when a finished order is placed again, then it answers its state and no second run starts', async () => {
    const order = planOrder();
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    await waitForOrder(stack, order.orderId, isFinal);

    const again = await stack.http.placeOrder<{ state: string }>(order);

    expect(again.status).toBe(201);
    expect(again.body.state).toBe('completed');
    expect(await runsOf(order.orderId)).toHaveLength(1);
  }, 150_000);

  test('when Temporal no longer has the order (retention), then GET answers from the ledger and a repeated checkout starts nothing', async () => {
    const order = planOrder();
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    await forgetWorkflow(order.orderId);
    const before = authorizations();

    const read = await stack.http.order(order.orderId);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      orderId: order.orderId,
      state: 'completed',
      payment: { paymentIntentId: done.payment!.paymentIntentId, captured: true },
    });

    const again = await stack.http.placeOrder<{ state: string }>(order);
    expect(again.status).toBe(201);
    expect(again.body.state).toBe('completed');
    expect(await runsOf(order.orderId)).toHaveLength(0);
    expect(authorizations()).toBe(before);

    const changed = await stack.http.placeOrder<ErrorBody>({ ...order, seats: 5 });
    expect(changed.status).toBe(409);
  });
});

describe('a repeated checkout answers the order as it is now', () => {
  test('when a 3-D Secure order has completed, then checkout again answers completed, without a client secret', async () => {
    const order = planOrder({ paymentMethod: 'pm_card_authenticationRequired' });
    const placed = await stack.http.placeOrder<{ state: string; clientSecret?: string }>(order);
    expect(placed.body.state).toBe('awaiting-authentication');
    const waiting = await waitForOrder(stack, order.orderId, (s) => s.payment !== undefined);
    stack.stripe!.authenticate(waiting.payment!.paymentIntentId, 'succeed');
    await waitForOrder(stack, order.orderId, isFinal);

    const again = await stack.http.placeOrder<{ state: string; clientSecret?: string }>(order);

    expect(again.status).toBe(201);
    expect(again.body.state).toBe('completed');
    expect(again.body.clientSecret).toBeUndefined();
  });
});

describe('checkout refuses what the ledger or the payment layer would refuse, before any card hold', () => {
  test('when the payment method is not a PaymentMethod id, then 400 names paymentMethod and nothing starts', async () => {
    const order = planOrder({ paymentMethod: 'tok_visa' });
    const before = authorizations();
    const placed = await stack.http.placeOrder<ErrorBody>(order);
    expect(placed.status).toBe(400);
    expect(placed.body.error.fields?.map((f) => f.path)).toContain('paymentMethod');
    expect(authorizations()).toBe(before);
    expect(await runsOf(order.orderId)).toHaveLength(0);
  });

  test('when the seats cost more than the payment layer accepts, then 400 names seats and nothing starts', async () => {
    const order = planOrder({ plan: 'sales-premium', seats: 10_000, period: 'year', assignTo: [] });
    const placed = await stack.http.placeOrder<ErrorBody>(order);
    expect(placed.status).toBe(400);
    expect(placed.body.error.fields?.map((f) => f.path)).toContain('seats');
    expect(await runsOf(order.orderId)).toHaveLength(0);
  });

  test('when an assigned user already holds the plan, then 409 names assignTo and no card is held', async () => {
    const first = planOrder({ assignTo: ['alice'] });
    expect((await stack.http.placeOrder(first)).status).toBe(201);
    expect((await waitForOrder(stack, first.orderId, isFinal)).state).toBe('completed');
    const before = authorizations();

    const second = planOrder({ tenantId: first.tenantId, assignTo: ['bob', 'alice'] });
    const placed = await stack.http.placeOrder<ErrorBody>(second);

    expect(placed.status).toBe(409);
    expect(placed.body.error.fields?.map((f) => f.path)).toContain('assignTo');
    expect(placed.body.error.message).toContain('alice');
    expect(authorizations()).toBe(before);
    expect(await runsOf(second.orderId)).toHaveLength(0);
    // Refused whole: the ledger has no order to answer for or reconcile.
    expect(await stack.services.ledger.getOrder(second.orderId)).toBeNull();
  });

  test('when a customer names a Stripe customer id, then 400 says it is not accepted', async () => {
    const order = planOrder({ customer: { stripeCustomerId: 'cus_someone_else' } });
    const placed = await stack.http.placeOrder<ErrorBody>(order);
    expect(placed.status).toBe(400);
    expect(placed.body.error.fields?.map((f) => f.path)).toContain('customer');
  });
});

describe('checkout never hangs', () => {
  test('when the worker is down, then checkout and ops answer 202 with the order as the ledger knows it, in time', async () => {
    const idle = await startOrderStack({ CHECKOUT_ANSWER_TIMEOUT_MS: '1500' }, { worker: false });
    try {
      const order = planOrder();
      const started = Date.now();
      const placed = await idle.http.placeOrder<{ orderId: string; state: string }>(order);
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(placed.status).toBe(202);
      expect(placed.body).toMatchObject({ orderId: order.orderId, state: 'received' });

      const read = await idle.http.order(order.orderId);
      expect(read.status).toBe(200);
      expect(read.body.state).toBe('received');

      const abortStarted = Date.now();
      const abort = await idle.http.ops('abort', order.orderId);
      expect(Date.now() - abortStarted).toBeLessThan(8_000);
      expect([202, 409]).toContain(abort.status);
    } finally {
      await idle.close();
    }
  });
});
