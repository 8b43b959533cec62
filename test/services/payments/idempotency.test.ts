import Stripe from 'stripe';
import { classifyStripeError, createPayments, type Payments } from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * Stripe's idempotency layer as the emulator keeps it, and the faults it exists for: an
 * answer lost after the write, retried with the same key, must not authorize twice.
 */
let emulator: StripeEmulator;
let stripe: Stripe;
let payments: Payments;
let customerId: string;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.createClient();
  payments = createPayments({ stripe });
  customerId = await payments.ensureCustomer({ tenantId: 'tenant-idempotency' });
});

afterEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  await emulator.close();
});

const order = (orderId: string, overrides: { amount?: number; paymentMethod?: string } = {}) => ({
  orderId,
  amount: overrides.amount ?? 6100,
  currency: 'eur',
  customerId,
  paymentMethod: overrides.paymentMethod ?? 'pm_card_visa',
});

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the call succeeded');
}

function authorizedId(outcome: Awaited<ReturnType<Payments['authorize']>>): string {
  if (outcome.status !== 'authorized')
    throw new Error(`expected authorized, got ${outcome.status}`);
  return outcome.paymentIntentId;
}

describe('idempotent replay', () => {
  test('when a request is repeated with its key, then the stored answer is replayed with Idempotent-Replayed and one authorization is counted', async () => {
    const params = {
      amount: 2000,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      capture_method: 'manual' as const,
      confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' as const },
    };
    const key = 'order:replay-raw:authorize';

    const first = await stripe.paymentIntents.create(params, { idempotencyKey: key });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: key });

    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(emulator.stats.forIntent(first.id).authorizations).toBe(1);
  });

  test('when a declined authorization is repeated, then the decline is replayed, not retried at the bank', async () => {
    const input = order('order-replay-decline', { paymentMethod: 'pm_card_chargeDeclined' });

    const first = await payments.authorize(input);
    const second = await payments.authorize(input);

    expect(second).toEqual(first);
    expect(first).toMatchObject({ status: 'declined', declineCode: 'generic_decline' });
    expect(emulator.stats.forIntent(first.paymentIntentId ?? '').declines).toBe(1);
  });

  test('when an order is authorized again with another amount, then Stripe refuses with idempotency_error, which is not retried', async () => {
    await payments.authorize(order('order-changed'));

    const error = await rejection(payments.authorize(order('order-changed', { amount: 6200 })));

    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.IDEMPOTENCY',
      retryable: false,
    });
  });

  test('when a second request with a key arrives while the first is still running, then it gets 409, retryable, and the first completes alone', async () => {
    emulator.faults.add({ type: 'delay', method: 'POST', path: '/v1/payment_intents', ms: 300 });

    const first = payments.authorize(order('order-concurrent'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const concurrent = await rejection(payments.authorize(order('order-concurrent')));
    const id = authorizedId(await first);

    expect(concurrent).toMatchObject({ statusCode: 409, rawType: 'idempotency_error' });
    expect(classifyStripeError(concurrent)).toMatchObject({
      type: 'PAYMENT.TRANSIENT',
      retryable: true,
    });
    expect(emulator.stats.forIntent(id).authorizations).toBe(1);
  });
});

describe('faults', () => {
  test('when the answer is a 500 after the write, then a retry with the same key gets the intent that was made, and one authorization exists', async () => {
    emulator.faults.add({ type: 'error-after-write', method: 'POST', path: '/v1/payment_intents' });
    const before = emulator.stats.get('authorizations');

    const failed = await rejection(payments.authorize(order('order-500-after')));
    const retried = await payments.authorize(order('order-500-after'));

    expect(classifyStripeError(failed)).toMatchObject({
      type: 'PAYMENT.TRANSIENT',
      retryable: true,
    });
    expect(emulator.stats.forIntent(authorizedId(retried)).authorizations).toBe(1);
    expect(emulator.stats.get('authorizations')).toBe(before + 1);
  });

  test('when the answer is a 500 before the write, then nothing was made and the retry authorizes once', async () => {
    emulator.faults.add({
      type: 'error-before-write',
      method: 'POST',
      path: '/v1/payment_intents',
      times: 2,
    });
    const before = emulator.stats.get('paymentIntents');

    await rejection(payments.authorize(order('order-500-before')));
    await rejection(payments.authorize(order('order-500-before')));
    const retried = await payments.authorize(order('order-500-before'));

    expect(retried.status).toBe('authorized');
    expect(emulator.stats.get('paymentIntents')).toBe(before + 1);
  });

  test('when the connection drops after the write, then the SDK resends once with the same key and gets the replay', async () => {
    emulator.faults.add({ type: 'drop-after-write', method: 'POST', path: '/v1/payment_intents' });
    const replaysBefore = emulator.stats.get('replays');

    const outcome = await payments.authorize(order('order-drop-after'));

    expect(emulator.stats.forIntent(authorizedId(outcome)).authorizations).toBe(1);
    expect(emulator.stats.get('replays')).toBe(replaysBefore + 1);
  });

  test('when the connection keeps dropping, then the client throws a connection error classified transient', async () => {
    emulator.faults.add({
      type: 'drop-before-write',
      method: 'POST',
      path: '/v1/payment_intents',
      times: 2,
    });
    const before = emulator.stats.get('paymentIntents');

    const error = await rejection(payments.authorize(order('order-drop-before')));

    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.TRANSIENT',
      retryable: true,
    });
    expect(emulator.stats.get('paymentIntents')).toBe(before);
  });

  test('when Stripe rate-limits, then the 429 is classified transient and nothing was made', async () => {
    emulator.faults.add({ type: 'rate-limit', path: '/v1/payment_intents' });
    const before = emulator.stats.get('paymentIntents');

    const error = await rejection(payments.authorize(order('order-429')));

    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.TRANSIENT',
      retryable: true,
    });
    expect(emulator.stats.get('paymentIntents')).toBe(before);
  });

  test('when a capture answer is lost after the write, then the retried capture succeeds and the money is captured once', async () => {
    const paymentIntentId = authorizedId(await payments.authorize(order('order-capture-lost')));
    emulator.faults.add({
      type: 'error-after-write',
      path: `/v1/payment_intents/${paymentIntentId}/capture`,
    });

    await rejection(payments.capture({ orderId: 'order-capture-lost', paymentIntentId }));
    const retried = await payments.capture({ orderId: 'order-capture-lost', paymentIntentId });

    expect(retried).toMatchObject({ amountReceived: 6100 });
    expect(emulator.stats.forIntent(paymentIntentId).captures).toBe(1);
  });

  test('when a fault rule names a method, then other methods on that path are untouched', async () => {
    const paymentIntentId = authorizedId(await payments.authorize(order('order-fault-method')));
    emulator.faults.add({
      type: 'error-before-write',
      method: 'POST',
      path: '/v1/payment_intents',
    });

    const read = await payments.getAuthorization(paymentIntentId);

    expect(read.status).toBe('authorized');
    expect(emulator.faults.list()).toHaveLength(1);
  });
});
