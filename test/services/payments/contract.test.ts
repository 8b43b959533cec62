import Stripe from 'stripe';
import { createPayments, createStripeClient, type Payments } from '../../../src/payments';
import {
  cachedStripeMockPath,
  resolveStripeMock,
  STRIPE_MOCK_VERSION,
  stripeMockObtainable,
} from '../../../local/binaries/stripe-mock-binary';
import {
  startStripeMock,
  type RunningStripeMock,
} from '../../../local/binaries/stripe-mock-server';

/**
 * Our client's requests against stripe-mock, which validates every request against
 * Stripe's OpenAPI spec: what the emulator accepts, Stripe must accept too. stripe-mock
 * is stateless (its answers are fixtures), so these tests assert that each call is
 * accepted, not the states it leads to. Without stripe-mock and without Go to build it
 * they are skipped on a workstation and fail in CI.
 */
const inCi = process.env.CI === 'true';
const describeContract = stripeMockObtainable() || inCi ? describe : describe.skip;

const BUILD_TIMEOUT_MS = 10 * 60_000;

describeContract(`payments client requests against stripe-mock ${STRIPE_MOCK_VERSION}`, () => {
  let mock: RunningStripeMock | undefined;
  let stripe: Stripe;
  let payments: Payments;

  beforeAll(async () => {
    const binary = await resolveStripeMock({ log: (line) => process.stderr.write(`${line}\n`) });
    if (!binary) {
      throw new Error(
        'stripe-mock is not available: set STRIPE_MOCK_PATH, put stripe-mock on PATH or at ' +
          `${cachedStripeMockPath()}, or install Go so that ` +
          `\`go install github.com/stripe/stripe-mock@${STRIPE_MOCK_VERSION}\` can build it`,
      );
    }
    mock = await startStripeMock(binary);
    stripe = createStripeClient({ secretKey: 'sk_test_contract', baseUrl: mock.url });
    payments = createPayments({ stripe });
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await mock?.close();
  });

  test('when a request breaks the spec, then stripe-mock refuses it (the check has teeth)', async () => {
    const call = stripe.paymentIntents.create({
      amount: 1000,
      currency: 'eur',
      capture_method: 'at_once',
    });

    await expect(call).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  test('when a customer is ensured with an email, then the create and the update are valid requests', async () => {
    const customerId = await payments.ensureCustomer({
      tenantId: 'tenant-contract',
      email: 'it@contoso.com',
    });

    expect(customerId).toMatch(/^cus_/);
  });

  test('when a saved card is authorized with description and metadata, then the create-and-confirm is a valid request', async () => {
    const outcome = await payments.authorize({
      orderId: 'order-contract',
      amount: 4900,
      currency: 'eur',
      customerId: 'cus_contract',
      paymentMethod: 'pm_card_visa',
      description: 'Sales Premium, 3 seats',
      metadata: { tenant_id: 'tenant-contract' },
    });

    expect(['authorized', 'requires_action', 'declined']).toContain(outcome.status);
  });

  test('when an authorization is made without a card, then the create for checkout is a valid request', async () => {
    const outcome = await payments.authorize({
      orderId: 'order-contract-no-card',
      amount: 4900,
      currency: 'eur',
      customerId: 'cus_contract',
    });

    expect(outcome.paymentIntentId).toMatch(/^pi_/);
  });

  test('when an authorization is read back, then the retrieve is a valid request', async () => {
    const outcome = await payments.getAuthorization('pi_contract');

    expect(outcome.paymentIntentId).toMatch(/^pi_/);
  });

  test('when an authorization is captured, then the capture is a valid request', async () => {
    const result = await payments.capture({
      orderId: 'order-contract',
      paymentIntentId: 'pi_contract',
    });

    expect(result.paymentIntentId).toBe('pi_contract');
  });

  test('when an authorization is canceled, then the cancel with its reason is a valid request', async () => {
    const result = await payments.releasePayment({
      orderId: 'order-contract',
      paymentIntentId: 'pi_contract',
    });

    expect(result.outcome).toBe('canceled');
  });

  test('when a payment is refunded in part with a reason, then the refund is a valid request', async () => {
    const result = await payments.refund({
      orderId: 'order-contract',
      paymentIntentId: 'pi_contract',
      amount: 1000,
      reason: 'requested_by_customer',
    });

    expect(result).toMatchObject({
      outcome: 'refunded',
      refundId: expect.stringMatching(/^re_/) as unknown,
    });
  });

  test('when a renewal is charged off session, then the automatic-capture confirm is a valid request', async () => {
    const outcome = await payments.chargeOffSession({
      subscriptionId: 'sub-contract',
      periodStart: '2026-01-01',
      amount: 4900,
      currency: 'eur',
      customerId: 'cus_contract',
      paymentMethod: 'pm_card_visa',
    });

    expect(['succeeded', 'declined']).toContain(outcome.status);
  });

  test('when a prorated upgrade is charged as a dunning retry, then its create with change id and attempt is a valid request', async () => {
    const outcome = await payments.chargeOffSession({
      subscriptionId: 'sub-contract',
      changeId: 'chg-contract',
      attempt: 2,
      amount: 1250,
      currency: 'eur',
      customerId: 'cus_contract',
      paymentMethod: 'pm_card_visa',
      description: 'Upgrade to Sales Premium, prorated',
    });

    expect(['succeeded', 'declined']).toContain(outcome.status);
  });

  test('when a card is saved for renewals, then the attach, the customer read and the default update are valid requests', async () => {
    const outcome = await payments.savePaymentMethod({
      customerId: 'cus_contract',
      paymentMethod: 'pm_contract',
    });

    expect(outcome.status).toBe('saved');
  });

  test('when the emulator’s payment method calls are made as Stripe documents them, then stripe-mock accepts them', async () => {
    await stripe.paymentMethods.detach('pm_contract');
    await stripe.customers.listPaymentMethods('cus_contract', { type: 'card' });
    await stripe.paymentMethods.list({ customer: 'cus_contract', type: 'card' });
    const customer = await stripe.customers.create({
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });

    expect(customer.object).toBe('customer');
  });

  test('when an order payment is looked up, then the search by metadata and the list by customer are valid requests', async () => {
    const bySearch = await payments.findOrderPayment('order-contract');
    const byList = await payments.findOrderPayment({
      orderId: 'order-contract',
      customerId: 'cus_contract',
    });

    // stripe-mock answers fixtures, whose metadata names no order: accepted, not found.
    expect(bySearch).toBeNull();
    expect(byList).toBeNull();
  });

  test('when a partial refund is keyed by a business key, then the refund is a valid request', async () => {
    const result = await payments.refund({
      paymentIntentId: 'pi_contract',
      amount: 500,
      key: 'subscription:sub-contract:change:chg-contract',
    });

    expect(result.outcome).toBe('refunded');
  });

  test('when a webhook endpoint is created as the emulator allows, then Stripe accepts the same request', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'https://provisioner.example.com/webhooks/stripe',
      enabled_events: ['payment_intent.amount_capturable_updated', 'payment_intent.payment_failed'],
    });

    expect(endpoint.object).toBe('webhook_endpoint');
  });
});
