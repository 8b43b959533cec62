import type Stripe from 'stripe';
import {
  classifyStripeError,
  createPayments,
  type Charge,
  type Payments,
} from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * Renewals and prorated upgrades charge the saved card with nobody there: the charge is
 * captured at once, a decline (also a card that needs authentication) comes back as an
 * outcome for dunning, and a retried call with the same business ids charges once.
 */
let emulator: StripeEmulator;
let stripe: Stripe;
let payments: Payments;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.createClient();
  payments = createPayments({ stripe });
});

afterEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  await emulator.close();
});

let tenants = 0;

/** A customer whose card was saved at checkout, as savePaymentMethod leaves it. */
async function customerWithCard(
  card: string,
): Promise<{ customerId: string; paymentMethod: string }> {
  const customerId = await payments.ensureCustomer({ tenantId: `tenant-renewal-${++tenants}` });
  const saved = await payments.savePaymentMethod({ customerId, paymentMethod: card });
  if (saved.status !== 'saved') throw new Error(`card not saved: ${saved.code}`);
  return { customerId, paymentMethod: saved.paymentMethodId };
}

const renewal = (
  customer: { customerId: string; paymentMethod?: string },
  overrides: { subscriptionId?: string; attempt?: number; amount?: number } = {},
) => ({
  subscriptionId: overrides.subscriptionId ?? `sub-${tenants}`,
  periodStart: '2026-12-01',
  amount: overrides.amount ?? 4900,
  currency: 'eur',
  attempt: overrides.attempt,
  ...customer,
});

function succeededId(charge: Charge): string {
  if (charge.status !== 'succeeded') throw new Error(`not charged: ${charge.code}`);
  return charge.paymentIntentId;
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the call succeeded');
}

test('when a renewal charges the saved card, then the money is captured at once, off session, with the period in metadata', async () => {
  const customer = await customerWithCard('pm_card_visa');

  const charge = await payments.chargeOffSession(renewal(customer, { subscriptionId: 'sub-paid' }));
  const intent = await stripe.paymentIntents.retrieve(succeededId(charge));

  expect(charge).toEqual({ status: 'succeeded', paymentIntentId: intent.id, amount: 4900 });
  expect(intent).toMatchObject({
    status: 'succeeded',
    capture_method: 'automatic',
    amount_received: 4900,
    customer: customer.customerId,
    payment_method: customer.paymentMethod,
    metadata: { subscription_id: 'sub-paid', period_start: '2026-12-01', attempt: '1' },
  });
  expect(emulator.stats.forIntent(intent.id)).toMatchObject({ charges: 1, authorizations: 0 });
});

test('when the renewal is sent again with the same subscription and period, then Stripe replays it and the card is charged once', async () => {
  const customer = await customerWithCard('pm_card_visa');
  const input = renewal(customer);

  const first = await payments.chargeOffSession(input);
  const second = await payments.chargeOffSession(input);
  const intents = await stripe.paymentIntents.list({ customer: customer.customerId });

  expect(second).toEqual(first);
  expect(intents.data.map((intent) => intent.id)).toEqual([succeededId(first)]);
  expect(emulator.stats.forIntent(succeededId(first)).charges).toBe(1);
});

test('when the renewal answer is lost after Stripe charged, then the retry gets the charge that was made, not a second one', async () => {
  const customer = await customerWithCard('pm_card_visa');
  emulator.faults.add({ type: 'error-after-write', method: 'POST', path: '/v1/payment_intents' });

  const lost = await rejection(payments.chargeOffSession(renewal(customer)));
  const retried = await payments.chargeOffSession(renewal(customer));

  expect(classifyStripeError(lost)).toMatchObject({ type: 'PAYMENT.TRANSIENT', retryable: true });
  expect(emulator.stats.forIntent(succeededId(retried)).charges).toBe(1);
  expect((await stripe.paymentIntents.list({ customer: customer.customerId })).data).toHaveLength(
    1,
  );
});

test('when the card needs authentication, then off session it is declined with authentication_required and the intent waits for a payment method', async () => {
  const customer = await customerWithCard('pm_card_authenticationRequired');

  const charge = await payments.chargeOffSession(renewal(customer));
  if (charge.status !== 'declined') throw new Error('charged');
  const intent = await stripe.paymentIntents.retrieve(charge.paymentIntentId ?? '');

  expect(charge).toMatchObject({
    code: 'authentication_required',
    declineCode: 'authentication_required',
  });
  expect(intent).toMatchObject({
    status: 'requires_payment_method',
    amount_received: 0,
    next_action: null,
    last_payment_error: { type: 'card_error', code: 'authentication_required' },
  });
});

test('when the saved card is the one that attaches but fails to charge (0341), then the renewal is declined, not thrown', async () => {
  const customer = await customerWithCard('pm_card_chargeCustomerFail');

  const charge = await payments.chargeOffSession(renewal(customer));

  expect(charge).toMatchObject({
    status: 'declined',
    code: 'card_declined',
    declineCode: 'generic_decline',
  });
});

test('when dunning retries a declined renewal as attempt 2 after the customer saved a new card, then it is a new payment that succeeds, not a replay of the decline', async () => {
  const customer = await customerWithCard('pm_card_chargeCustomerFail');
  const declined = await payments.chargeOffSession(renewal(customer));
  const replayed = await payments.chargeOffSession(renewal(customer));
  await payments.savePaymentMethod({
    customerId: customer.customerId,
    paymentMethod: 'pm_card_visa',
  });

  const retried = await payments.chargeOffSession(
    renewal({ customerId: customer.customerId }, { attempt: 2 }),
  );

  expect(declined.status).toBe('declined');
  expect(replayed).toEqual(declined);
  expect(emulator.stats.forIntent(declined.paymentIntentId ?? '').declines).toBe(1);
  expect(succeededId(retried)).not.toBe(declined.paymentIntentId);
});

test('when the default card changed between a lost answer and its retry, then the retry is refused, never charging the other card', async () => {
  const customer = await customerWithCard('pm_card_visa');
  emulator.faults.add({ type: 'error-after-write', method: 'POST', path: '/v1/payment_intents' });
  await rejection(payments.chargeOffSession(renewal({ customerId: customer.customerId })));
  await payments.savePaymentMethod({
    customerId: customer.customerId,
    paymentMethod: 'pm_card_mastercard',
  });

  const retry = await rejection(
    payments.chargeOffSession(renewal({ customerId: customer.customerId })),
  );
  const intents = await stripe.paymentIntents.list({ customer: customer.customerId });

  expect(classifyStripeError(retry)).toMatchObject({
    type: 'PAYMENT.IDEMPOTENCY',
    retryable: false,
  });
  expect(intents.data.map((intent) => intent.payment_method)).toEqual([customer.paymentMethod]);
});

test('when a prorated upgrade is charged in the same period as the renewal, then both are charged, each once', async () => {
  const customer = await customerWithCard('pm_card_visa');
  const { periodStart, ...common } = renewal(customer, { subscriptionId: 'sub-upgrade' });

  const period = await payments.chargeOffSession({ ...common, periodStart });
  const upgrade = await payments.chargeOffSession({ ...common, changeId: 'chg-1', amount: 1250 });
  const upgradeAgain = await payments.chargeOffSession({
    ...common,
    changeId: 'chg-1',
    amount: 1250,
  });
  const intent = await stripe.paymentIntents.retrieve(succeededId(upgrade));

  expect(succeededId(upgrade)).not.toBe(succeededId(period));
  expect(upgradeAgain).toEqual(upgrade);
  expect(intent).toMatchObject({ amount_received: 1250, metadata: { change_id: 'chg-1' } });
});

test('when no card is named, then the customer’s default payment method is charged', async () => {
  const customer = await customerWithCard('pm_card_mastercard');

  const charge = await payments.chargeOffSession(renewal({ customerId: customer.customerId }));
  const intent = await stripe.paymentIntents.retrieve(succeededId(charge));

  expect(intent.payment_method).toBe(customer.paymentMethod);
});

test('when no card is named and the customer has no default, then the input error names paymentMethod and nothing is charged', async () => {
  const customerId = await payments.ensureCustomer({ tenantId: 'tenant-no-card' });
  const before = emulator.stats.get('paymentIntents');

  const error = await rejection(payments.chargeOffSession(renewal({ customerId })));

  expect(classifyStripeError(error)).toMatchObject({
    type: 'PAYMENT.INVALID_REQUEST',
    retryable: false,
    field: 'paymentMethod',
  });
  expect(emulator.stats.get('paymentIntents')).toBe(before);
});

test('when neither a period nor a change is given, or both, then the input error names the field', async () => {
  const customer = await customerWithCard('pm_card_visa');
  const { periodStart, ...withoutPeriod } = renewal(customer);

  const neither = await rejection(payments.chargeOffSession(withoutPeriod));
  const both = await rejection(
    payments.chargeOffSession({ ...withoutPeriod, periodStart, changeId: 'chg-2' }),
  );

  expect(classifyStripeError(neither)).toMatchObject({ field: 'periodStart', retryable: false });
  expect(classifyStripeError(both)).toMatchObject({ field: 'changeId', retryable: false });
});

describe('a card that asks for authentication once (4000002500003155)', () => {
  test('when the customer authenticated it at checkout, then renewals charge it off session without the customer', async () => {
    const customerId = await payments.ensureCustomer({ tenantId: 'tenant-3ds-once' });
    const checkout = await payments.authorize({
      orderId: 'order-3ds-once',
      amount: 4900,
      currency: 'eur',
      customerId,
      paymentMethod: 'pm_card_authenticationRequiredOnSetup',
    });
    if (checkout.status !== 'requires_action') throw new Error(`no 3-D Secure: ${checkout.status}`);
    const authenticated = emulator.authenticate(checkout.paymentIntentId, 'succeed');
    const paymentMethod = String(authenticated.payment_method);

    const charge = await payments.chargeOffSession(
      renewal({ customerId, paymentMethod }, { subscriptionId: 'sub-3ds-once' }),
    );

    expect(authenticated.status).toBe('requires_capture');
    expect(charge).toMatchObject({ status: 'succeeded', amount: 4900 });
  });

  test('when it was only attached, never authenticated, then the off-session renewal is declined with authentication_required', async () => {
    const customer = await customerWithCard('pm_card_authenticationRequiredOnSetup');

    const charge = await payments.chargeOffSession(
      renewal(customer, { subscriptionId: 'sub-3ds-never' }),
    );

    expect(charge).toMatchObject({ status: 'declined', code: 'authentication_required' });
  });
});
