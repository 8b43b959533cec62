import type Stripe from 'stripe';
import { classifyStripeError, createPayments, type Payments } from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * Partial refunds of a captured payment (a downgrade's credit, a goodwill refund), each
 * keyed by the caller's business key: made once however often retried, never more than
 * what is left.
 */
let emulator: StripeEmulator;
let stripe: Stripe;
let payments: Payments;
let customerId: string;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.createClient();
  payments = createPayments({ stripe });
  customerId = await payments.ensureCustomer({ tenantId: 'tenant-partial-refunds' });
});

afterAll(async () => {
  await emulator.close();
});

async function capturedPayment(orderId: string, amount: number): Promise<string> {
  const outcome = await payments.authorize({
    orderId,
    amount,
    currency: 'eur',
    customerId,
    paymentMethod: 'pm_card_visa',
  });
  if (outcome.status !== 'authorized') throw new Error(`not authorized: ${outcome.status}`);
  await payments.capture({ orderId, paymentIntentId: outcome.paymentIntentId });
  return outcome.paymentIntentId;
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the call succeeded');
}

test('when two partial refunds with their own keys are made and one is retried, then two refunds exist with those amounts', async () => {
  const paymentIntentId = await capturedPayment('order-partial', 10_000);
  const credit = { paymentIntentId, amount: 2500, key: 'subscription:sub-p:change:chg-1' };

  const first = await payments.refund(credit);
  const retried = await payments.refund(credit);
  const second = await payments.refund({ paymentIntentId, amount: 1000, key: 'goodwill:ticket-7' });
  const refunds = await stripe.refunds.list({ payment_intent: paymentIntentId });

  expect(retried).toEqual(first);
  expect(first).toMatchObject({ outcome: 'refunded', amount: 2500 });
  expect(second).toMatchObject({ outcome: 'refunded', amount: 1000 });
  expect(refunds.data.map((refund) => refund.amount).sort()).toEqual([1000, 2500]);
  expect(emulator.stats.forIntent(paymentIntentId).refunds).toBe(2);
});

test('when a partial refund asks for more than is left, then Stripe refuses with amount_too_large, not retried', async () => {
  const paymentIntentId = await capturedPayment('order-partial-too-much', 3000);
  await payments.refund({ paymentIntentId, amount: 2000, key: 'credit:a' });

  const error = await rejection(
    payments.refund({ paymentIntentId, amount: 1500, key: 'credit:b' }),
  );

  expect(error).toMatchObject({ code: 'amount_too_large', param: 'amount' });
  expect(classifyStripeError(error)).toMatchObject({
    type: 'PAYMENT.INVALID_REQUEST',
    retryable: false,
  });
});

test('when the rest is refunded after a partial refund, then only what is left is given back', async () => {
  const paymentIntentId = await capturedPayment('order-partial-rest', 5000);
  await payments.refund({ paymentIntentId, amount: 1200, key: 'credit:first' });

  const rest = await payments.refund({ paymentIntentId, orderId: 'order-partial-rest' });
  const again = await payments.refund({ paymentIntentId, key: 'credit:after-all' });

  expect(rest).toMatchObject({ outcome: 'refunded', amount: 3800 });
  expect(again).toEqual({ paymentIntentId, outcome: 'already_refunded' });
});

test('when a refund names both an order and a key, or neither, then the input error names the field', async () => {
  const both = await rejection(
    payments.refund({ paymentIntentId: 'pi_x', orderId: 'order-1', key: 'credit:1' }),
  );
  const neither = await rejection(payments.refund({ paymentIntentId: 'pi_x', amount: 100 }));

  expect(classifyStripeError(both)).toMatchObject({ field: 'key', retryable: false });
  expect(classifyStripeError(neither)).toMatchObject({ field: 'orderId', retryable: false });
});
