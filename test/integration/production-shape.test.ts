import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  startProvisioningSimulators,
  type ProvisioningSimulators,
} from '../../local/simulators/start-simulators';
import { startStripeEmulator, type StripeEmulator } from '../../local/stripe-emulator';
import {
  CURRENT_CATALOG_VERSION,
  getCatalog,
  grantsForAddon,
  grantsForPlan,
} from '../../src/catalog';
import { openLedger, type Ledger } from '../../src/ledger';
import { FINAL_STATES, type OrderStatus } from '../../workflows/order-types';
import { addonOrder, callApi, planOrder } from './support/order-stack';
import { ensureProductionBuild } from './support/production-build';
import { serviceEnv, startProvisionerProcess } from './support/worker-process';

/**
 * The production shape without Docker: the compiled build (`node dist/src/cli/main.js`,
 * as the image runs it) as two `provisioner worker` processes and one `provisioner api`,
 * on PostgreSQL (a schema of this test's own) and the integration run's dev server, with
 * the Stripe emulator and the provisioning simulators. One worker is killed with SIGKILL
 * while orders are in flight; the other finishes them, each exactly once.
 */
const databaseUrl = process.env.DATABASE_URL;
const schema = `production_shape_${process.pid}_${randomBytes(4).toString('hex')}`;
const TOKEN = 'production-shape-provisioning-token';
const CHECKOUT_KEY = randomBytes(24).toString('hex');
const OPS_KEY = randomBytes(24).toString('hex');
const log = (line: string) => process.stderr.write(`[production-shape] ${line}\n`);

let stripe: StripeEmulator;
let simulators: ProvisioningSimulators;
let ledger: Ledger;
let apiUrl: string;
const workers: ChildProcess[] = [];
const processes: ChildProcess[] = [];

beforeAll(async () => {
  if (!databaseUrl) {
    throw new Error(
      'the production-shape test needs PostgreSQL: run `sudo bash scripts/start-postgres.sh` and export the DATABASE_URL it prints',
    );
  }
  await ensureProductionBuild(log);
  stripe = await startStripeEmulator({ port: 0 });
  simulators = await startProvisioningSimulators({ token: TOKEN, calendarSyncPort: 0, cepPort: 0 });
  // Created and migrated here, so the three processes find the schema ready.
  ledger = await openLedger({ databaseUrl, schema });
  const separator = databaseUrl.includes('?') ? '&' : '?';
  const schemaUrl = `${databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = {
    ...serviceEnv(
      {
        TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
        TEMPORAL_TASK_QUEUE: `production-shape-${randomUUID()}`,
        STRIPE_SECRET_KEY: stripe.secretKey,
        STRIPE_API_BASE: stripe.url,
        CALENDAR_SYNC_URL: simulators.calendarSync.url,
        CALENDAR_SYNC_TOKEN: TOKEN,
        CEP_URL: simulators.cep.url,
        CEP_TOKEN: TOKEN,
        TEMPORAL_CODEC_KEYS: `production-shape:${randomBytes(32).toString('base64')}`,
      },
      schemaUrl,
    ),
    NODE_ENV: 'production',
    API_PORT: '0',
    API_KEYS: `shop:checkout:*:${CHECKOUT_KEY},ops-team:ops:*:${OPS_KEY}`,
    // An activity of the killed worker is retried elsewhere after this long.
    ORDER_STEP_TIMEOUT_MS: '5000',
    ORDER_STEP_ATTEMPTS: '5',
    ORDER_STEP_INITIAL_INTERVAL_MS: '200',
  };
  const settled = await Promise.allSettled([
    startProvisionerProcess('api', env, /API listening on (\S+)/, 'dist'),
    startProvisionerProcess('worker', env, /worker polling/, 'dist'),
    startProvisionerProcess('worker', env, /worker polling/, 'dist'),
  ]);
  // Those that started are stopped in afterAll even when another did not start.
  for (const result of settled) {
    if (result.status === 'fulfilled') processes.push(result.value.child);
  }
  const [apiStarted, first, second] = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
  apiUrl = apiStarted.match[1];
  workers.push(first.child, second.child);
}, 400_000);

afterAll(async () => {
  for (const child of processes) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (ledger) {
    await ledger.db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await ledger.close();
  }
  await simulators?.close();
  await stripe?.close();
});

const api = <T>(method: string, path: string, key: string, body?: unknown) =>
  callApi<T>(apiUrl, method, path, key, body);

/** The orders' states as the ledger mirrors them: a cheap poll, unlike 20 workflow queries. */
async function ledgerStates(orderIds: string[]): Promise<Map<string, string>> {
  const rows = await ledger.db.query<{ order_id: string; state: string }>(
    'SELECT order_id, state FROM orders WHERE order_id = ANY($1)',
    [orderIds],
  );
  return new Map(rows.map((row) => [row.order_id, row.state]));
}

async function until(check: () => Promise<boolean> | boolean, what: () => string) {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isFinal = (state: string | undefined) => FINAL_STATES.some((final) => final === state);

const PLANS = [
  'sales-essentials',
  'sales-premium',
  'service-essentials',
  'service-premium',
  'marketing-essentials',
  'marketing-premium',
];

test('when one of two workers of the compiled build is killed while 20 orders run, every order completes once: one capture each, its licenses granted once', async () => {
  const plans = PLANS.flatMap((plan) => [
    planOrder({ plan, seats: 2, assignTo: ['alice', 'bob'] }),
    planOrder({ plan, seats: 1, assignTo: ['carol'] }),
  ]);
  const addons = [
    ...Array.from({ length: 4 }, () => addonOrder('cep')),
    ...Array.from({ length: 4 }, () => addonOrder('calendar-sync')),
  ];
  const orders = [...plans, ...addons];
  const orderIds = orders.map((order) => order.orderId);
  // Provisioning takes 5 s, so add-on orders are mid-way when the worker dies.
  simulators.cep.faults.delay(5000);
  simulators.calendarSync.faults.delay(5000);

  const answers = await Promise.all(
    orders.map((order) => api('POST', '/v1/orders', CHECKOUT_KEY, order)),
  );
  expect(answers.map((a) => a.status).filter((s) => s !== 201 && s !== 202)).toEqual([]);

  // Mid-way: some plan orders captured, the add-ons held in provisioning.
  await until(
    () => stripe.stats.get('captures') >= 3,
    () => `three captures (${stripe.stats.get('captures')} so far)`,
  );
  const killed = workers[0];
  killed.kill('SIGKILL');
  await new Promise((resolve) => killed.once('exit', resolve));
  const atKill = await ledgerStates(orderIds);
  expect(orderIds.filter((id) => isFinal(atKill.get(id))).length).toBeLessThan(orders.length);
  simulators.cep.faults.clear();
  simulators.calendarSync.faults.clear();

  let states = new Map<string, string>();
  await until(
    async () => {
      states = await ledgerStates(orderIds);
      return orderIds.every((id) => isFinal(states.get(id)));
    },
    () => `every order to finish: ${orderIds.map((id) => `${id}:${states.get(id)}`).join(', ')}`,
  );
  // As the API answers for them.
  const done = await Promise.all(
    orderIds.map(async (orderId) => {
      const { status, body } = await api<OrderStatus>('GET', `/v1/orders/${orderId}`, OPS_KEY);
      expect({ orderId, status }).toEqual({ orderId, status: 200 });
      return body;
    }),
  );

  expect(done.filter((o) => o.state !== 'completed')).toEqual([]);
  // Stripe: one PaymentIntent per order, authorized once, captured once, never released.
  const stats = stripe.stats.snapshot();
  const intents = done.map((o) => o.payment!.paymentIntentId);
  expect(new Set(intents).size).toBe(orders.length);
  expect(Object.keys(stats.intents).sort()).toEqual([...intents].sort());
  for (const intent of intents) {
    expect({ intent, ...stats.intents[intent] }).toEqual({
      intent,
      authorizations: 1,
      captures: 1,
      charges: 0,
      declines: 0,
      cancels: 0,
      refunds: 0,
    });
  }
  // The ledger: each order's licenses granted once and in force, one paid period each.
  const catalog = getCatalog(CURRENT_CATALOG_VERSION);
  const expectedGrants = [
    ...plans.map((o) => ({
      order: o,
      grants: grantsForPlan(catalog, o.plan, o.assignTo, o.tenantId),
    })),
    ...addons.map((o) => ({ order: o, grants: grantsForAddon(catalog, o.addon, o.tenantId) })),
  ];
  for (const { order, grants: expected } of expectedGrants) {
    const granted = await ledger.db.query<{ subject_id: string; feature: string }>(
      `SELECT subject_id, feature FROM grants
       WHERE granted_by_order_id = $1 AND revoked_at IS NULL`,
      [order.orderId],
    );
    expect(granted.map((g) => `${g.subject_id}:${g.feature}`).sort()).toEqual(
      expected.map((g) => `${g.subject.id}:${g.feature}`).sort(),
    );
    const subscription = await ledger.getSubscription(`sub-${order.orderId}`);
    expect({ orderId: order.orderId, status: subscription?.status }).toEqual({
      orderId: order.orderId,
      status: 'active',
    });
    const periods = await ledger.db.query<{ count: string }>(
      'SELECT count(*) AS count FROM subscription_periods WHERE paid_by = $1',
      [order.orderId],
    );
    expect(Number(periods[0]?.count)).toBe(1);
  }
  // The add-ons' resources: one each.
  const resources = [...simulators.cep.resources(), ...simulators.calendarSync.resources()];
  for (const order of addons) {
    expect(resources.filter((r) => r.tenantId === order.tenantId)).toHaveLength(1);
  }
}, 90_000);
