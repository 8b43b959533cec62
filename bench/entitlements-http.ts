/**
 * How fast the API answers "which features does this user hold, and why": a tenant of
 * 10,000 users on a mix of plans, the real HTTP API on a loopback port, 16 concurrent
 * clients (in a worker thread) reading random users' entitlements for at most 20 s (or
 * 20,000 requests), then one read of the whole tenant.
 * Runs on PGlite, and on PostgreSQL when a database is given (`--database-url URL`, else
 * DATABASE_URL), in a schema of its own that it drops at the end; `--engine pglite` or
 * `--engine postgres` runs one only. Prints figures, asserts nothing.
 * Run: npx tsx bench/entitlements-http.ts [--database-url URL] [--engine pglite|postgres]
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import { parseApiKeys } from '../src/api/api-keys';
import { buildApi } from '../src/api/app';
import { createLedger, migrate, openDatabase, type GrantSpec, type Ledger } from '../src/ledger';
import { TENANT_PLAN_MIX } from './tenant-mix';

const TENANT = 'bench-tenant';
const USERS = 10_000;
const CONCURRENCY = 16;
const MAX_REQUESTS = 20_000;
const MAX_SECONDS = 20;
/** The product and the ceiling alternate in this many rounds of MAX_SECONDS / ROUNDS each. */
const ROUNDS = 4;
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
async function read(user = nextUser()) {
  const response = await fetch(w.baseUrl + '/v1/tenants/' + w.tenant + '/users/user-' + user + '/entitlements', { headers });
  await response.arrayBuffer();
  if (response.status !== 200) errors += 1;
}
(async () => {
  for (let i = 0; i < w.warmup; i++) await read(i);
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

function runLoad(baseUrl: string, warmup: number, maxSeconds: number): Promise<LoadResult> {
  const workerData = {
    baseUrl,
    tenant: TENANT,
    users: USERS,
    warmup,
    key: KEY,
    concurrency: CONCURRENCY,
    maxRequests: MAX_REQUESTS / ROUNDS,
    maxSeconds,
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

interface Figures {
  throughput: number;
  p50: number;
  p99: number;
}

function report(label: string, { latencies, errors, seconds }: LoadResult): Figures {
  const sorted = Float64Array.from(latencies).sort();
  const figures = {
    throughput: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
  console.log(
    `  ${label}: ${figures.throughput.toFixed(0)} requests/s (${latencies.length} in ${seconds.toFixed(1)} s, ` +
      `concurrency ${CONCURRENCY}, errors ${errors}), p50 ${ms(figures.p50)}, p99 ${ms(figures.p99)}, max ${ms(sorted[sorted.length - 1])}`,
  );
  return figures;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

/**
 * The product against its ceiling: bare Fastify answering the same path with a fixed
 * body of the same size, under the same load thread, in the same run. The two take turns
 * in short rounds, so a machine whose load drifts during the run weighs on both alike.
 */
async function measureAgainstCeiling(
  baseUrl: string,
  body: string,
): Promise<{ product: Figures; ceiling: Figures }> {
  const bare = Fastify({ logger: false });
  bare.get('/v1/tenants/:tenantId/users/:userId/entitlements', (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(body),
  );
  const ceilingUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const add = (total: LoadResult, round: LoadResult) => {
    for (const latency of round.latencies) total.latencies.push(latency);
    total.errors += round.errors;
    total.seconds += round.seconds;
  };
  const product: LoadResult = { latencies: [], errors: 0, seconds: 0 };
  const ceiling: LoadResult = { latencies: [], errors: 0, seconds: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      add(product, await runLoad(baseUrl, 0, MAX_SECONDS / ROUNDS));
      add(ceiling, await runLoad(ceilingUrl, 0, MAX_SECONDS / ROUNDS));
    }
  } finally {
    await bare.close();
  }
  return {
    product: report('user entitlement reads', product),
    ceiling: report('ceiling (bare route, fixed body)', ceiling),
  };
}

async function measureTenantPages(baseUrl: string): Promise<void> {
  const headers = { authorization: `Bearer ${KEY}` };
  const firstPage = async () => {
    const t0 = performance.now();
    const response = await fetch(`${baseUrl}/v1/tenants/${TENANT}/entitlements?pageSize=200`, {
      headers,
    });
    const size = (await response.arrayBuffer()).byteLength;
    return { response, size, ms: performance.now() - t0 };
  };
  const first = await firstPage();
  // Then as a polling client sees it: the median of a few more.
  const again: number[] = [];
  for (let i = 0; i < 9; i++) again.push((await firstPage()).ms);
  again.sort((a, b) => a - b);
  let token: string | null = null;
  let pages = 0;
  let bytes = 0;
  const t1 = performance.now();
  do {
    const query: string = token ? `&pageToken=${token}` : '';
    const page = await fetch(`${baseUrl}/v1/tenants/${TENANT}/entitlements?pageSize=1000${query}`, {
      headers,
    });
    const text = await page.text();
    bytes += text.length;
    token = (JSON.parse(text) as { nextPageToken: string | null }).nextPageToken;
    pages += 1;
  } while (token);
  console.log(
    `  whole tenant: first page of 200 users ${ms(first.ms)} (${(first.size / 1024).toFixed(0)} KiB, status ${first.response.status}), ` +
      `then median ${ms(again[4])} of 9 more; ` +
      `all ${USERS} users in ${pages} pages of 1000: ${ms(performance.now() - t1)}, ${(bytes / 1_048_576).toFixed(1)} MiB`,
  );
}

async function run(engine: 'pglite' | 'postgres', databaseUrl?: string): Promise<void> {
  const schema = `bench_entitlements_${process.pid}`;
  const db =
    engine === 'postgres' ? await openDatabase({ databaseUrl, schema }) : await openDatabase();
  const ledger = createLedger(db);
  const app = buildApi({ ledger, apiKeys: parseApiKeys(`${KEY}:read`) });
  try {
    await migrate(db);
    console.log(`${engine}:`);
    const t0 = performance.now();
    const { grants } = await seed(ledger);
    // A bulk load is followed by ANALYZE, as autovacuum would within its minute on
    // PostgreSQL (PGlite's ledger refreshes its statistics itself, see pglite-db.ts).
    if (engine === 'postgres') await db.exec('ANALYZE');
    console.log(
      `  seeded ${USERS} users, ${grants} grants in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    // Steady state: every user read once first (a cold read goes to the ledger).
    await runLoad(baseUrl, USERS, 0);
    const sample = await fetch(`${baseUrl}/v1/tenants/${TENANT}/users/user-1/entitlements`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const body = await sample.text();
    const { product, ceiling } = await measureAgainstCeiling(baseUrl, body);
    console.log(
      `  ratio: throughput ${(product.throughput / ceiling.throughput).toFixed(2)}x the ceiling, ` +
        `p99 ${(product.p99 / ceiling.p99).toFixed(2)}x the ceiling's (body ${(body.length / 1024).toFixed(1)} KiB)`,
    );
    await measureTenantPages(baseUrl);
  } finally {
    await app.close();
    if (engine === 'postgres') await db.exec(`DROP SCHEMA "${schema}" CASCADE`);
    await ledger.close();
  }
}

function options(argv: string[]): { databaseUrl?: string; engines: Set<string> } {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    if (at < 0) return undefined;
    const given = argv[at + 1];
    if (!given || given.startsWith('--')) throw new Error(`${flag} needs a value`);
    return given;
  };
  const engine = value('--engine');
  if (engine !== undefined && engine !== 'pglite' && engine !== 'postgres') {
    throw new Error(`--engine must be pglite or postgres, not ${engine}`);
  }
  return {
    databaseUrl: value('--database-url') ?? process.env.DATABASE_URL,
    engines: new Set(engine ? [engine] : ['pglite', 'postgres']),
  };
}

async function main(): Promise<void> {
  const { databaseUrl, engines } = options(process.argv.slice(2));
  console.log(`machine: ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(2)}`);
  if (engines.has('pglite')) await run('pglite');
  if (!engines.has('postgres')) return;
  if (databaseUrl) await run('postgres', databaseUrl);
  else console.log('postgres: skipped (no --database-url and DATABASE_URL is not set)');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
