import Stripe from 'stripe';
import { createPayments, type Payments } from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * PaymentIntent and refund rules as Stripe enforces them, seen through the real SDK: what
 * our compensation logic relies on (a second capture is refused, a captured intent
 * cannot be canceled, a refund cannot exceed what was captured).
 */
let emulator: StripeEmulator;
let stripe: Stripe;
let payments: Payments;
let customerId: string;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.createClient();
  payments = createPayments({ stripe });
  customerId = await payments.ensureCustomer({ tenantId: 'tenant-rules' });
});

afterAll(async () => {
  await emulator.close();
});

/** An intent holding `amount`, made with the raw SDK (no idempotency key of ours). */
async function heldIntent(amount = 3000): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create({
    amount,
    currency: 'eur',
    customer: customerId,
    payment_method: 'pm_card_visa',
    capture_method: 'manual',
    confirm: true,
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
  });
}

async function stripeError(
  call: Promise<unknown>,
): Promise<InstanceType<typeof Stripe.errors.StripeError>> {
  try {
    await call;
  } catch (error: unknown) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('PaymentIntent states', () => {
  test('when an intent is created without a card, then it waits for a payment method and checkout gets the client secret', async () => {
    const outcome = await payments.authorize({
      orderId: 'order-no-card',
      amount: 1200,
      currency: 'eur',
      customerId,
    });
    if (outcome.status !== 'requires_action') throw new Error(`unexpected ${outcome.status}`);
    const intent = await stripe.paymentIntents.retrieve(outcome.paymentIntentId);

    expect(intent.status).toBe('requires_payment_method');
    expect(outcome.clientSecret).toBe(intent.client_secret);
  });

  test('when an intent with a card is confirmed later, then it moves from requires_confirmation to requires_capture', async () => {
    const created = await stripe.paymentIntents.create({
      amount: 1200,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    const confirmed = await stripe.paymentIntents.confirm(created.id);

    expect(created.status).toBe('requires_confirmation');
    expect(confirmed).toMatchObject({ status: 'requires_capture', amount_capturable: 1200 });
  });

  test('when a confirm could redirect the customer and gives no return_url, then Stripe refuses it naming return_url', async () => {
    const error = await stripeError(
      stripe.paymentIntents.create({
        amount: 1200,
        currency: 'eur',
        payment_method: 'pm_card_visa',
        confirm: true,
      }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.param).toBe('return_url');
  });

  test('when a held intent is captured twice, then the second capture is refused with payment_intent_unexpected_state', async () => {
    const intent = await heldIntent();
    await stripe.paymentIntents.capture(intent.id);

    const error = await stripeError(stripe.paymentIntents.capture(intent.id));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    expect(emulator.stats.forIntent(intent.id).captures).toBe(1);
  });

  test('when a canceled intent is captured, then the capture is refused and nothing is received', async () => {
    const intent = await heldIntent();
    await stripe.paymentIntents.cancel(intent.id);

    const error = await stripeError(stripe.paymentIntents.capture(intent.id));
    const after = await stripe.paymentIntents.retrieve(intent.id);

    expect(error.code).toBe('payment_intent_unexpected_state');
    expect(after).toMatchObject({ status: 'canceled', amount_received: 0 });
  });

  test('when a succeeded intent is canceled, then the cancel is refused', async () => {
    const intent = await heldIntent();
    await stripe.paymentIntents.capture(intent.id);

    const error = await stripeError(stripe.paymentIntents.cancel(intent.id));

    expect(error.code).toBe('payment_intent_unexpected_state');
    expect(error.message).toContain('status of succeeded');
  });

  test('when part of a hold is captured, then only that part is received, and more than the hold is refused', async () => {
    const intent = await heldIntent(5000);

    const tooMuch = await stripeError(
      stripe.paymentIntents.capture(intent.id, { amount_to_capture: 5001 }),
    );
    const partial = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3000 });

    expect(tooMuch.param).toBe('amount_to_capture');
    expect(partial).toMatchObject({
      status: 'succeeded',
      amount_received: 3000,
      amount_capturable: 0,
    });
  });

  test('when an unknown intent is retrieved, then 404 resource_missing', async () => {
    const error = await stripeError(stripe.paymentIntents.retrieve('pi_doesnotexist'));

    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});

describe('refund limits', () => {
  test('when an uncaptured intent is refunded, then Stripe refuses: the hold is released by canceling', async () => {
    const intent = await heldIntent();

    const error = await stripeError(stripe.refunds.create({ payment_intent: intent.id }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(emulator.stats.forIntent(intent.id).refunds).toBe(0);
  });

  test('when refunds add up past what was captured, then the one going over is refused naming amount', async () => {
    const intent = await heldIntent(4000);
    await stripe.paymentIntents.capture(intent.id);

    await stripe.refunds.create({ payment_intent: intent.id, amount: 2500 });
    const over = await stripeError(
      stripe.refunds.create({ payment_intent: intent.id, amount: 1501 }),
    );
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    const again = await stripeError(stripe.refunds.create({ payment_intent: intent.id }));

    expect(over).toMatchObject({ code: 'amount_too_large', param: 'amount' });
    expect(rest.amount).toBe(1500);
    expect(again.code).toBe('charge_already_refunded');
  });
});

describe('the payments client at the edges of the states', () => {
  test('when a capture is repeated after its answer was lost and its key expired, then it reports the earlier capture as success', async () => {
    const intent = await heldIntent(2200);
    await stripe.paymentIntents.capture(intent.id);

    const result = await payments.capture({
      orderId: 'order-captured-elsewhere',
      paymentIntentId: intent.id,
    });

    expect(result).toEqual({
      paymentIntentId: intent.id,
      amountReceived: 2200,
      alreadyCaptured: true,
    });
    expect(emulator.stats.forIntent(intent.id).captures).toBe(1);
  });

  test('when an intent canceled elsewhere is canceled again, then it is already canceled, not an error', async () => {
    const intent = await heldIntent();
    await stripe.paymentIntents.cancel(intent.id);

    const result = await payments.releasePayment({
      orderId: 'order-canceled-elsewhere',
      paymentIntentId: intent.id,
    });

    expect(result.outcome).toBe('already_canceled');
  });

  test('when a full refund is asked for a charge refunded already, then it is already refunded, not an error', async () => {
    const intent = await heldIntent();
    await stripe.paymentIntents.capture(intent.id);
    await stripe.refunds.create({ payment_intent: intent.id });

    const result = await payments.refund({
      orderId: 'order-refunded-elsewhere',
      paymentIntentId: intent.id,
      reason: 'requested_by_customer',
    });

    expect(result).toEqual({ paymentIntentId: intent.id, outcome: 'already_refunded' });
    expect(emulator.stats.forIntent(intent.id).refunds).toBe(1);
  });

  test('when a canceled intent is captured by the client, then the refusal is thrown for the order to handle', async () => {
    const intent = await heldIntent();
    await stripe.paymentIntents.cancel(intent.id);

    const failure = payments.capture({
      orderId: 'order-capture-canceled',
      paymentIntentId: intent.id,
    });

    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  test('when an input is bad, then nothing is sent and the error names the field', async () => {
    const before = emulator.stats.get('requests');

    const failure = payments.authorize({
      orderId: 'order bad',
      amount: 10,
      currency: 'eur',
      customerId,
      paymentMethod: 'pm_card_visa',
    });

    await expect(failure).rejects.toMatchObject({ name: 'PaymentInputError', field: 'orderId' });
    expect(emulator.stats.get('requests')).toBe(before);
  });
});
