import Stripe from 'stripe';
import { classifyStripeError, createPayments, type Payments } from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * Finding an order's PaymentIntent by its business id, for a compensation whose
 * authorization answer was lost: Stripe's search by metadata, the subset of its query
 * language the emulator reads, and findOrderPayment over search and over the list.
 */
let emulator: StripeEmulator;
let stripe: Stripe;
let payments: Payments;
let customerId: string;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = emulator.createClient();
  payments = createPayments({ stripe });
  customerId = await payments.ensureCustomer({ tenantId: 'tenant-find' });
});

afterEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  await emulator.close();
});

const authorize = (orderId: string, amount = 3100, paymentMethod = 'pm_card_visa') =>
  payments.authorize({ orderId, amount, currency: 'eur', customerId, paymentMethod });

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the call succeeded');
}

describe('searching PaymentIntents', () => {
  test("when searched by metadata['order_id'], then only that order's intent is found", async () => {
    const wanted = await authorize('order-search-a');
    await authorize('order-search-b');

    const result = await stripe.paymentIntents.search({
      query: "metadata['order_id']:'order-search-a'",
    });

    expect(result.object).toBe('search_result');
    expect(result.data.map((intent) => intent.id)).toEqual([wanted.paymentIntentId]);
  });

  test('when clauses are joined by AND, OR, negated or compare the amount, then each reads as Stripe reads it', async () => {
    const small = await authorize('order-search-small', 1000);
    const large = await authorize('order-search-large', 9000);
    const ids = async (query: string) =>
      (await stripe.paymentIntents.search({ query })).data.map((intent) => intent.id).sort();
    const both = [small.paymentIntentId, large.paymentIntentId].sort();

    expect(
      await ids(
        `metadata["order_id"]:"order-search-small" OR metadata['order_id']:'order-search-large'`,
      ),
    ).toEqual(both);
    expect(
      await ids(`customer:'${customerId}' AND amount>5000 AND status:'requires_capture'`),
    ).toEqual([large.paymentIntentId]);
    expect(
      await ids(`-metadata['order_id']:'order-search-small' AND amount<=1000 AND currency:'EUR'`),
    ).toEqual([]);
  });

  test('when the search expands data.latest_charge, then each intent comes with its charge', async () => {
    const made = await authorize('order-search-expand');

    const result = await stripe.paymentIntents.search({
      query: "metadata['order_id']:'order-search-expand'",
      expand: ['data.latest_charge'],
    });

    expect(result.data[0]?.id).toBe(made.paymentIntentId);
    expect(result.data[0]?.latest_charge).toMatchObject({ object: 'charge', amount: 3100 });
  });

  test('when more intents match than the limit, then next_page leads to the rest', async () => {
    for (const n of [1, 2, 3]) await authorize(`order-page-${n}`, 7770);

    const first = await stripe.paymentIntents.search({ query: 'amount:7770', limit: 2 });
    const rest = await stripe.paymentIntents.search({
      query: 'amount:7770',
      limit: 2,
      page: first.next_page ?? '',
    });

    expect(first).toMatchObject({ has_more: true, next_page: expect.any(String) as unknown });
    expect(first.data).toHaveLength(2);
    expect(rest).toMatchObject({ has_more: false, next_page: null });
    expect(rest.data).toHaveLength(1);
  });

  test.each([
    ['a field the emulator does not search', "description:'x'"],
    ['a substring match', "metadata['order_id']~'order'"],
    ['AND mixed with OR', "status:'succeeded' AND amount:1 OR amount:2"],
    ['an empty query', ' '],
  ])('when the query has %s, then 400 naming query', async (_what, query) => {
    const error = await rejection(stripe.paymentIntents.search({ query }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, param: 'query' });
  });
});

describe('findOrderPayment', () => {
  test('when the authorization answer was lost, then the compensation finds the intent Stripe made and can release it', async () => {
    emulator.faults.add({ type: 'error-after-write', method: 'POST', path: '/v1/payment_intents' });
    await rejection(authorize('order-lost-answer'));

    const found = await payments.findOrderPayment('order-lost-answer');
    if (!found) throw new Error('not found');
    await payments.releasePayment({
      orderId: 'order-lost-answer',
      paymentIntentId: found.paymentIntentId,
    });
    const intent = await stripe.paymentIntents.retrieve(found.paymentIntentId);

    expect(found).toEqual({
      paymentIntentId: expect.stringMatching(/^pi_/) as unknown,
      status: 'requires_capture',
      amount: 3100,
      amountCapturable: 3100,
      amountReceived: 0,
    });
    expect(intent.status).toBe('canceled');
  });

  test('when the customer is given, then the intent is found from the customer’s list', async () => {
    const made = await authorize('order-by-customer');
    const searches = emulator.stats.get('requests');
    emulator.faults.add({
      type: 'error-before-write',
      method: 'GET',
      path: '/v1/payment_intents/search',
    });

    const found = await payments.findOrderPayment({ orderId: 'order-by-customer', customerId });

    expect(found?.paymentIntentId).toBe(made.paymentIntentId);
    expect(emulator.stats.get('requests')).toBe(searches + 1);
    expect(emulator.faults.list()).toHaveLength(1);
  });

  test('when the order made no intent, then null, by search and by list', async () => {
    await authorize('order-other');

    expect(await payments.findOrderPayment('order-never-paid')).toBeNull();
    expect(await payments.findOrderPayment({ orderId: 'order-never-paid', customerId })).toBeNull();
  });

  test('when the order id holds a quote, then the input error names orderId and no query is sent', async () => {
    const error = await rejection(payments.findOrderPayment("order' OR status:'succeeded"));

    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.INVALID_REQUEST',
      field: 'orderId',
    });
  });
});
