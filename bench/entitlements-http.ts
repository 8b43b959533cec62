/**
 * How fast the API answers "which features does this user hold, and why": a tenant of
 * 10,000 users on a mix of plans, the real HTTP API on a loopback port, 16 concurrent
 * clients (in a worker thread) reading random users' entitlements for at most 20 s (or
 * 20,000 requests), then one read of the whole tenant.
 * Runs on PGlite, and on PostgreSQL when DATABASE_URL is set. Prints figures, asserts
 * nothing. Run: npx tsx bench/entitlements-http.ts
 */
import { Worker } from 'node:worker_threads';
import { parseApiKeys } from '../src/api/api-keys';
import { buildApi } from '../src/api/app';
import { createLedger, migrate, openDatabase, type GrantSpec, type Ledger } from '../src/ledger';
import { TENANT_PLAN_MIX } from './tenant-mix';

const TENANT = 'bench-tenant';
const USERS = 10_000;
const CONCURRENCY = 16;
const MAX_REQUESTS = 20_000;
const MAX_SECONDS = 20;
const KEY = 'bench-read-key';

// Sample feature keys in the shape of the licensing model; the ledger stores strings.
const BASE = [
  'contact-management',
  'calendar',
  'mobile-crm',
  'document-management',
  'email-integration',
  'basic-search',
  'dashboards',
];
const PLAN_FEATURES: Record<string, string[]> = {
  'sales-essentials': [...BASE, 'pipeline', 'opportunities'],
  'sales-premium': [
    ...BASE,
    'pipeline',
    'opportunities',
    'sales-guide',
    'targets',
    'saint',
    'quotes',
    'combined-selections',
    'project-management',
  ],
  'service-essentials': [...BASE, 'request-management', 'categorization', 'auto-replies'],
  'service-premium': [
    ...BASE,
    'request-management',
    'categorization',
    'auto-replies',
    'escalation',
    'auto-assign',
    'knowledge-base',
    'saint',
    'combined-selections',
    'project-management',
  ],
  'marketing-essentials': [
    ...BASE,
    'mailings',
    'forms',
    'consent-management',
    'combined-selections',
    'project-management',
  ],
  'marketing-premium': [
    ...BASE,
    'mailings',
    'forms',
    'consent-management',
    'combined-selections',
    'project-management',
    'marketing-automation',
  ],
};
const SYSTEM_LICENSES = ['sales-intelligence', 'quote-management', 'customer-centre'];
const ADDON_FEATURES = [
  'customer-portal',
  'self-service-tickets',
  'self-service-knowledge-base',
  'multi-language',
];

const MIX = TENANT_PLAN_MIX;

function plansOf(userIndex: number): string[] {
  let slot = userIndex % 100;
  for (const [weight, plans] of MIX) {
    if (slot < weight) return plans;
    slot -= weight;
  }
  return MIX[0][1];
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

async function seed(ledger: Ledger): Promise<{ grants: number }> {
  const usersByPlan = new Map<string, string[]>();
  for (let i = 0; i < USERS; i++) {
    for (const plan of plansOf(i))
      usersByPlan.set(plan, [...(usersByPlan.get(plan) ?? []), `user-${i}`]);
  }
  const period = {
    currentPeriodStart: '2026-01-01T00:00:00Z',
    currentPeriodEnd: '2027-01-01T00:00:00Z',
  };
  let grants = 0;
  for (const [plan, userIds] of usersByPlan) {
    const subscriptionId = `bench-${plan}`;
    const orderId = `bench-order-${plan}`;
    await ledger.recordSubscription({
      id: subscriptionId,
      tenantId: TENANT,
      kind: 'plan',
      productKey: plan,
      seats: userIds.length,
      period: 'year',
      catalogVersion: 1,
      orderId,
      ...period,
    });
    for (const batch of chunks(userIds, 2_000)) {
      await ledger.assignSeats({ subscriptionId, tenantId: TENANT, plan, userIds: batch, orderId });
    }
    const licenses: GrantSpec[] = SYSTEM_LICENSES.map((feature) => ({
      subject: { type: 'tenant', id: TENANT },
      feature,
      kind: 'system-license',
    }));
    for (const batch of chunks(userIds, 1_000)) {
      const features: GrantSpec[] = batch.flatMap((id) =>
        PLAN_FEATURES[plan].map((feature) => ({
          subject: { type: 'user' as const, id },
          feature,
          kind: 'feature' as const,
        })),
      );
      const result = await ledger.applyGrants({
        orderId,
        tenantId: TENANT,
        subscriptionId,
        productKey: plan,
        grants: [...features, ...licenses],
      });
      grants += result.inserted;
    }
  }
  await ledger.recordSubscription({
    id: 'bench-cep',
    tenantId: TENANT,
    kind: 'addon',
    productKey: 'cep',
    period: 'year',
    catalogVersion: 1,
    orderId: 'bench-order-cep',
    ...period,
  });
  const addon = await ledger.applyGrants({
    orderId: 'bench-order-cep',
    tenantId: TENANT,
    subscriptionId: 'bench-cep',
    productKey: 'cep',
    grants: ADDON_FEATURES.map((feature) => ({
      subject: { type: 'tenant', id: TENANT },
      feature,
      kind: 'addon-feature',
    })),
  });
  return { grants: grants + addon.inserted };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// The load runs in a worker thread, so the clients' own work (fetch, parsing) is not
// charged to the server's event loop. Plain CommonJS, evaluated.
const LOAD_SOURCE = `
const { parentPort, workerData: w } = require('node:worker_threads');
let seed = 42;
function nextUser() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % w.users;
}
const headers = { authorization: 'Bearer ' + w.key };
let errors = 0;
async function read() {
  const response = await fetch(w.baseUrl + '/v1/tenants/' + w.tenant + '/users/user-' + nextUser() + '/entitlements', { headers });
  await response.arrayBuffer();
  if (response.status !== 200) errors += 1;
}
(async () => {
  for (let i = 0; i < 300; i++) await read();
  const latencies = [];
  let sent = 0;
  const started = performance.now();
  const deadline = started + w.maxSeconds * 1000;
  async function client() {
    while (sent < w.maxRequests && performance.now() < deadline) {
      sent += 1;
      const t0 = performance.now();
      await read();
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: w.concurrency }, client));
  parentPort.postMessage({ latencies, errors, seconds: (performance.now() - started) / 1000 });
})();
`;

interface LoadResult {
  latencies: number[];
  errors: number;
  seconds: number;
}

function runLoad(baseUrl: string): Promise<LoadResult> {
  const workerData = {
    baseUrl,
    tenant: TENANT,
    users: USERS,
    key: KEY,
    concurrency: CONCURRENCY,
    maxRequests: MAX_REQUESTS,
    maxSeconds: MAX_SECONDS,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_SOURCE, { eval: true, workerData });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function measure(baseUrl: string): Promise<void> {
  const { latencies, errors, seconds } = await runLoad(baseUrl);
  const sorted = Float64Array.from(latencies).sort();
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  console.log(
    `  user entitlement reads: ${latencies.length} in ${seconds.toFixed(1)} s, concurrency ${CONCURRENCY}`,
  );
  console.log(
    `  throughput: ${(latencies.length / seconds).toFixed(0)} requests/s, errors: ${errors}`,
  );
  console.log(
    `  latency: p50 ${ms(percentile(sorted, 50))}, p90 ${ms(percentile(sorted, 90))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted[sorted.length - 1])}`,
  );

  const headers = { authorization: `Bearer ${KEY}` };
  const t0 = performance.now();
  const whole = await fetch(`${baseUrl}/v1/tenants/${TENANT}/entitlements`, { headers });
  const size = (await whole.arrayBuffer()).byteLength;
  console.log(
    `  whole tenant (${USERS} users): ${ms(performance.now() - t0)}, ${(size / 1_048_576).toFixed(1)} MiB, status ${whole.status}`,
  );
}

async function run(engine: 'pglite' | 'postgres'): Promise<void> {
  const schema = `bench_${process.pid}`;
  const db =
    engine === 'postgres'
      ? await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema })
      : await openDatabase();
  const ledger = createLedger(db);
  const app = buildApi({ ledger, apiKeys: parseApiKeys(`${KEY}:read`) });
  try {
    await migrate(db);
    console.log(`${engine}:`);
    const t0 = performance.now();
    const { grants } = await seed(ledger);
    console.log(
      `  seeded ${USERS} users, ${grants} grants in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    await measure(baseUrl);
  } finally {
    await app.close();
    if (engine === 'postgres') await db.exec(`DROP SCHEMA "${schema}" CASCADE`);
    await ledger.close();
  }
}

async function main(): Promise<void> {
  await run('pglite');
  if (process.env.DATABASE_URL) await run('postgres');
  else console.log('postgres: skipped (DATABASE_URL is not set)');
}

void main();
