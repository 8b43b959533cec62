import { createPayments, type Payments } from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * Cards that need the customer: on session the order hands the client secret to checkout
 * and waits; off session (renewals) nobody can authenticate, so the charge is declined.
 */
let emulator: StripeEmulator;
let payments: Payments;
let customerId: string;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  payments = createPayments({ stripe: emulator.createClient() });
  customerId = await payments.ensureCustomer({ tenantId: 'tenant-3ds' });
});

afterAll(async () => {
  await emulator.close();
});

async function authorizeNeedingAction(orderId: string, paymentMethod: string) {
  const outcome = await payments.authorize({
    orderId,
    amount: 7900,
    currency: 'eur',
    customerId,
    paymentMethod,
  });
  if (outcome.status !== 'requires_action')
    throw new Error(`expected requires_action, got ${outcome.status}`);
  return outcome;
}

async function eventTypesFor(paymentIntentId: string): Promise<string[]> {
  const events = await emulator.createClient().events.list({ limit: 100 });
  return events.data
    .filter((event) => (event.data.object as { id?: string }).id === paymentIntentId)
    .map((event) => event.type)
    .reverse();
}

describe('3-D Secure on session', () => {
  test.each(['pm_card_threeDSecure2Required', 'pm_card_authenticationRequired'])(
    'when %s is authorized, then the order gets the client secret and nothing is held yet',
    async (paymentMethod) => {
      const outcome = await authorizeNeedingAction(`order-3ds-${paymentMethod}`, paymentMethod);
      const intent = await emulator.createClient().paymentIntents.retrieve(outcome.paymentIntentId);

      expect(outcome.clientSecret).toBe(intent.client_secret);
      expect(intent).toMatchObject({
        status: 'requires_action',
        amount_capturable: 0,
        next_action: { type: 'use_stripe_sdk' },
      });
      expect(emulator.stats.forIntent(outcome.paymentIntentId).authorizations).toBe(0);
    },
  );

  test('when the customer completes 3-D Secure, then the authorization holds the amount and the capturable event is emitted', async () => {
    const outcome = await authorizeNeedingAction('order-3ds-ok', 'pm_card_threeDSecure2Required');

    emulator.authenticate(outcome.paymentIntentId, 'succeed');
    const after = await payments.getAuthorization(outcome.paymentIntentId);

    expect(after).toEqual({
      status: 'authorized',
      paymentIntentId: outcome.paymentIntentId,
      amount: 7900,
      captured: false,
    });
    expect(await eventTypesFor(outcome.paymentIntentId)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.amount_capturable_updated',
    ]);
  });

  test('when the customer fails 3-D Secure, then the order is declined with the authentication failure and payment_failed is emitted', async () => {
    const outcome = await authorizeNeedingAction('order-3ds-fail', 'pm_card_threeDSecure2Required');

    emulator.authenticate(outcome.paymentIntentId, 'fail');
    const after = await payments.getAuthorization(outcome.paymentIntentId);

    expect(after).toMatchObject({
      status: 'declined',
      paymentIntentId: outcome.paymentIntentId,
      code: 'payment_intent_authentication_failure',
    });
    expect(await eventTypesFor(outcome.paymentIntentId)).toContain('payment_intent.payment_failed');
  });

  test('when another process plays the customer over HTTP, then the intent moves as with the programmatic control', async () => {
    const outcome = await authorizeNeedingAction(
      'order-3ds-http',
      'pm_card_authenticationRequired',
    );

    const response = await fetch(
      `${emulator.url}/_emulator/payment_intents/${outcome.paymentIntentId}/authenticate`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"outcome":"succeed"}',
      },
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: outcome.paymentIntentId,
      status: 'requires_capture',
    });
  });

  test('when an intent that awaits nobody is authenticated, then the control refuses with 400', async () => {
    const outcome = await payments.authorize({
      orderId: 'order-3ds-not-needed',
      amount: 7900,
      currency: 'eur',
      customerId,
      paymentMethod: 'pm_card_visa',
    });
    if (outcome.status !== 'authorized') throw new Error(outcome.status);

    const response = await fetch(
      `${emulator.url}/_emulator/payment_intents/${outcome.paymentIntentId}/authenticate`,
      { method: 'POST', body: '{"outcome":"succeed"}' },
    );

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'payment_intent_unexpected_state' },
    });
  });
});

describe('renewals off session', () => {
  const renewal = {
    subscriptionId: 'sub-renew',
    periodStart: '2026-01-01',
    amount: 4900,
    currency: 'eur',
    customerId: '',
    paymentMethod: 'pm_card_visa',
  };

  test('when a renewal is charged with a saved card, then the payment is captured at once', async () => {
    const charge = await payments.chargeOffSession({ ...renewal, customerId });

    if (charge.status !== 'succeeded') throw new Error(`declined: ${charge.code}`);
    expect(charge.amount).toBe(4900);
    expect(emulator.stats.forIntent(charge.paymentIntentId)).toMatchObject({
      charges: 1,
      authorizations: 0,
    });
  });

  test('when the same period is charged again, then the first charge is replayed and the card is charged once', async () => {
    const input = { ...renewal, subscriptionId: 'sub-renew-twice', customerId };
    const first = await payments.chargeOffSession(input);
    const second = await payments.chargeOffSession(input);
    const next = await payments.chargeOffSession({ ...input, periodStart: '2026-02-01' });

    if (first.status !== 'succeeded' || next.status !== 'succeeded') throw new Error('declined');
    expect(second).toEqual(first);
    expect(emulator.stats.forIntent(first.paymentIntentId).charges).toBe(1);
    expect(next.paymentIntentId).not.toBe(first.paymentIntentId);
  });

  test.each(['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required'])(
    'when %s is charged off session, then the renewal is declined with authentication_required',
    async (paymentMethod) => {
      const charge = await payments.chargeOffSession({
        ...renewal,
        subscriptionId: `sub-${paymentMethod}`,
        customerId,
        paymentMethod,
      });

      expect(charge).toMatchObject({
        status: 'declined',
        code: 'authentication_required',
        declineCode: 'authentication_required',
      });
    },
  );

  test('when a renewal card is declined, then the decline reason is returned for dunning', async () => {
    const charge = await payments.chargeOffSession({
      ...renewal,
      subscriptionId: 'sub-no-funds',
      customerId,
      paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds',
    });

    expect(charge).toMatchObject({ status: 'declined', declineCode: 'insufficient_funds' });
  });
});
