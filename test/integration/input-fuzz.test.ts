import fc from 'fast-check';
import { signWebhookPayload } from '../../local/stripe-emulator';
import { purchaseSchema } from '../../src/catalog/purchase';
import { CHECKOUT_KEY, startOrderStack, type OrderStack } from './support/order-stack';

/**
 * Bad input at scale: thousands of generated checkout bodies, each invalid by
 * construction (a valid order with one field broken, or no order at all), and webhook
 * bodies that are not Stripe events. Every answer is a 4xx with a stable error code, and
 * nothing happens: no workflow, no Stripe call, no ledger row.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const WEBHOOK_SECRET = 'whsec_local_provisioner';
const ERROR_CODES = new Set([
  'INVALID_INPUT',
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'BODY_TOO_LARGE',
]);

const validPlan = {
  kind: 'plan',
  orderId: 'fuzz-order',
  tenantId: 'fuzz-tenant',
  plan: 'sales-premium',
  seats: 3,
  period: 'month',
  assignTo: ['ann', 'bob'],
  customer: { email: 'billing@example.com' },
  paymentMethod: 'pm_card_visa',
};
const validAddon = {
  kind: 'addon',
  orderId: 'fuzz-order',
  tenantId: 'fuzz-tenant',
  addon: 'calendar-sync',
  period: 'year',
  settings: { provider: 'google', settings: { workspaceDomain: 'example.com' } },
  customer: { email: 'billing@example.com' },
};

/** Values no field of a checkout accepts (numbers that could be a seat count excluded). */
const hostile = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.string({ minLength: 256, maxLength: 20_000 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map((s) => `${s}\u0000\u202e`),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '../../etc/passwd',
    "'; DROP TABLE orders; --",
  ),
  fc.double().filter((d) => !Number.isInteger(d) || d < 1 || d > 10_000),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
  fc.boolean(),
);

/** Ids must be [A-Za-z0-9_-], 1-64: these never are. */
const badId = fc.oneof(
  fc.constant(''),
  fc.string({ minLength: 65, maxLength: 1000 }).map((s) => `x${s}`.padEnd(65, 'x')),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `${s} .`),
  fc.constantFrom('__proto__.x', 'a/b', 'ünïcode', 'tab\tid', 'line\nbreak'),
);

type Body = Record<string, unknown>;
type Breakage = readonly [field: string, value: unknown];

const common: fc.Arbitrary<Breakage>[] = [
  fc.tuple(fc.constantFrom('kind', 'period', 'customer'), hostile),
  fc.tuple(fc.constantFrom('orderId', 'tenantId'), fc.oneof(badId, hostile)),
  fc.tuple(
    fc.constantFrom('kind', 'orderId', 'tenantId', 'period', 'customer'),
    fc.constant(undefined),
  ),
  fc.tuple(
    fc.constant('paymentMethod'),
    fc.oneof(fc.constant(''), fc.constant(42), fc.string({ minLength: 256, maxLength: 2000 })),
  ),
  fc.tuple(
    fc.constant('customer'),
    fc.constantFrom({}, { email: 'not-an-email' }, { stripeCustomerId: 'acct_1' }),
  ),
];
const planBreakages: fc.Arbitrary<Breakage>[] = [
  ...common,
  fc.tuple(fc.constantFrom('plan', 'seats'), hostile),
  fc.tuple(fc.constantFrom('plan', 'seats'), fc.constant(undefined)),
  fc.constant(['assignTo', ['ann', 'bob', 'cy', 'dee']] as const),
  fc.constant(['assignTo', ['ann', 'ann']] as const),
  fc.constant(['assignTo', Array.from({ length: 10_001 }, (_, i) => `u${i}`)] as const),
  fc.tuple(fc.constant('assignTo'), fc.array(badId, { minLength: 1, maxLength: 3 })),
];
const addonBreakages: fc.Arbitrary<Breakage>[] = [
  ...common,
  fc.tuple(fc.constantFrom('addon', 'settings'), hostile),
  fc.tuple(fc.constantFrom('addon', 'settings'), fc.constant(undefined)),
];

function broken(base: Body, breakages: fc.Arbitrary<Breakage>[]): fc.Arbitrary<Body> {
  return fc.oneof(...breakages).map(([field, value]) => {
    const body: Body = { ...base };
    if (value === undefined) delete body[field];
    else body[field] = value;
    return body;
  });
}

/** A valid order of either kind with exactly one thing broken. */
const brokenOrder = fc.oneof(broken(validPlan, planBreakages), broken(validAddon, addonBreakages));

/** Bodies that are no order at all. */
const notAnOrder = fc.oneof(
  fc.anything().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
  fc.dictionary(fc.string(), fc.anything(), { maxKeys: 8 }),
  fc.constant(
    JSON.parse('{"__proto__": {"kind": "plan"}, "constructor": {"prototype": {}}}') as unknown,
  ),
);

describe('bad input at scale', () => {
  let stack: OrderStack;
  beforeAll(async () => {
    stack = await startOrderStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function post(path: string, body: string, headers: Record<string, string>) {
    const response = await fetch(`${stack.api.url}${path}`, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, text };
  }

  async function nothingHappened() {
    const workflows = await stack.client.workflow.count(
      `TaskQueue = '${stack.config.TEMPORAL_TASK_QUEUE}'`,
    );
    const [rows] = await stack.services.ledger.db.query<{ n: number | string }>(
      `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM tenants)
            + (SELECT count(*) FROM subscriptions) + (SELECT count(*) FROM grants) AS n`,
    );
    return {
      workflows: workflows.count,
      ledgerRows: Number(rows.n),
      stripeRequests: stack.stripe!.stats.get('requests'),
    };
  }

  it(`when ${RUNS} generated checkout bodies are sent, then each is a 4xx with a stable code and nothing starts`, async () => {
    const headers = { authorization: `Bearer ${CHECKOUT_KEY}`, 'content-type': 'application/json' };
    // The bodies the breakages start from are valid: each failure is the breakage's.
    expect(purchaseSchema.safeParse(validPlan).success).toBe(true);
    expect(purchaseSchema.safeParse(validAddon).success).toBe(true);
    const before = await nothingHappened();
    await fc.assert(
      fc.asyncProperty(fc.oneof(brokenOrder, brokenOrder, notAnOrder), async (body) => {
        const { status, text } = await post('/v1/orders', JSON.stringify(body) ?? 'null', headers);
        const error = (JSON.parse(text) as { error?: { code?: string } }).error;
        return status >= 400 && status < 500 && ERROR_CODES.has(error?.code ?? '');
      }),
      { numRuns: RUNS },
    );
    expect(await nothingHappened()).toEqual(before);
  }, 300_000);

  it('when the body is not JSON, has another media type or is too large, then the same error shape with its code', async () => {
    const auth = { authorization: `Bearer ${CHECKOUT_KEY}` };
    const broken = await post('/v1/orders', '{"kind": "plan",', {
      ...auth,
      'content-type': 'application/json',
    });
    const text = await post('/v1/orders', 'kind=plan', { ...auth, 'content-type': 'text/plain' });
    const huge = await post('/v1/orders', JSON.stringify({ pad: 'x'.repeat(2_000_000) }), {
      ...auth,
      'content-type': 'application/json',
    });

    expect([broken.status, text.status, huge.status]).toEqual([400, 415, 413]);
    expect(
      [broken, text, huge].map(
        (r) => (JSON.parse(r.text) as { error: { code: string } }).error.code,
      ),
    ).toEqual(['INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'BODY_TOO_LARGE']);
  });

  it(`when ${RUNS} webhook bodies are signed garbage or replayed outside the tolerance, then 400 and nothing is routed`, async () => {
    const before = await nothingHappened();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc.anything().map((v) => JSON.stringify(v) ?? 'null'),
          fc.dictionary(fc.string(), fc.anything()).map((v) => JSON.stringify(v)),
        ),
        async (payload) => {
          const { status, text } = await post('/v1/webhooks/stripe', payload, {
            'content-type': 'application/json',
            'stripe-signature': signWebhookPayload(payload, WEBHOOK_SECRET),
          });
          return status === 400 && /"code":"WEBHOOK\./.test(text);
        },
      ),
      { numRuns: RUNS },
    );
    const event = JSON.stringify({
      id: 'evt_replayed',
      object: 'event',
      type: 'payment_intent.succeeded',
      created: 1,
      livemode: false,
      data: { object: { id: 'pi_x', object: 'payment_intent', metadata: { order_id: 'o-1' } } },
    });
    const replayed = await post('/v1/webhooks/stripe', event, {
      'content-type': 'application/json',
      'stripe-signature': signWebhookPayload(
        event,
        WEBHOOK_SECRET,
        Math.floor(Date.now() / 1000) - 301,
      ),
    });

    expect(replayed.status).toBe(400);
    expect(await nothingHappened()).toEqual(before);
  }, 300_000);
});
