import { isLedgerError } from '../../src/ledger';
import { idempotencyKeys } from '../../src/payments';
import { signWebhookPayload } from '../../local/stripe-emulator';
import { orderWorkflowId } from '../../workflows/order-types';
import {
  isFinal,
  planOrder,
  startOrderStack,
  waitForOrder,
  type OrderStack,
  postSignedWebhook,
} from './support/order-stack';

interface CheckoutBody {
  state: string;
  clientSecret?: string;
  declineReason?: string;
}

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

/** How many licenses the tenant holds; a tenant the ledger never saw holds none. */
async function grantsOf(tenantId: string) {
  const entitlements = await stack.services.ledger
    .tenantEntitlements(tenantId)
    .catch((error: unknown) => {
      if (isLedgerError(error) && error.code === 'LEDGER.TENANT_NOT_FOUND') return undefined;
      throw error;
    });
  if (!entitlements) return 0;
  return entitlements.users.flatMap((u) => u.features).length + entitlements.tenantFlags.length;
}

describe('when the card is declined', () => {
  test.each([
    ['pm_card_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ])('with %s, then checkout gets 402 with %s and nothing is granted', async (pm, reason) => {
    const order = planOrder({ paymentMethod: pm });
    const placed = await stack.http.placeOrder<CheckoutBody>(order);

    expect(placed.status).toBe(402);
    expect(placed.body).toMatchObject({ state: 'declined', declineReason: reason });
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('declined');
    expect(done.stepsDone).not.toContain('grant');
    expect(await grantsOf(order.tenantId)).toBe(0);
  });
});

/** How many signals the order's workflow received. */
async function signalsTo(orderId: string) {
  const history = await stack.client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
  return (history.events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes)
    .length;
}

describe('when the card is authorized at once', () => {
  test("then Stripe's amount_capturable_updated is acknowledged without waking the order", async () => {
    const order = planOrder();
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('completed');
    await stack.stripe!.webhooks.idle();

    const events = await stack
      .stripe!.createClient()
      .events.list({ type: 'payment_intent.amount_capturable_updated', limit: 100 });
    const capturable = events.data.find(
      (e) =>
        e.type === 'payment_intent.amount_capturable_updated' &&
        (e.data.object as { id: string }).id === done.payment!.paymentIntentId,
    );
    // Stripe sent it (the authorization made the amount capturable), naming the authorize
    // call that caused it; that call's answer had told the order already, so its
    // workflow was never signalled.
    expect(capturable?.request?.idempotency_key).toBe(idempotencyKeys.authorize(order.orderId));
    expect(await signalsTo(order.orderId)).toBe(0);
  });
});

describe('when the bank asks for 3-D Secure', () => {
  async function placeAwaitingAuthentication() {
    const order = planOrder({ paymentMethod: 'pm_card_authenticationRequired' });
    const placed = await stack.http.placeOrder<CheckoutBody>(order);
    expect(placed.status).toBe(201);
    expect(placed.body.state).toBe('awaiting-authentication');
    expect(placed.body.clientSecret).toMatch(/^pi_.+_secret_/);
    const status = await waitForOrder(stack, order.orderId, (s) => s.payment !== undefined);
    return { order, paymentIntentId: status.payment!.paymentIntentId };
  }

  test('and the customer completes it, then the webhook resumes the order and it completes', async () => {
    const { order, paymentIntentId } = await placeAwaitingAuthentication();
    expect(await grantsOf(order.tenantId)).toBe(0);

    stack.stripe!.authenticate(paymentIntentId, 'succeed');

    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('completed');
    expect(stack.stripe!.stats.forIntent(paymentIntentId).captures).toBe(1);
    expect(await grantsOf(order.tenantId)).toBeGreaterThan(0);
    // Woken by the webhook, not by its deadline (a minute here).
    expect(await signalsTo(order.orderId)).toBeGreaterThanOrEqual(1);
  });

  test('and the customer fails it, then the order ends declined and nothing is granted', async () => {
    const { order, paymentIntentId } = await placeAwaitingAuthentication();

    stack.stripe!.authenticate(paymentIntentId, 'fail');

    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('declined');
    expect(stack.stripe!.stats.forIntent(paymentIntentId).captures).toBe(0);
    expect(await grantsOf(order.tenantId)).toBe(0);
  });

  test('and webhooks arrive duplicated and out of order, then the order completes once', async () => {
    const { order, paymentIntentId } = await placeAwaitingAuthentication();
    stack.stripe!.webhooks.setModes({ duplicate: true, hold: true });
    try {
      stack.stripe!.authenticate(paymentIntentId, 'succeed');
      expect(stack.stripe!.webhooks.heldCount()).toBeGreaterThan(0);
      stack.stripe!.webhooks.setModes({ hold: false });
      stack.stripe!.webhooks.release('reverse');

      const done = await waitForOrder(stack, order.orderId, isFinal);
      expect(done.state).toBe('completed');
      await stack.stripe!.webhooks.idle();
      const counts = stack.stripe!.stats.forIntent(paymentIntentId);
      expect(counts.captures).toBe(1);
      const history = await stack.services.ledger.grantHistory(order.tenantId);
      const grantKeys = history.entries.map((e) => `${e.subjectId}:${e.feature}`);
      expect(new Set(grantKeys).size).toBe(grantKeys.length);
    } finally {
      stack.stripe!.webhooks.setModes({ duplicate: false, hold: false });
    }
  });

  test('and a webhook arrives late, after the order completed, then it is acknowledged and changes nothing', async () => {
    const { order, paymentIntentId } = await placeAwaitingAuthentication();
    stack.stripe!.authenticate(paymentIntentId, 'succeed');
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('completed');
    await stack.stripe!.webhooks.idle();

    // Stripe resends an event it already delivered, long after the order finished.
    const events = await stack.stripe!.createClient().events.list({ limit: 100 });
    const late = events.data.find(
      (e) =>
        e.type === 'payment_intent.amount_capturable_updated' &&
        (e.data.object as { id: string }).id === paymentIntentId,
    );
    expect(late).toBeDefined();
    const response = await postSignedWebhook(stack, late);
    expect(response.status).toBe(200);
    expect((await stack.http.order(order.orderId)).body).toEqual(done);
    expect(stack.stripe!.stats.forIntent(paymentIntentId).captures).toBe(1);
  });

  test('and Stripe sends an event that cannot end the wait, then it is acknowledged without waking the order', async () => {
    const { order, paymentIntentId } = await placeAwaitingAuthentication();
    const signed = async (type: string, request?: { id: string; idempotency_key: string }) =>
      postSignedWebhook<{ routed: boolean }>(stack, {
        id: `evt_${type.replace(/\W/g, '_')}_${order.orderId}`,
        object: 'event',
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        type,
        request: request ?? null,
        data: {
          object: await stack.stripe!.createClient().paymentIntents.retrieve(paymentIntentId),
        },
      });
    const signals = () => signalsTo(order.orderId);

    expect(await signed('payment_intent.requires_action')).toEqual({
      status: 200,
      body: { received: true, routed: false },
    });
    expect(await signals()).toBe(0);
    // A capturable amount that the order's own authorize call caused: its answer said so.
    const ownCall = {
      id: 'req_authorize',
      idempotency_key: idempotencyKeys.authorize(order.orderId),
    };
    expect(await signed('payment_intent.amount_capturable_updated', ownCall)).toEqual({
      status: 200,
      body: { received: true, routed: false },
    });
    expect(await signals()).toBe(0);
    // A failure can end the wait: that one reaches the order (which re-reads the intent).
    expect((await signed('payment_intent.payment_failed')).body.routed).toBe(true);
    expect(await signals()).toBe(1);
    // Woken, it re-read the intent, which still waits for the customer.
    stack.stripe!.authenticate(paymentIntentId, 'succeed');
    expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');
  });

  test('and the customer never completes it, then the order is cancelled at the deadline and the hold released', async () => {
    const quick = await startOrderStack({ ORDER_AUTHENTICATION_TIMEOUT_MS: '1500' });
    try {
      const order = planOrder({ paymentMethod: 'pm_card_authenticationRequired' });
      expect((await quick.http.placeOrder(order)).status).toBe(201);

      const done = await waitForOrder(quick, order.orderId, isFinal);
      expect(done.state).toBe('compensated');
      expect(done.error?.message).toMatch(/3-D Secure/);
      const intent = await quick
        .stripe!.createClient()
        .paymentIntents.retrieve(done.payment!.paymentIntentId);
      expect(intent.status).toBe('canceled');
    } finally {
      await quick.close();
    }
  });
});

describe('the Stripe webhook endpoint', () => {
  test('when the signature is forged, then it answers 400 and routes nothing', async () => {
    const payload = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'payment_intent.succeeded',
    });
    const response = await fetch(`${stack.api.url}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signWebhookPayload(payload, 'whsec_not_the_secret'),
      },
      body: payload,
    });
    expect(response.status).toBe(400);
  });

  test.each([
    ['one the ledger cannot hold', 'not one of ours!'],
    ['one it never saw', 'order-from-elsewhere'],
  ])(
    'when an intent names an order id that is %s, then the event is acknowledged and routed nowhere',
    async (_, orderId) => {
      const intent = await stack.stripe!.createClient().paymentIntents.create({
        amount: 1000,
        currency: 'eur',
        metadata: { order_id: orderId },
      });
      for (const type of ['payment_intent.amount_capturable_updated', 'payment_intent.canceled']) {
        const response = await postSignedWebhook(stack, {
          id: `evt_${type.replace(/\W/g, '_')}_${intent.id}`,
          object: 'event',
          created: Math.floor(Date.now() / 1000),
          livemode: false,
          type,
          data: { object: intent },
        });
        // Another integration on the same Stripe account may set this metadata too.
        expect(response).toEqual({ status: 200, body: { received: true, routed: false } });
      }
    },
  );
});
