import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';

/**
 * The emulator's wire contract as any client sees it (curl, another language's SDK):
 * Stripe's form encoding and error format, and the `/_emulator` controls over HTTP.
 */
let emulator: StripeEmulator;

beforeAll(async () => {
  emulator = await startStripeEmulator();
});

afterEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  await emulator.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  options: {
    form?: string;
    headers?: Record<string, string>;
    json?: unknown;
    key?: string | null;
  } = {},
): Promise<Answer> {
  const key = options.key === undefined ? emulator.secretKey : options.key;
  const headers: Record<string, string> = { ...options.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = options.form;
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${emulator.url}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

const heldIntentForm = [
  'amount=2500',
  'currency=eur',
  'capture_method=manual',
  'confirm=true',
  'payment_method=pm_card_visa',
  'automatic_payment_methods[enabled]=true',
  'automatic_payment_methods[allow_redirects]=never',
].join('&');

describe('the emulated Stripe API over HTTP', () => {
  test('when no API key is given, then 401 in Stripe error format', async () => {
    const answer = await call('GET', '/v1/events', { key: null });

    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  test('when the key comes as HTTP Basic (curl -u sk_test_…:), then it is accepted as Stripe accepts it', async () => {
    const basic = Buffer.from(`${emulator.secretKey}:`).toString('base64');

    const answer = await call('GET', '/v1/events', {
      key: null,
      headers: { authorization: `Basic ${basic}` },
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ object: 'list' });
  });

  test('when nested metadata and an expand[] array are sent, then they are read as Stripe reads them', async () => {
    const answer = await call('POST', '/v1/payment_intents', {
      form: `${heldIntentForm}&metadata[order_id]=o-77&metadata[plan]=sales%20premium&expand[]=latest_charge`,
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      object: 'payment_intent',
      status: 'requires_capture',
      metadata: { order_id: 'o-77', plan: 'sales premium' },
      latest_charge: { object: 'charge', captured: false, amount: 2500 },
    });
    expect(answer.body.id).toMatch(/^pi_/);
    expect(answer.body.client_secret).toMatch(/^pi_\w+_secret_\w+$/);
  });

  test('when a search query comes as curl sends it (-G --data-urlencode), then the intent is found by its metadata', async () => {
    const made = await call('POST', '/v1/payment_intents', {
      form: `${heldIntentForm}&metadata[order_id]=order-curl`,
    });

    const query = encodeURIComponent("metadata['order_id']:'order-curl'");
    const found = await call('GET', `/v1/payment_intents/search?query=${query}`);

    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      object: 'search_result',
      url: '/v1/payment_intents/search',
      has_more: false,
      next_page: null,
      data: [{ id: made.body.id }],
    });
  });

  test("when a customer's cards are listed over HTTP, then both list paths answer Stripe lists", async () => {
    const customer = await call('POST', '/v1/customers', { form: 'payment_method=pm_card_visa' });
    const id = String(customer.body.id);

    const nested = await call('GET', `/v1/customers/${id}/payment_methods?type=card`);
    const filtered = await call('GET', `/v1/payment_methods?customer=${id}&type=card`);

    expect(nested.body).toMatchObject({ object: 'list', data: [{ customer: id, type: 'card' }] });
    expect(filtered.body).toEqual({ ...nested.body, url: '/v1/payment_methods' });
  });

  test('when a card number is given inline, then the test card decides the outcome', async () => {
    const answer = await call('POST', '/v1/payment_intents', {
      form: [
        'amount=2500',
        'currency=eur',
        'confirm=true',
        'payment_method_types[0]=card',
        'payment_method_data[type]=card',
        'payment_method_data[card][number]=4000000000009995',
      ].join('&'),
    });

    expect(answer.status).toBe(402);
    expect(answer.body).toMatchObject({
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        payment_intent: { status: 'requires_payment_method' },
      },
    });
  });

  test('when a payment method is made from a card number, then it can pay like the test payment method of that card', async () => {
    const method = await call('POST', '/v1/payment_methods', {
      form: 'type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2040',
    });
    const paid = await call('POST', '/v1/payment_intents', {
      form: `amount=900&currency=usd&confirm=true&payment_method_types[0]=card&payment_method=${String(method.body.id)}`,
    });
    const badNumber = await call('POST', '/v1/payment_methods', {
      form: 'type=card&card[number]=4242424242424241',
    });

    expect(method.body).toMatchObject({
      object: 'payment_method',
      card: { brand: 'visa', last4: '4242' },
    });
    expect(paid.body).toMatchObject({ status: 'succeeded', amount_received: 900 });
    expect(badNumber).toMatchObject({ status: 402, body: { error: { code: 'incorrect_number' } } });
  });

  test('when an unknown parameter is sent, then 400 parameter_unknown naming it in bracket form', async () => {
    const answer = await call('POST', '/v1/payment_intents', {
      form: `${heldIntentForm}&automatic_payment_methods[mode]=x`,
    });

    expect(answer).toMatchObject({
      status: 400,
      body: { error: { code: 'parameter_unknown', param: 'automatic_payment_methods[mode]' } },
    });
  });

  test('when a required parameter is missing, then 400 parameter_missing naming it', async () => {
    const answer = await call('POST', '/v1/payment_intents', { form: 'currency=eur' });

    expect(answer).toMatchObject({
      status: 400,
      body: { error: { code: 'parameter_missing', param: 'amount' } },
    });
  });

  test('when a path is unknown, then 404 in Stripe error format', async () => {
    const answer = await call('GET', '/v1/subscriptions');

    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  test('when a POST is repeated with its Idempotency-Key, then the same body comes back marked replayed; other parameters get 400', async () => {
    const headers = { 'idempotency-key': 'wire-replay' };
    const first = await call('POST', '/v1/customers', { form: 'email=a%40contoso.com', headers });
    const second = await call('POST', '/v1/customers', { form: 'email=a%40contoso.com', headers });
    const changed = await call('POST', '/v1/customers', { form: 'email=b%40contoso.com', headers });

    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(changed).toMatchObject({ status: 400, body: { error: { type: 'idempotency_error' } } });
  });

  test('when events are listed by type, then the newest comes first and each can be retrieved by id', async () => {
    await call('POST', '/v1/customers', { form: 'email=first%40contoso.com' });
    await call('POST', '/v1/customers', { form: 'email=second%40contoso.com' });

    const list = await call('GET', '/v1/events?type=customer.created&limit=2');
    const data = list.body.data as { id: string; data: { object: { email: string } } }[];
    const one = await call('GET', `/v1/events/${data[0]?.id ?? ''}`);

    expect(data.map((event) => event.data.object.email)).toEqual([
      'second@contoso.com',
      'first@contoso.com',
    ]);
    expect(one.body).toMatchObject({ object: 'event', type: 'customer.created' });
  });
});

describe('the /_emulator controls over HTTP', () => {
  test('when a fault rule is posted, then it applies to the next matching request only, and GET lists what is left', async () => {
    const added = await call('POST', '/_emulator/faults', {
      json: { type: 'error-before-write', path: '/v1/customers', times: 1 },
    });
    const listed = await call('GET', '/_emulator/faults');
    const faulted = await call('POST', '/v1/customers', { form: '' });
    const next = await call('POST', '/v1/customers', { form: '' });

    expect(added.status).toBe(201);
    expect(listed.body).toMatchObject({
      faults: [{ type: 'error-before-write', times: 1, status: 500 }],
    });
    expect(faulted).toMatchObject({ status: 500, body: { error: { type: 'api_error' } } });
    expect(next.status).toBe(200);
  });

  test('when a fault rule is invalid, then 400 naming the field, and no rule is added', async () => {
    const answer = await call('POST', '/_emulator/faults', {
      json: { type: 'delay', path: '/v1/customers' },
    });
    const listed = await call('GET', '/_emulator/faults');

    expect(answer).toMatchObject({ status: 400, body: { error: { param: 'ms' } } });
    expect(listed.body).toEqual({ faults: [] });
  });

  test('when faults are deleted, then requests are answered normally again', async () => {
    await call('POST', '/_emulator/faults', {
      json: { type: 'rate-limit', path: '/v1/', times: 5 },
    });

    const deleted = await call('DELETE', '/_emulator/faults');
    const answer = await call('GET', '/v1/events');

    expect(deleted.status).toBe(204);
    expect(answer.status).toBe(200);
  });

  test('when stats are read, then they count effects per intent', async () => {
    const created = await call('POST', '/v1/payment_intents', { form: heldIntentForm });
    const id = String(created.body.id);
    await call('POST', `/v1/payment_intents/${id}/capture`, { form: '' });

    const stats = await call('GET', '/_emulator/stats');

    expect(stats.body).toMatchObject({ intents: { [id]: { authorizations: 1, captures: 1 } } });
  });
});
