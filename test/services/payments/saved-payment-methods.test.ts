import Stripe from 'stripe';
import { classifyStripeError, createPayments, type Payments } from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * Saving a card for renewals: attach, the customer's default payment method, detach, and
 * the client's savePaymentMethod over them, through the real SDK on the emulator.
 */
let emulator: StripeEmulator;
let stripe: Stripe;
let payments: Payments;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.createClient();
  payments = createPayments({ stripe });
});

afterAll(async () => {
  await emulator.close();
});

let tenants = 0;
const newCustomer = () => payments.ensureCustomer({ tenantId: `tenant-saved-${++tenants}` });

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the call succeeded');
}

describe('the Stripe API', () => {
  test('when a card is attached, then it is listed as the customer’s, by both list endpoints', async () => {
    const customerId = await newCustomer();
    const created = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242', exp_month: 12, exp_year: 2040 },
    });

    const attached = await stripe.paymentMethods.attach(created.id, { customer: customerId });
    const ofCustomer = await stripe.customers.listPaymentMethods(customerId, { type: 'card' });
    const filtered = await stripe.paymentMethods.list({ customer: customerId, type: 'card' });

    expect(attached).toMatchObject({ id: created.id, customer: customerId });
    expect(ofCustomer.data.map((method) => method.id)).toEqual([created.id]);
    expect(filtered.data.map((method) => method.id)).toEqual([created.id]);
  });

  test('when a test name is attached, then a new pm_ id is saved for its card', async () => {
    const customerId = await newCustomer();

    const attached = await stripe.paymentMethods.attach('pm_card_mastercard', {
      customer: customerId,
    });

    expect(attached.id).toMatch(/^pm_(?!card_)/);
    expect(attached).toMatchObject({
      customer: customerId,
      card: { brand: 'mastercard', last4: '4444' },
    });
  });

  test('when a card attached to one customer is attached to another, then Stripe refuses it', async () => {
    const first = await newCustomer();
    const second = await newCustomer();
    const method = await stripe.paymentMethods.attach('pm_card_visa', { customer: first });

    const error = await rejection(stripe.paymentMethods.attach(method.id, { customer: second }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((await stripe.paymentMethods.retrieve(method.id)).customer).toBe(first);
  });

  test('when the default payment method is set, then the customer shows it, and expands it on request', async () => {
    const customerId = await newCustomer();
    const method = await stripe.paymentMethods.attach('pm_card_visa', { customer: customerId });

    await stripe.customers.update(customerId, {
      invoice_settings: { default_payment_method: method.id },
    });
    const customer = await stripe.customers.retrieve(customerId, {
      expand: ['invoice_settings.default_payment_method'],
    });

    expect(customer).toMatchObject({
      invoice_settings: { default_payment_method: { id: method.id, object: 'payment_method' } },
    });
  });

  test('when the default is a card not attached to the customer, then 400 naming invoice_settings[default_payment_method]', async () => {
    const customerId = await newCustomer();
    const loose = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242' },
    });

    const error = await rejection(
      stripe.customers.update(customerId, {
        invoice_settings: { default_payment_method: loose.id },
      }),
    );

    expect(error).toMatchObject({
      statusCode: 400,
      param: 'invoice_settings[default_payment_method]',
    });
  });

  test('when a customer is created with a card as its default, then the card is attached and is the default', async () => {
    const customer = await stripe.customers.create({
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const methods = await stripe.customers.listPaymentMethods(customer.id);

    expect(methods.data).toHaveLength(1);
    expect(customer.invoice_settings.default_payment_method).toBe(methods.data[0]?.id);
  });

  test('when a customer is created with a card the issuer declines, or a default it does not hold, then it is refused and no customer is made', async () => {
    const before = emulator.stats.get('customers');
    const loose = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242' },
    });

    const declined = await rejection(
      stripe.customers.create({ payment_method: 'pm_card_visa_chargeDeclinedStolenCard' }),
    );
    const notHeld = await rejection(
      stripe.customers.create({
        payment_method: 'pm_card_visa',
        invoice_settings: { default_payment_method: loose.id },
      }),
    );

    expect(declined).toMatchObject({ statusCode: 402, decline_code: 'stolen_card' });
    expect(notHeld).toMatchObject({
      statusCode: 400,
      param: 'invoice_settings[default_payment_method]',
    });
    expect(emulator.stats.get('customers')).toBe(before);
  });

  test('when the default card is detached, then the customer has no default and the card cannot be used again', async () => {
    const customerId = await newCustomer();
    const method = await stripe.paymentMethods.attach('pm_card_visa', { customer: customerId });
    await stripe.customers.update(customerId, {
      invoice_settings: { default_payment_method: method.id },
    });

    const detached = await stripe.paymentMethods.detach(method.id);
    const customer = await stripe.customers.retrieve(customerId);
    const reattach = await rejection(
      stripe.paymentMethods.attach(method.id, { customer: customerId }),
    );
    const again = await rejection(stripe.paymentMethods.detach(method.id));

    expect(detached.customer).toBeNull();
    expect(customer).toMatchObject({ invoice_settings: { default_payment_method: null } });
    expect(reattach).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  test('when a payment with setup_future_usage succeeds, then its card is attached to the intent’s customer', async () => {
    const customerId = await newCustomer();

    const intent = await stripe.paymentIntents.create({
      amount: 1500,
      currency: 'eur',
      customer: customerId,
      payment_method: 'pm_card_visa',
      setup_future_usage: 'off_session',
      confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    const saved = await stripe.customers.listPaymentMethods(customerId);

    expect(intent.status).toBe('succeeded');
    expect(saved.data.map((method) => method.id)).toEqual([intent.payment_method]);
  });

  test('when a payment with setup_future_usage is declined, then nothing is saved', async () => {
    const customerId = await newCustomer();

    await rejection(
      stripe.paymentIntents.create({
        amount: 1500,
        currency: 'eur',
        customer: customerId,
        payment_method: 'pm_card_chargeCustomerFail',
        setup_future_usage: 'on_session',
        confirm: true,
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      }),
    );
    const saved = await stripe.customers.listPaymentMethods(customerId);

    expect(saved.data).toEqual([]);
  });

  test('when a customer with a default is charged without a payment method, then Stripe does not use the default by itself', async () => {
    const customerId = await newCustomer();
    await payments.savePaymentMethod({ customerId, paymentMethod: 'pm_card_visa' });

    const error = await rejection(
      stripe.paymentIntents.create({
        amount: 1500,
        currency: 'eur',
        customer: customerId,
        confirm: true,
        off_session: true,
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      }),
    );

    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });
});

describe('savePaymentMethod', () => {
  test('when a card is saved, then it is attached and becomes the default, and the card is described', async () => {
    const customerId = await newCustomer();

    const saved = await payments.savePaymentMethod({ customerId, paymentMethod: 'pm_card_visa' });
    if (saved.status !== 'saved') throw new Error(`not saved: ${saved.status}`);
    const customer = await stripe.customers.retrieve(customerId);

    expect(saved).toMatchObject({
      customerId,
      paymentMethodId: expect.stringMatching(/^pm_/) as unknown,
      card: { brand: 'visa', last4: '4242' },
    });
    expect(customer).toMatchObject({
      invoice_settings: { default_payment_method: saved.paymentMethodId },
    });
  });

  test('when the same card is saved twice, then one card is attached and it stays the default', async () => {
    const customerId = await newCustomer();
    const input = { customerId, paymentMethod: 'pm_card_mastercard' };

    const first = await payments.savePaymentMethod(input);
    const second = await payments.savePaymentMethod(input);
    const methods = await stripe.customers.listPaymentMethods(customerId);

    expect(second).toEqual(first);
    expect(methods.data).toHaveLength(1);
  });

  test('when a second card is saved, then it replaces the first as the default and both stay attached', async () => {
    const customerId = await newCustomer();
    await payments.savePaymentMethod({ customerId, paymentMethod: 'pm_card_visa' });

    const second = await payments.savePaymentMethod({
      customerId,
      paymentMethod: 'pm_card_mastercard',
    });
    if (second.status !== 'saved') throw new Error(`not saved: ${second.status}`);
    const customer = await stripe.customers.retrieve(customerId);
    const methods = await stripe.customers.listPaymentMethods(customerId);

    expect(customer).toMatchObject({
      invoice_settings: { default_payment_method: second.paymentMethodId },
    });
    expect(methods.data).toHaveLength(2);
  });

  test('when the issuer refuses the card, then the refusal is a declined outcome and no default is set', async () => {
    const customerId = await newCustomer();

    const outcome = await payments.savePaymentMethod({
      customerId,
      paymentMethod: 'pm_card_visa_chargeDeclinedInsufficientFunds',
    });
    const customer = await stripe.customers.retrieve(customerId);

    expect(outcome).toMatchObject({
      status: 'declined',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
    });
    expect(customer).toMatchObject({ invoice_settings: { default_payment_method: null } });
  });

  test('when the card belongs to another customer, then the error is an invalid request, not retried', async () => {
    const owner = await newCustomer();
    const other = await newCustomer();
    const saved = await payments.savePaymentMethod({
      customerId: owner,
      paymentMethod: 'pm_card_visa',
    });
    if (saved.status !== 'saved') throw new Error(`not saved: ${saved.status}`);

    const error = await rejection(
      payments.savePaymentMethod({ customerId: other, paymentMethod: saved.paymentMethodId }),
    );

    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.INVALID_REQUEST',
      retryable: false,
    });
  });

  test('when the customer id is not a Stripe id, then the input error names customerId and nothing is sent', async () => {
    const before = emulator.stats.get('requests');

    const error = await rejection(
      payments.savePaymentMethod({ customerId: 'acme', paymentMethod: 'pm_card_visa' }),
    );

    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.INVALID_REQUEST',
      field: 'customerId',
    });
    expect(emulator.stats.get('requests')).toBe(before);
  });
});
