import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import {
  classifyStripeError,
  createPayments,
  createStripeClient,
  PaymentInputError,
  PaymentResponseError,
} from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * Each class of failure, produced by the real SDK against the emulator, and what the
 * activities make of it: refusals are not retried, faults of the moment are.
 */
let emulator: StripeEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.createClient();
});

afterEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  await emulator.close();
});

const heldParams: Stripe.PaymentIntentCreateParams = {
  amount: 1000,
  currency: 'eur',
  payment_method: 'pm_card_visa',
  capture_method: 'manual',
  confirm: true,
  automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
};

async function thrownBy(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the call succeeded');
}

describe('classifyStripeError', () => {
  test('when the bank declines, then PAYMENT.CARD_DECLINED, not retried, with the decline code', async () => {
    const error = await thrownBy(() =>
      stripe.paymentIntents.create({
        ...heldParams,
        payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
      }),
    );

    expect(classifyStripeError(error)).toMatchObject({
      known: true,
      type: 'PAYMENT.CARD_DECLINED',
      retryable: false,
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      statusCode: 402,
    });
  });

  test('when Stripe refuses a parameter, then PAYMENT.INVALID_REQUEST, not retried, naming the parameter', async () => {
    const error = await thrownBy(() => stripe.paymentIntents.create({ ...heldParams, amount: 10 }));

    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.INVALID_REQUEST',
      retryable: false,
      code: 'amount_too_small',
      field: 'amount',
    });
  });

  test('when an object does not exist, then PAYMENT.INVALID_REQUEST with resource_missing', async () => {
    const error = await thrownBy(() => stripe.refunds.retrieve('re_missing'));

    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.INVALID_REQUEST',
      retryable: false,
      code: 'resource_missing',
      statusCode: 404,
    });
  });

  test('when our own input check refuses, then PAYMENT.INVALID_REQUEST naming the field', async () => {
    const payments = createPayments({ stripe });
    const error = await thrownBy(() =>
      payments.refund({ orderId: 'o-1', paymentIntentId: 'ch_1', reason: 'duplicate' }),
    );

    expect(error).toBeInstanceOf(PaymentInputError);
    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.INVALID_REQUEST',
      retryable: false,
      field: 'paymentIntentId',
    });
  });

  test('when a key is reused with other parameters, then PAYMENT.IDEMPOTENCY, not retried', async () => {
    await stripe.paymentIntents.create(heldParams, { idempotencyKey: 'classify:reuse' });
    const error = await thrownBy(() =>
      stripe.paymentIntents.create(
        { ...heldParams, amount: 1001 },
        { idempotencyKey: 'classify:reuse' },
      ),
    );

    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.IDEMPOTENCY',
      retryable: false,
    });
  });

  test('when the API key is wrong, then PAYMENT.AUTHENTICATION, not retried', async () => {
    const wrongKey = createStripeClient({ secretKey: 'sk_test_wrong', baseUrl: emulator.url });

    const error = await thrownBy(() => wrongKey.customers.create({}));

    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.AUTHENTICATION',
      retryable: false,
      statusCode: 401,
    });
  });

  test.each([
    ['a 500', { type: 'error-before-write' as const }, 500],
    ['a 503', { type: 'error-before-write' as const, status: 503 }, 503],
    ['a 429', { type: 'rate-limit' as const }, 429],
  ])('when Stripe answers %s, then PAYMENT.TRANSIENT, retried', async (_name, rule, status) => {
    emulator.faults.add({ ...rule, path: '/v1/customers' });

    const error = await thrownBy(() => stripe.customers.create({}));

    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.TRANSIENT',
      retryable: true,
      statusCode: status,
    });
  });

  test('when a concurrent request holds the key (409), then PAYMENT.TRANSIENT, retried', async () => {
    emulator.faults.add({ type: 'delay', path: '/v1/customers', ms: 200 });
    const first = stripe.customers.create({}, { idempotencyKey: 'classify:concurrent' });
    await new Promise((resolve) => setTimeout(resolve, 40));

    const error = await thrownBy(() =>
      stripe.customers.create({}, { idempotencyKey: 'classify:concurrent' }),
    );
    await first;

    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.TRANSIENT',
      retryable: true,
      statusCode: 409,
    });
  });

  test('when Stripe cannot be reached, then PAYMENT.TRANSIENT, retried', async () => {
    const nowhere = createStripeClient({ secretKey: 'sk_test_any', baseUrl: 'http://127.0.0.1:1' });

    const error = await thrownBy(() => nowhere.customers.retrieve('cus_1'));

    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.TRANSIENT',
      retryable: true,
    });
  });

  test('when Stripe answers with a body we cannot read, then PAYMENT.UNEXPECTED_RESPONSE, not retried', async () => {
    const drifted = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'pi_drift', object: 'payment_intent', status: 'on_hold' }));
    });
    await new Promise<void>((resolve) => drifted.listen(0, '127.0.0.1', () => resolve()));
    const { port } = drifted.address() as AddressInfo;
    try {
      const payments = createPayments({
        stripe: createStripeClient({
          secretKey: 'sk_test_any',
          baseUrl: `http://127.0.0.1:${port}`,
        }),
      });

      const error = await thrownBy(() => payments.getAuthorization('pi_drift'));

      expect(error).toBeInstanceOf(PaymentResponseError);
      expect(classifyStripeError(error)).toMatchObject({
        type: 'PAYMENT.UNEXPECTED_RESPONSE',
        retryable: false,
      });
    } finally {
      await new Promise((resolve) => drifted.close(resolve));
    }
  });

  test('when the error is not a payments error at all, then it is marked unknown for the caller to decide', () => {
    expect(classifyStripeError(new RangeError('boom'))).toEqual({
      known: false,
      retryable: true,
      type: 'PAYMENT.UNKNOWN',
      message: 'boom',
    });
  });
});
