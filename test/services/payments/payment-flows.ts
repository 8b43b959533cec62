import type Stripe from 'stripe';
import type { Payments } from '../../../src/payments';

/**
 * The payment flows an order relies on, written once and run against both the local
 * emulator and Stripe's test mode (when STRIPE_SECRET_KEY is set), so the emulator is
 * held to what Stripe does.
 */
export interface FlowTarget {
  stripe: Stripe;
  payments: Payments;
  /** A business id unique to this run: Stripe keeps idempotency keys for a day. */
  id(name: string): string;
}

export function paymentFlowTests(target: () => FlowTarget): void {
  /** A tenant of its own per test, so that lists by customer show that test's intents. */
  const newCustomer = (t: FlowTarget, tenant: string) =>
    t.payments.ensureCustomer({ tenantId: t.id(tenant) });

  test('when a saved card is authorized and captured, then the amount is held first and received after', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-capture');
    const orderId = t.id('order-capture');

    const authorization = await t.payments.authorize({
      orderId,
      amount: 4900,
      currency: 'EUR',
      customerId,
      paymentMethod: 'pm_card_visa',
      description: 'Sales Premium, 1 seat',
    });
    if (authorization.status !== 'authorized')
      throw new Error(`not authorized: ${authorization.status}`);
    const held = await t.stripe.paymentIntents.retrieve(authorization.paymentIntentId);
    const capture = await t.payments.capture({
      orderId,
      paymentIntentId: authorization.paymentIntentId,
    });
    const captured = await t.stripe.paymentIntents.retrieve(authorization.paymentIntentId);

    expect(authorization).toEqual({
      status: 'authorized',
      paymentIntentId: expect.stringMatching(/^pi_/) as unknown,
      amount: 4900,
      captured: false,
    });
    expect(held).toMatchObject({
      status: 'requires_capture',
      capture_method: 'manual',
      amount_received: 0,
      currency: 'eur',
      customer: customerId,
      metadata: { order_id: orderId },
    });
    expect(capture).toEqual({
      paymentIntentId: authorization.paymentIntentId,
      amountReceived: 4900,
      alreadyCaptured: false,
    });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 4900 });
  });

  test('when an authorization is canceled, then the hold is released and nothing is received', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-cancel');
    const orderId = t.id('order-cancel');
    const authorization = await t.payments.authorize({
      orderId,
      amount: 1500,
      currency: 'eur',
      customerId,
      paymentMethod: 'pm_card_mastercard',
    });
    if (authorization.status !== 'authorized')
      throw new Error(`not authorized: ${authorization.status}`);

    const canceled = await t.payments.releasePayment({
      orderId,
      paymentIntentId: authorization.paymentIntentId,
    });
    const again = await t.payments.releasePayment({
      orderId,
      paymentIntentId: authorization.paymentIntentId,
    });
    const intent = await t.stripe.paymentIntents.retrieve(authorization.paymentIntentId);

    expect(canceled.outcome).toBe('canceled');
    expect(['canceled', 'already_canceled']).toContain(again.outcome);
    expect(intent).toMatchObject({ status: 'canceled', amount_received: 0, amount_capturable: 0 });
  });

  test('when a captured payment is compensated, then it is refunded in full instead of canceled', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-refund');
    const orderId = t.id('order-refund');
    const authorization = await t.payments.authorize({
      orderId,
      amount: 2500,
      currency: 'eur',
      customerId,
      paymentMethod: 'pm_card_visa',
    });
    if (authorization.status !== 'authorized')
      throw new Error(`not authorized: ${authorization.status}`);
    const paymentIntentId = authorization.paymentIntentId;
    await t.payments.capture({ orderId, paymentIntentId });

    const compensated = await t.payments.releasePayment({ orderId, paymentIntentId });
    const refunded = await t.stripe.refunds.list({ payment_intent: paymentIntentId });

    expect(compensated.outcome).toBe('refunded');
    expect(refunded.data.map((refund) => refund.amount)).toEqual([2500]);
  });

  test('when the card is declined, then the order gets a declined outcome with the generic_decline reason', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-declined');

    const outcome = await t.payments.authorize({
      orderId: t.id('order-declined'),
      amount: 4900,
      currency: 'eur',
      customerId,
      paymentMethod: 'pm_card_chargeDeclined',
    });

    expect(outcome).toMatchObject({
      status: 'declined',
      paymentIntentId: expect.stringMatching(/^pi_/) as unknown,
      code: 'card_declined',
      declineCode: 'generic_decline',
    });
  });

  test('when the card has insufficient funds, then the decline reason says so', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-no-funds');

    const outcome = await t.payments.authorize({
      orderId: t.id('order-no-funds'),
      amount: 4900,
      currency: 'eur',
      customerId,
      paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds',
    });

    expect(outcome).toMatchObject({
      status: 'declined',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
    });
  });

  test('when the same order is authorized twice, then the second call gets the first payment intent', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-replay');
    const input = {
      orderId: t.id('order-twice'),
      amount: 990,
      currency: 'eur',
      customerId,
      paymentMethod: 'pm_card_visa',
    };

    const first = await t.payments.authorize(input);
    const second = await t.payments.authorize(input);
    const intents = await t.stripe.paymentIntents.list({ customer: customerId });

    expect(first.status).toBe('authorized');
    expect(second).toEqual(first);
    expect(intents.data.map((intent) => intent.id)).toEqual([first.paymentIntentId]);
  });

  test('when a tenant buys twice, then both orders use one customer that carries the tenant id and the latest email', async () => {
    const t = target();
    const tenantId = t.id('tenant-twice');

    const first = await t.payments.ensureCustomer({ tenantId, email: 'it@contoso.com' });
    const second = await t.payments.ensureCustomer({ tenantId, email: 'finance@contoso.com' });
    const customer = await t.stripe.customers.retrieve(second);

    expect(second).toBe(first);
    expect(customer).toMatchObject({
      email: 'finance@contoso.com',
      metadata: { tenant_id: tenantId },
    });
  });

  test('when a saved card renews off session, then the renewal is charged at once to the default card, and once however often sent', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-renews');
    const saved = await t.payments.savePaymentMethod({ customerId, paymentMethod: 'pm_card_visa' });
    if (saved.status !== 'saved') throw new Error(`not saved: ${saved.code}`);
    const renewal = {
      subscriptionId: t.id('sub-renews'),
      periodStart: '2026-12-01',
      amount: 4900,
      currency: 'eur',
      customerId,
    };

    const first = await t.payments.chargeOffSession(renewal);
    const again = await t.payments.chargeOffSession(renewal);
    const intents = await t.stripe.paymentIntents.list({ customer: customerId });

    expect(first).toMatchObject({ status: 'succeeded', amount: 4900 });
    expect(again).toEqual(first);
    expect(intents.data).toHaveLength(1);
    expect(intents.data[0]).toMatchObject({
      status: 'succeeded',
      payment_method: saved.paymentMethodId,
    });
  });

  test('when the saved card is 0341, then it saves, and the renewal is declined as an outcome', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-0341');

    const saved = await t.payments.savePaymentMethod({
      customerId,
      paymentMethod: 'pm_card_chargeCustomerFail',
    });
    const charge = await t.payments.chargeOffSession({
      subscriptionId: t.id('sub-0341'),
      periodStart: '2026-12-01',
      amount: 4900,
      currency: 'eur',
      customerId,
    });

    expect(saved.status).toBe('saved');
    expect(charge).toMatchObject({ status: 'declined', code: 'card_declined' });
  });

  test('when a card that needs authentication renews off session, then it is declined with authentication_required', async () => {
    const t = target();
    const customerId = await newCustomer(t, 'tenant-3ds-renewal');
    const saved = await t.payments.savePaymentMethod({
      customerId,
      paymentMethod: 'pm_card_authenticationRequired',
    });
    if (saved.status !== 'saved') throw new Error(`not saved: ${saved.code}`);

    const charge = await t.payments.chargeOffSession({
      subscriptionId: t.id('sub-3ds'),
      periodStart: '2026-12-01',
      amount: 4900,
      currency: 'eur',
      customerId,
      paymentMethod: saved.paymentMethodId,
    });

    expect(charge).toMatchObject({ status: 'declined', code: 'authentication_required' });
  });
}
