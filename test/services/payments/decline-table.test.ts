import Stripe from 'stripe';
import { createPayments, type Payments } from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * Stripe's table of declined test cards (https://docs.stripe.com/testing#declined-payments):
 * each card, by number and by its pm_card name, gives the code and decline_code Stripe
 * gives, so the decline reasons an order or a renewal keeps are the ones production sees.
 */
let emulator: StripeEmulator;
let stripe: Stripe;
let payments: Payments;
let customerId: string;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.createClient();
  payments = createPayments({ stripe });
  customerId = await payments.ensureCustomer({ tenantId: 'tenant-declines' });
});

afterAll(async () => {
  await emulator.close();
});

interface DeclineRow {
  reason: string;
  number: string;
  names: string[];
  code: string;
  declineCode: string;
}

const TABLE: DeclineRow[] = [
  {
    reason: 'generic decline',
    number: '4000000000000002',
    names: ['pm_card_visa_chargeDeclined', 'pm_card_chargeDeclined'],
    code: 'card_declined',
    declineCode: 'generic_decline',
  },
  {
    reason: 'insufficient funds',
    number: '4000000000009995',
    names: [
      'pm_card_visa_chargeDeclinedInsufficientFunds',
      'pm_card_chargeDeclinedInsufficientFunds',
    ],
    code: 'card_declined',
    declineCode: 'insufficient_funds',
  },
  {
    reason: 'lost card',
    number: '4000000000009987',
    names: ['pm_card_visa_chargeDeclinedLostCard', 'pm_card_chargeDeclinedLostCard'],
    code: 'card_declined',
    declineCode: 'lost_card',
  },
  {
    reason: 'stolen card',
    number: '4000000000009979',
    names: ['pm_card_visa_chargeDeclinedStolenCard', 'pm_card_chargeDeclinedStolenCard'],
    code: 'card_declined',
    declineCode: 'stolen_card',
  },
  {
    reason: 'velocity limit',
    number: '4000000000006975',
    names: ['pm_card_visa_chargeDeclinedVelocityLimitExceeded'],
    code: 'card_declined',
    declineCode: 'card_velocity_exceeded',
  },
  {
    reason: 'expired card',
    number: '4000000000000069',
    names: ['pm_card_chargeDeclinedExpiredCard'],
    code: 'expired_card',
    declineCode: 'expired_card',
  },
  {
    reason: 'incorrect CVC',
    number: '4000000000000127',
    names: ['pm_card_chargeDeclinedIncorrectCvc'],
    code: 'incorrect_cvc',
    declineCode: 'incorrect_cvc',
  },
  {
    reason: 'processing error',
    number: '4000000000000119',
    names: ['pm_card_chargeDeclinedProcessingError'],
    code: 'processing_error',
    declineCode: 'processing_error',
  },
  {
    reason: 'charges to a saved customer fail',
    number: '4000000000000341',
    names: ['pm_card_chargeCustomerFail'],
    code: 'card_declined',
    declineCode: 'generic_decline',
  },
];

let orders = 0;
const authorize = (paymentMethod: string) =>
  payments.authorize({
    orderId: `order-decline-${++orders}`,
    amount: 2900,
    currency: 'eur',
    customerId,
    paymentMethod,
  });

describe.each(TABLE)('$reason ($number)', ({ number, names, code, declineCode }) => {
  test('when a payment method made from the number pays, then the decline carries the documented code and decline_code', async () => {
    const method = await stripe.paymentMethods.create({ type: 'card', card: { number } });

    const outcome = await authorize(method.id);

    expect(outcome).toMatchObject({ status: 'declined', code, declineCode });
  });

  test.each(names)(
    'when %s pays, then the decline and the intent left behind say the same',
    async (name) => {
      const outcome = await authorize(name);
      if (outcome.status !== 'declined') throw new Error(`not declined: ${outcome.status}`);
      const intent = await stripe.paymentIntents.retrieve(outcome.paymentIntentId ?? '');

      expect(outcome).toMatchObject({ code, declineCode });
      expect(intent.status).toBe('requires_payment_method');
      expect(intent.last_payment_error).toMatchObject({
        type: 'card_error',
        code,
        decline_code: declineCode,
      });
    },
  );
});

test('when a card number is given inline with the payment, then the table decides the same way', async () => {
  const error = await rejection(
    stripe.paymentIntents.create({
      amount: 2900,
      currency: 'eur',
      confirm: true,
      payment_method_data: { type: 'card', card: { number: '4000000000000069' } },
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    } as Stripe.PaymentIntentCreateParams),
  );

  expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
  expect(error).toMatchObject({
    code: 'expired_card',
    decline_code: 'expired_card',
    param: 'exp_month',
  });
});

test('when the incorrect-number card (4242424242424241) is entered, then Stripe refuses it with incorrect_number before any payment', async () => {
  const before = emulator.stats.get('paymentIntents');

  const error = await rejection(
    stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424241' } }),
  );

  expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
  expect(error).toMatchObject({ code: 'incorrect_number', type: 'StripeCardError' });
  expect(emulator.stats.get('paymentIntents')).toBe(before);
});

test('when a declining card is attached to a customer, then the issuer refuses it as it would refuse a payment', async () => {
  const error = await rejection(
    stripe.paymentMethods.attach('pm_card_visa_chargeDeclinedLostCard', { customer: customerId }),
  );

  expect(error).toMatchObject({
    statusCode: 402,
    code: 'card_declined',
    decline_code: 'lost_card',
  });
});

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the call succeeded');
}
