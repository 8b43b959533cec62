import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { startDevServer } from '../local/binaries/servers';
import { startProvisioningSimulators } from '../local/simulators/start-simulators';
import { startStripeEmulator } from '../local/stripe-emulator';
import { dataConverterFor } from '../src/runtime/temporal';
import { orderWorkflowId } from '../workflows/order-types';
import { temporalCost } from './history-figures';
import { startProvisionerProcess } from '../test/integration/support/worker-process';
import { SUBSCRIBED_EVENT_TYPES } from '../src/payments';

/**
 * Memory under a steady load: the worker and the API run as separate processes
 * (`provisioner worker`, `provisioner api`, as in production) against a Temporal dev
 * server, the Stripe emulator, the provisioning simulators and PostgreSQL (a schema of
 * its own, dropped at the end). It measures the order throughput briefly (or takes
 * `--rate`), places orders at half of it for `--minutes`, and prints each process's
 * resident set size (VmRSS of /proc/PID/status) every minute, then whether each stayed
 * within ±15% of its value after minute 2. Prints figures, asserts nothing.
 *
 *   npx tsx bench/soak.ts [--minutes 10] [--rate ORDERS_PER_S] [--database-url URL]
 */
const TOKEN = 'soak-provisioning-token';
const WEBHOOK_SECRET = 'whsec_soak';
const TOLERANCE = 0.15;
const PROBE_ORDERS = 40;
const PROBE_CONCURRENCY = 8;

interface Options {
  minutes: number;
  rate?: number;
  databaseUrl: string;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    if (at < 0) return undefined;
    const given = argv[at + 1];
    if (given === undefined || given.startsWith('--')) throw new Error(`${flag} needs a value`);
    return given;
  };
  const positive = (flag: string, given: string | undefined) => {
    if (given === undefined) return undefined;
    const number = Number(given);
    if (!Number.isFinite(number) || number <= 0) {
      throw new Error(`${flag} must be a positive number, not ${given}`);
    }
    return number;
  };
  const databaseUrl = value('--database-url') ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error(
      '--database-url (or DATABASE_URL) is required: the worker and the API are two processes and share the ledger on PostgreSQL',
    );
  }
  return {
    minutes: positive('--minutes', value('--minutes')) ?? 10,
    rate: positive('--rate', value('--rate')),
    databaseUrl,
  };
}

/** The process's resident set size in MiB, as the kernel counts it. */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

function orderBody(run: string, i: number) {
  const tenantId = `soak-${run}-${i % 40}`;
  const base = {
    orderId: `soak-${run}-${i}`,
    tenantId,
    period: 'month',
    customer: { email: 'billing@soak.example' },
    paymentMethod: 'pm_card_visa',
  };
  if (i % 4 === 3) return { ...base, kind: 'addon', addon: 'cep' };
  const plan = ['sales-premium', 'service-essentials', 'marketing-essentials'][i % 3];
  return { ...base, kind: 'plan', plan, seats: 2, assignTo: [`user-${i}`] };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const run = randomBytes(3).toString('hex');
  const schema = `soak_${run}`;
  const admin = new Pool({ connectionString: options.databaseUrl, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(options.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);

  const server = await startDevServer();
  const stripe = await startStripeEmulator({ port: 0 });
  const simulators = await startProvisioningSimulators({ token: TOKEN });
  const apiKey = randomBytes(24).toString('hex');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LOG_LEVEL: 'warn',
    DATABASE_URL: url.toString(),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: `soak-${run}`,
    TEMPORAL_CODEC_KEYS: `soak:${randomBytes(32).toString('base64')}`,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    CALENDAR_SYNC_URL: simulators.calendarSync.url,
    CALENDAR_SYNC_TOKEN: TOKEN,
    CEP_URL: simulators.cep.url,
    CEP_TOKEN: TOKEN,
    API_KEYS: `soak-checkout:checkout:*:${apiKey}`,
    API_PORT: '0',
  };
  const children: ChildProcess[] = [];
  try {
    // The worker first: it migrates the ledger's schema before the API opens it.
    const worker = await startProvisionerProcess('worker', env, /worker polling/);
    children.push(worker.child);
    const api = await startProvisionerProcess('api', env, /API listening on (\S+)/);
    children.push(api.child);
    const baseUrl = api.match[1];
    stripe.webhooks.addEndpoint({
      url: `${baseUrl}/v1/webhooks/stripe`,
      secret: WEBHOOK_SECRET,
      enabledEvents: [...SUBSCRIBED_EVENT_TYPES],
    });
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const counts = { placed: 0, answered: 0, refused: 0, errors: 0 };
    const place = async (i: number) => {
      counts.placed += 1;
      try {
        const response = await fetch(`${baseUrl}/v1/orders`, {
          method: 'POST',
          headers,
          body: JSON.stringify(orderBody(run, i)),
        });
        await response.arrayBuffer();
        if (response.status === 201 || response.status === 202) counts.answered += 1;
        else counts.refused += 1;
      } catch {
        counts.errors += 1;
      }
    };
    let next = 0;

    console.log(
      `machine: ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(2)}; worker pid ${worker.child.pid}, API pid ${api.child.pid}`,
    );
    let rate = options.rate;
    if (rate === undefined) {
      // Checkouts answered per second at a fixed concurrency: the throughput to halve.
      const began = performance.now();
      const end = next + PROBE_ORDERS;
      await Promise.all(
        Array.from({ length: PROBE_CONCURRENCY }, async () => {
          while (next < end) await place(next++);
        }),
      );
      const measured = PROBE_ORDERS / ((performance.now() - began) / 1000);
      console.log(
        `throughput: ${measured.toFixed(2)} checkouts/s (${PROBE_ORDERS} orders, ${PROBE_CONCURRENCY} at a time)`,
      );
      rate = measured;
    }
    const target = rate / 2;
    console.log(`soak: ${target.toFixed(2)} orders/s for ${options.minutes} minutes`);
    console.log('minute | worker RSS MiB | API RSS MiB | placed | answered | refused | errors');

    const rows: { minute: number; worker: number; api: number }[] = [];
    const sample = () => {
      const row = {
        minute: rows.length + 1,
        worker: rssMiB(worker.child.pid!),
        api: rssMiB(api.child.pid!),
      };
      rows.push(row);
      console.log(
        `${String(row.minute).padStart(6)} | ${row.worker.toFixed(1).padStart(14)} | ${row.api.toFixed(1).padStart(11)} | ` +
          `${String(counts.placed).padStart(6)} | ${String(counts.answered).padStart(8)} | ${String(counts.refused).padStart(7)} | ${counts.errors}`,
      );
    };
    const sampler = setInterval(sample, 60_000);
    const pending = new Set<Promise<void>>();
    const began = performance.now();
    const totalMs = options.minutes * 60_000;
    // Open loop: each order at its own time, whether or not earlier ones have answered.
    for (let sent = 0; ; sent += 1) {
      const due = began + (sent * 1000) / target;
      if (due >= began + totalMs) break;
      const wait = due - performance.now();
      if (wait > 0) await delay(wait);
      const placing = place(next++).finally(() => pending.delete(placing));
      pending.add(placing);
    }
    await Promise.all(pending);
    while (rows.length < Math.floor(options.minutes)) await delay(100);
    clearInterval(sampler);
    const states = await admin.query<{ state: string; n: string }>(
      `SELECT state, count(*) AS n FROM ${schema}.orders GROUP BY state ORDER BY state`,
    );
    console.log(
      `orders by state at the end: ${states.rows.map((r) => `${r.state} ${r.n}`).join(', ')}`,
    );
    // What one order of each kind cost Temporal (orders 0 and 3 are a plan and an add-on).
    const client = new Client({
      connection: await Connection.connect({ address: server.address }),
      dataConverter: dataConverterFor({ TEMPORAL_CODEC_KEYS: env.TEMPORAL_CODEC_KEYS }),
    });
    for (const [label, i] of [
      ['plan', 0],
      ['add-on', 3],
    ] as const) {
      const cost = await temporalCost(client, orderWorkflowId(orderBody(run, i).orderId));
      console.log(
        `one ${label} order: ${cost.stateTransitions} state transitions, ${cost.events} history events`,
      );
    }
    await client.connection.close();

    const reference = rows.find((row) => row.minute === 2);
    if (!reference) {
      console.log('stable: not judged (the soak ran less than 2 minutes)');
      return;
    }
    for (const name of ['worker', 'api'] as const) {
      const later = rows.filter((row) => row.minute >= 2).map((row) => row[name]);
      const low = Math.min(...later);
      const high = Math.max(...later);
      const percent = (value: number) => {
        const change = (value / reference[name] - 1) * 100;
        return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
      };
      const within =
        low >= reference[name] * (1 - TOLERANCE) && high <= reference[name] * (1 + TOLERANCE);
      console.log(
        `${name}: minute 2 ${reference[name].toFixed(1)} MiB, then ${low.toFixed(1)}–${high.toFixed(1)} MiB ` +
          `(${percent(low)} to ${percent(high)}): ${within ? 'within' : 'outside'} ±${TOLERANCE * 100}%`,
      );
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode === null
          ? new Promise((resolve) => child.once('exit', resolve))
          : Promise.resolve(),
      ),
    );
    await simulators.close();
    await stripe.close();
    await server.teardown();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
