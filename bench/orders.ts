import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { Client } from '@temporalio/client';
import { Pool } from 'pg';
import { temporal } from '@temporalio/proto';
import { startLocalStack } from '../local/stack/local-stack';
import { startDevServer } from '../local/binaries/servers';
import { startBaseline } from './baseline/server';
import type { BaselineShape } from './baseline/workflows';
import { orderWorkflowId } from '../workflows/order-types';
import { startStandInProcesses } from '../local/stack/stand-in-processes';
import { SUBSCRIBED_EVENT_TYPES } from '../src/payments';
import { cpuFigures, cpuLine, findProcesses, postgresProcesses, type CpuParts } from './cpu-meter';
import { serverRequestMeter } from './server-requests';
import { freeLoopbackPort } from '../src/telemetry/metrics';
import { median } from './rounds';
import { flag, wholeNumberFlag } from './flags';
import { getCatalog } from '../src/catalog';

/**
 * Orders end to end on the local stack (Temporal dev server, worker, API, the ledger on
 * PGlite or PostgreSQL; the Stripe emulator and the simulators in processes of their
 * own, as the services they stand in for are), measured against a
 * reference in the same run on the same dev server: a no-op workflow of the order's
 * shape behind a bare HTTP route (see bench/baseline/). Checkout latency (until the
 * authorization answer), time until completed and throughput, for a bounded number of
 * orders at a fixed concurrency, and per order what it costs Temporal (activities,
 * workflow tasks, search-attribute upserts, history events; from the server's own
 * metrics, its database requests) and where its time goes (each activity type's queue
 * wait and run time). Prints figures and ratios, asserts nothing:
 *
 *   npx tsx bench/orders.ts [orders] [concurrency] [--rounds N] [--warm-up N] [--rate N] [--reference local] [--database-url postgres://…]
 *
 * With `--database-url` the ledger runs on that PostgreSQL server, in a schema of its own
 * that is dropped at the end; without it, on PGlite in memory.
 *
 * The halves run in rounds, baseline and product in turn (ABBA: the second round runs the
 * product first), so that a machine that speeds up or slows down during the run weighs on
 * both alike: this machine is shared, and one pass of each half gave ratios from 0.70×
 * to 1.01× for the same code. Each round's halves buy for tenants of their own, so every
 * round creates the same Stripe customers. Printed per round, and the ratios as the
 * median of the rounds' (`--rounds N`, default 4).
 *
 * Each order's end is awaited as Temporal reports it (one long poll for the workflow's
 * result, which is the order's final status) for both halves. `--poll-ms N` instead polls
 * `GET /v1/orders/:id` every N ms, as a client without that wait would: every poll is a
 * workflow query through the worker, so at 20 ms the polls cost more than the orders.
 *
 * `--rate N` places N orders a second instead of `concurrency` at a time, each without
 * waiting for the ones before it (an open loop), so both halves carry the same load and
 * their CPU per order compares work for work: at full load each half's figures include
 * how much the other processes slowed it, and the half that keeps the cores busier pays
 * more for everything, the Temporal server's share too. The ratio printed is then the
 * product's CPU per order over the baseline's (their throughputs are both the rate).
 *
 * The reference runs each step as an activity of its own, the shape the goals are set
 * against. `--reference local` runs its steps as the product does since revision 3 (local
 * activities but the grant), so the ratio is the product's work over the floor of its own
 * shape.
 */
const DATABASE_URL = flag('--database-url');
if (process.argv.includes('--database-url') && !DATABASE_URL?.startsWith('postgres')) {
  throw new Error('--database-url: expected a postgres:// URL after it');
}
const POLL_MS = flag('--poll-ms') === undefined ? undefined : Number(flag('--poll-ms'));
if (POLL_MS !== undefined && !(POLL_MS > 0)) {
  throw new Error('--poll-ms: expected a positive number of milliseconds after it');
}
const ROUNDS = wholeNumberFlag('--rounds', 4, 1, 'rounds');
const WARM_UP_ORDERS = wholeNumberFlag('--warm-up', 400, 0, 'orders');
const RATE = flag('--rate') === undefined ? undefined : Number(flag('--rate'));
if (RATE !== undefined && !(RATE > 0)) {
  throw new Error('--rate: expected a positive number of orders a second after it');
}
const REFERENCE_FLAG = flag('--reference') ?? 'activities';
if (REFERENCE_FLAG !== 'activities' && REFERENCE_FLAG !== 'local') {
  throw new Error('--reference: expected "activities" or "local" after it');
}
const REFERENCE: BaselineShape = REFERENCE_FLAG;
const FLAGS = ['--database-url', '--poll-ms', '--rounds', '--warm-up', '--rate', '--reference'];
const positional = process.argv
  .slice(2)
  .filter((_, i, all) => !FLAGS.includes(all[i]) && !FLAGS.includes(all[i - 1]));
const ORDERS = Number(positional[0] ?? 200);
const CONCURRENCY = Number(positional[1] ?? 8);
/**
 * Orders each half places first, unmeasured (`--warm-up N`, default 400), so that neither
 * is measured while its code is still being compiled and its connections opened. V8
 * optimizes a function once it has run enough, and much of the product's code runs a few
 * times per order: with `node --trace-opt`, the product's half alone, after 40 orders of
 * warm-up, had 129, 98, 116, 78 and 77 functions optimized in each of the next five
 * stretches of 50 orders (0.9–1.1 s of compiling each), and 37–55 (0.2–0.7 s) in each
 * from the 250th to the 800th. The halves warm up in turns of 100 orders, each turn
 * printed. Each turn buys for tenants of its own (a user holds one seat of a plan), and
 * none of them is measured: the measured orders still create their tenants' Stripe
 * customers.
 */
const WARM_UP = { count: WARM_UP_ORDERS, batch: 100, tenants: 'warm-up-tenant' };
const FINAL = ['completed', 'declined', 'compensated'];
/** The add-ons whose order provisions something (a step, and an activity, more). */
const PROVISIONED = getCatalog()
  .addons.filter((addon) => addon.provisioning !== 'none')
  .map((addon) => addon.key);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface RunFigures {
  throughput: number;
  checkoutP50: number;
  completedP50: number;
  /** Milliseconds of CPU per order, every part of the stack together (when counted). */
  cpu?: number;
}

function orderBody(i: number, prefix: string, tenants: string) {
  return {
    kind: i % 3 === 0 ? 'addon' : 'plan',
    orderId: `${prefix}-${i}`,
    tenantId: `${tenants}-${i % 50}`,
    ...(i % 3 === 0
      ? { addon: 'cep' }
      : { plan: i % 2 ? 'sales-premium' : 'service-essentials', seats: 5, assignTo: [`u${i}`] }),
    period: 'month',
    customer: { email: 'billing@example.com' },
    paymentMethod: 'pm_card_visa',
  };
}

/** How the bench learns that an order ended, and in which state. */
type FinalState = (orderId: string) => Promise<string>;

/** The order's end as the API answers it, polled every `pollMs`. */
const polledState =
  (baseUrl: string, headers: Record<string, string>, pollMs: number): FinalState =>
  async (orderId) => {
    for (;;) {
      const status = (await (
        await fetch(`${baseUrl}/v1/orders/${orderId}`, { headers })
      ).json()) as { state: string };
      if (FINAL.includes(status.state)) return status.state;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

/** The order's end as Temporal reports it: the workflow's result, its final status. */
const resultState =
  (client: Client, workflowId: (orderId: string) => string): FinalState =>
  async (orderId) => {
    const result: unknown = await client.workflow.getHandle(workflowId(orderId)).result();
    return typeof result === 'string' ? result : (result as { state: string }).state;
  };

async function run(
  label: string,
  baseUrl: string,
  headers: Record<string, string>,
  prefix: string,
  finalState: FinalState,
  {
    count = ORDERS,
    tenants = 'bench-tenant',
    cpu,
    serverMetrics,
    brief = false,
  }: {
    count?: number;
    tenants?: string;
    cpu?: CpuParts;
    serverMetrics?: string;
    /** One line: throughput and CPU per order (the warm-up's turns). */
    brief?: boolean;
  } = {},
) {
  // Read first: its reading waits for the server's counters, which the CPU is not to include.
  const serverRequests = serverMetrics && (await serverRequestMeter(serverMetrics));
  const cpuUsed = cpu && cpuFigures(cpu);
  const checkout: number[] = [];
  const completion: number[] = [];
  let failures = 0;
  const placeOne = async (i: number) => {
    const body = orderBody(i, prefix, tenants);
    const started = performance.now();
    const response = await fetch(`${baseUrl}/v1/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    checkout.push(performance.now() - started);
    if (response.status !== 201) failures++;
    if ((await finalState(body.orderId)) !== 'completed') failures++;
    completion.push(performance.now() - started);
  };
  const began = performance.now();
  if (RATE) {
    // Each order at its time from the start, whatever the ones before it are doing.
    const placed: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const due = began + (i * 1000) / RATE - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      placed.push(placeOne(i));
    }
    await Promise.all(placed);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) await placeOne(next++);
      }),
    );
  }
  const seconds = (performance.now() - began) / 1000;
  checkout.sort((a, b) => a - b);
  completion.sort((a, b) => a - b);
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const used = cpuUsed?.(count);
  const figures: RunFigures = {
    throughput: count / seconds,
    checkoutP50: percentile(checkout, 50),
    completedP50: percentile(completion, 50),
    cpu: used?.total,
  };
  if (brief) {
    console.log(
      `${label}: ${figures.throughput.toFixed(1)} orders/s` +
        (used ? `; ${cpuLine(used, 'order')}` : '') +
        (failures ? `; ${failures} not completed` : ''),
    );
    return figures;
  }
  const load = RATE ? `${RATE} a second` : `concurrency ${CONCURRENCY}`;
  console.log(`${label}: ${count} orders, ${load}, ${failures} not completed`);
  console.log(`  throughput: ${figures.throughput.toFixed(1)} orders/s completed`);
  console.log(
    `  checkout answer: p50 ${ms(percentile(checkout, 50))}, p90 ${ms(percentile(checkout, 90))}, p99 ${ms(percentile(checkout, 99))}`,
  );
  console.log(
    `  until completed: p50 ${ms(percentile(completion, 50))}, p90 ${ms(percentile(completion, 90))}, p99 ${ms(percentile(completion, 99))}`,
  );
  if (used) console.log(`  ${cpuLine(used, 'order')}`);
  if (serverRequests) console.log(`  ${await serverRequests(count, 'order')}`);
  return figures;
}

const millis = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  time ? Number(time.seconds ?? 0) * 1000 + (time.nanos ?? 0) / 1e6 : 0;

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

/**
 * What one order costs and where its time goes, from the histories of `workflowIds`:
 * per order, the activities, local activities, workflow tasks, search-attribute upserts
 * and history events; per activity type, the mean time it waited for a worker (scheduled
 * → started) and ran (started → completed); and the mean time workflow tasks waited and
 * ran, local activities included.
 */
async function breakdown(client: Client, workflowIds: string[]): Promise<string[]> {
  const { EventType } = temporal.api.enums.v1;
  const isLocalActivity = (event: temporal.api.history.v1.IHistoryEvent) =>
    event.markerRecordedEventAttributes?.markerName === 'core_local_activity';
  const perActivity = new Map<string, { wait: number[]; run: number[] }>();
  const counts = {
    activities: [] as number[],
    local: [] as number[],
    tasks: [] as number[],
    upserts: [] as number[],
  };
  const events: number[] = [];
  const bytes: number[] = [];
  const taskWait: number[] = [];
  const taskRun: number[] = [];
  const localTypes = new Set<string>();
  for (const id of workflowIds) {
    const history = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const byId = new Map(history.map((event) => [Number(event.eventId), event]));
    const count = (type: temporal.api.enums.v1.EventType) =>
      history.filter((event) => event.eventType === type).length;
    counts.activities.push(count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED));
    counts.local.push(history.filter(isLocalActivity).length);
    counts.tasks.push(count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED));
    counts.upserts.push(count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES));
    events.push(history.length);
    bytes.push(
      history.reduce(
        (sum, event) => sum + temporal.api.history.v1.HistoryEvent.encode(event).finish().length,
        0,
      ),
    );
    for (const event of history) {
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const attributes = event.activityTaskCompletedEventAttributes;
        const scheduled = byId.get(Number(attributes?.scheduledEventId));
        const started = byId.get(Number(attributes?.startedEventId));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        const times = perActivity.get(name) ?? { wait: [], run: [] };
        times.wait.push(millis(started?.eventTime) - millis(scheduled?.eventTime));
        times.run.push(millis(event.eventTime) - millis(started?.eventTime));
        perActivity.set(name, times);
      }
      if (isLocalActivity(event)) {
        // The SDK's own data in the marker, in plain JSON, names the step; its time is part
        // of the workflow task that ran it.
        const [data] = event.markerRecordedEventAttributes?.details?.data?.payloads ?? [];
        const marker = JSON.parse(Buffer.from(data?.data ?? []).toString() || '{}') as {
          activity_type?: string;
        };
        localTypes.add(marker.activity_type ?? '?');
      }
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        const scheduled = byId.get(
          Number(event.workflowTaskStartedEventAttributes?.scheduledEventId),
        );
        taskWait.push(millis(event.eventTime) - millis(scheduled?.eventTime));
      }
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        const started = byId.get(
          Number(event.workflowTaskCompletedEventAttributes?.startedEventId),
        );
        taskRun.push(millis(event.eventTime) - millis(started?.eventTime));
      }
    }
  }
  const ms = (values: number[]) => `${mean(values).toFixed(0)}`;
  const perOrder = (values: number[]) => mean(values).toFixed(1);
  return [
    `per order (mean of ${workflowIds.length}): ${perOrder(counts.activities)} activities, ` +
      `${perOrder(counts.local)} local activities, ${perOrder(counts.tasks)} workflow tasks, ` +
      `${perOrder(counts.upserts)} search-attribute upserts, ` +
      `${perOrder(events)} history events of ${(mean(bytes) / 1024).toFixed(1)} KiB`,
    `activities, wait + run ms (mean): ` +
      [...perActivity]
        .map(([name, times]) => `${name} ${ms(times.wait)} + ${ms(times.run)}`)
        .join(', '),
    `workflow tasks: wait ${ms(taskWait)} ms, run ${ms(taskRun)} ms (mean of ${taskRun.length})` +
      (localTypes.size ? `, running the local activities ${[...localTypes].join(', ')}` : ''),
  ];
}

/**
 * The ledger the bench runs on: PGlite in memory, or a schema of its own on the
 * PostgreSQL server at `databaseUrl` (dropped by `drop`), so a shared server keeps
 * nothing of the run.
 */
async function benchLedger(databaseUrl: string | undefined) {
  if (!databaseUrl) return { env: { PGLITE_DATA_DIR: 'memory://' }, label: 'PGlite', drop: noop };
  const schema = `bench_orders_${process.pid}_${Date.now()}`;
  const admin = new Pool({ connectionString: databaseUrl, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATABASE_URL: url.toString() },
    label: `PostgreSQL (schema ${schema})`,
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

const noop = async () => undefined;

/** Every figure a round's ratio and the rounds' median are taken of. */
const FIGURES = ['throughput', 'checkoutP50', 'completedP50', 'cpu'] as const;
const eachFigure = (figure: (name: (typeof FIGURES)[number]) => number) =>
  Object.fromEntries(FIGURES.map((name) => [name, figure(name)])) as Required<RunFigures>;

/** At a fixed rate both halves' throughput is the rate: what differs is what an order costs. */
const formatRatio = (ratio: RunFigures) =>
  (RATE
    ? `CPU per order ${ratio.cpu!.toFixed(2)}x the baseline's; `
    : `throughput ${ratio.throughput.toFixed(2)}x the baseline; `) +
  `checkout p50 ${ratio.checkoutP50.toFixed(2)}x; completed p50 ${ratio.completedP50.toFixed(2)}x`;

async function main(): Promise<void> {
  const ledger = await benchLedger(DATABASE_URL);
  const metricsPort = await freeLoopbackPort();
  const server = await startDevServer({ metricsPort });
  const standIns = await startStandInProcesses();
  const stack = await startLocalStack({
    ephemeralPorts: true,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: server.address,
      LOG_LEVEL: 'warn',
      ...ledger.env,
      ...standIns.env,
      // The worker's tuning, when the environment sets it (see src/config.ts).
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => name.startsWith('WORKER_')),
      ),
    },
  });
  await standIns.addWebhookEndpoint(`${stack.api.url}/v1/webhooks/stripe`, SUBSCRIBED_EVENT_TYPES);
  console.log(
    `ledger: ${ledger.label}; ${cpus().length} cores; an order's end: ` +
      (POLL_MS ? `GET /v1/orders/:id every ${POLL_MS} ms` : "the workflow's result"),
  );
  // Where an order's CPU goes: the Temporal server; this process, which runs the worker
  // and the API of both halves (one half idle while the other is measured) and the load;
  // the stand-ins (emulator, simulators), which the baseline does not call; and with
  // --database-url, the PostgreSQL server's processes on this machine.
  const port = new URL(`http://${server.address}`).port;
  const cpu: CpuParts = {
    'Temporal server': () => findProcesses('start-dev', `--port ${port}`),
    'worker + API + load': () => [process.pid],
    'stand-ins': () => standIns.pids,
    ...(DATABASE_URL ? { PostgreSQL: postgresProcesses } : {}),
  };
  const key = stack.generatedApiKeys!.checkout;
  const json = { 'content-type': 'application/json' };
  try {
    // The reference on the same dev server, with as many steps as the same order runs in
    // the product: ensureCustomer, authorize, grant, capture and record, and provision
    // for an add-on that needs it; each an activity of its own, or with `--reference
    // local` as the product runs them (local activities but the grant). A client of its
    // own, without the product's payload codec: the floor is Temporal's.
    const baseline = await startBaseline({
      client: new Client({ connection: stack.client.connection }),
      address: server.address,
      steps: (order) =>
        order.kind === 'addon' && PROVISIONED.includes(String(order.addon)) ? 6 : 5,
      shape: REFERENCE,
    });
    const headers = { ...json, authorization: `Bearer ${key}` };
    const halves = {
      baseline: {
        label: `baseline (no-op workflow${REFERENCE === 'local' ? ' of local activities' : ''}, bare route)`,
        url: baseline.url,
        headers: json,
        prefix: 'ref',
        workflowId: (orderId: string) => `baseline-${orderId}`,
        state: POLL_MS
          ? polledState(baseline.url, json, POLL_MS)
          : resultState(stack.client, (orderId) => `baseline-${orderId}`),
      },
      product: {
        label: 'orders (the product)',
        url: stack.api.url,
        headers,
        prefix: 'bench',
        workflowId: orderWorkflowId,
        state: POLL_MS
          ? polledState(stack.api.url, headers, POLL_MS)
          : resultState(stack.client, orderWorkflowId),
      },
    };
    type Half = (typeof halves)[keyof typeof halves];
    for (let done = 0; done < WARM_UP.count; done += WARM_UP.batch) {
      const count = Math.min(WARM_UP.batch, WARM_UP.count - done);
      for (const half of [halves.baseline, halves.product]) {
        await run(
          `${half.label}, warm-up, orders ${done + 1}–${done + count}`,
          half.url,
          half.headers,
          `${half.prefix}-warm-${done}`,
          half.state,
          { count, tenants: `${WARM_UP.tenants}-${done}`, cpu, brief: true },
        );
      }
    }
    const measure = (half: Half, round: number) =>
      run(
        `${half.label}, round ${round}`,
        half.url,
        half.headers,
        `${half.prefix}-r${round}`,
        half.state,
        {
          tenants: `r${round}-tenant`,
          cpu,
          serverMetrics: `http://127.0.0.1:${metricsPort}/metrics`,
        },
      );
    const ratios: RunFigures[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // ABBA: the product goes first in every other round.
      const productFirst = round % 2 === 0;
      const first = await measure(productFirst ? halves.product : halves.baseline, round);
      const second = await measure(productFirst ? halves.baseline : halves.product, round);
      const [reference, orders] = productFirst ? [second, first] : [first, second];
      const ratio = eachFigure((name) => orders[name]! / reference[name]!);
      ratios.push(ratio);
      console.log(`  round ${round}: ${formatRatio(ratio)}`);
    }
    const sample = (half: Half) =>
      Array.from({ length: Math.min(ORDERS, 30) }, (_, i) =>
        half.workflowId(`${half.prefix}-r1-${i}`),
      );
    for (const half of [halves.baseline, halves.product]) {
      console.log(`${half.label}, round 1:`);
      for (const line of await breakdown(stack.client, sample(half))) console.log(`  ${line}`);
    }
    await baseline.close();
    const medians = eachFigure((name) => median(ratios.map((ratio) => ratio[name]!)));
    console.log(`ratio, median of ${ROUNDS} rounds: ${formatRatio(medians)}`);
  } finally {
    await stack.close();
    await standIns.close();
    await server.teardown();
    await ledger.drop();
  }
}

void main();
