import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startDevServer } from '../local/binaries/servers';
import { startLocalStack, type LocalStack } from '../local/stack/local-stack';
import { startStandInProcesses } from '../local/stack/stand-in-processes';
import { CURRENT_CATALOG_VERSION } from '../src/catalog';
import { dataConverterFor, renewalStepPolicy, subscriptionPolicy } from '../src/runtime/temporal';
import { temporalConnectionOptions } from '../src/runtime/temporal-connection';
import type { SweepInput } from '../workflows/renewal-types';
import { renewalWorkflowId } from '../workflows/subscription-types';
import { temporalCost, timeBreakdown } from './history-figures';
import { createBaselineActivities } from './baseline/renewal-activities';
import { cpuMeter, findProcesses, type CpuParts } from './cpu-meter';
import { median } from './rounds';
import { wholeNumberFlag } from './flags';

/**
 * One renewal sweep on the local stack (Temporal dev server, worker, PGlite; the Stripe
 * emulator in a process of its own, as Stripe is) over N due subscriptions, until every
 * one has its paid period, and the baseline of the same shape with activities that do
 * nothing, in the same run. The two take turns in rounds (ABBA: renewals first in odd
 * rounds), so a shared machine that slows down weighs on both; the ratio printed last is
 * the median of the rounds'. Each half also prints the CPU one renewal cost the Temporal
 * server, this process (worker and sweep) and the Stripe emulator.
 * Prints figures, asserts nothing:
 *
 *   npx tsx bench/renewals.ts [N ...] [--rounds R]  (default N 10000, R 2)
 */
const ROUNDS = wholeNumberFlag('--rounds', 2, 1, 'rounds');
const SIZES = process.argv
  .slice(2)
  .filter((_, i, all) => all[i] !== '--rounds' && all[i - 1] !== '--rounds')
  .map(Number);
const PAGE_SIZE = 500;
const CONCURRENCY = 8;
const HOUR = 60 * 60 * 1000;
/**
 * Subscriptions renewed once before each measurement, unmeasured: a worker in service is
 * warm (compiled code, workflow sandboxes, connections), and a cold start is not what a
 * sweep costs.
 */
const WARMUP = 50;
/** Renewals whose histories are read for where the time went. */
const SAMPLE = 20;

async function seed(stack: LocalStack, n: number): Promise<{ tenantId: string; start: Date }> {
  const tenantId = `bench-${randomUUID().slice(0, 8)}`;
  const customerId = await stack.services.payments.ensureCustomer({ tenantId });
  const end = new Date(Date.now() - HOUR);
  const start = new Date(end.getTime() - 30 * 24 * HOUR);
  await stack.services.ledger.ensureTenant(tenantId);
  // One statement per thousand rows: seeding is not what is measured.
  for (let from = 0; from < n; from += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - from) }, (_, i) => ({
      id: `sub-${tenantId}-${from + i}`,
    }));
    await stack.services.ledger.db.query(
      `INSERT INTO subscriptions (id, tenant_id, kind, product_key, seats, period, status,
         catalog_version, current_period_start, current_period_end, settings,
         stripe_customer_id, payment_method_id, order_id)
       SELECT r.id, $2, 'plan', 'sales-essentials', 1, 'month', 'active', $3, $4, $5, '{}'::jsonb,
              $6, 'pm_card_visa', 'bench-order'
         FROM jsonb_to_recordset($1::text::jsonb) AS r(id text)`,
      [JSON.stringify(rows), tenantId, CURRENT_CATALOG_VERSION, start, end, customerId],
    );
  }
  return { tenantId, start };
}

async function paidCount(stack: LocalStack, tenantId: string): Promise<number> {
  const [row] = await stack.services.ledger.db.query<{ n: number | string }>(
    'SELECT count(*) AS n FROM subscription_periods WHERE tenant_id = $1',
    [tenantId],
  );
  return Number(row?.n ?? 0);
}

async function historyOf(stack: LocalStack, workflowId: string) {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events?.length ?? 0;
}

async function measureRenewals(stack: LocalStack, n: number) {
  const { tenantId, start } = await seed(stack, n);
  const workflowId = `bench-sweep-${randomUUID()}`;
  const input: SweepInput = {
    job: 'renewals',
    pageSize: PAGE_SIZE,
    concurrency: CONCURRENCY,
    policy: subscriptionPolicy(stack.config),
    steps: renewalStepPolicy(stack.config),
  };
  const began = performance.now();
  let swept: number | undefined;
  const sweep = stack.client.workflow
    .execute('renewalSweepWorkflow', {
      workflowId,
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      args: [input],
    })
    .then(() => {
      swept = performance.now();
    });
  // When the first and the middle renewals were paid, counted while the sweep still
  // starts them: start-up apart from the steady rate.
  let firstPaid: number | undefined;
  let halfPaid: number | undefined;
  for (let paid = 0; paid < n; paid = await paidCount(stack, tenantId)) {
    if (paid > 0) firstPaid ??= performance.now();
    if (paid >= n / 2) halfPaid ??= performance.now();
    await delay(250);
  }
  const ended = performance.now();
  await sweep;
  const seconds = (ended - began) / 1000;
  return {
    seconds,
    sweepSeconds: ((swept ?? ended) - began) / 1000,
    firstPaidSeconds: ((firstPaid ?? ended) - began) / 1000,
    secondHalfRate: n / 2 / ((ended - (halfPaid ?? began)) / 1000),
    history: await historyOf(stack, workflowId),
    ...(await shapeOf(
      stack.client,
      Array.from({ length: SAMPLE }, (_, i) =>
        renewalWorkflowId(`sub-${tenantId}-${Math.floor((i * n) / SAMPLE)}`, start.toISOString()),
      ),
    )),
  };
}

async function measureBaseline(stack: LocalStack, n: number) {
  const done = new Set<string>();
  const taskQueue = `bench-baseline-${randomUUID()}`;
  const connection = await NativeConnection.connect(temporalConnectionOptions(stack.config));
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./baseline/renewal-workflows'),
    // The stack's client encrypts payloads; the baseline's worker reads them as the product's does.
    dataConverter: dataConverterFor(stack.config),
    activities: createBaselineActivities(stack.client.workflow, (id) => done.add(id)),
  });
  const running = worker.run();
  const sweep = async (total: number) => {
    const id = `bench-noop-sweep-${randomUUID()}`;
    done.clear();
    await stack.client.workflow.execute('noopSweepWorkflow', {
      workflowId: id,
      taskQueue,
      args: [{ total, pageSize: PAGE_SIZE, concurrency: CONCURRENCY }],
    });
    while (done.size < total) await delay(100);
    return id;
  };
  // Warmed up as the product's worker is (see main), so neither pays a cold start.
  await sweep(WARMUP);
  const began = performance.now();
  const workflowId = await sweep(n);
  const seconds = (performance.now() - began) / 1000;
  const history = await historyOf(stack, workflowId);
  const shape = await shapeOf(
    stack.client,
    Array.from(
      { length: SAMPLE },
      (_, i) => `baseline-noop-${Math.floor((i * n) / SAMPLE)}-${workflowId}`,
    ),
  );
  worker.shutdown();
  await running;
  await connection.close();
  return { seconds, history, ...shape };
}

/** One workflow's cost to Temporal, and where a sample's time went. */
async function shapeOf(client: Client, ids: string[]) {
  return { cost: await temporalCost(client, ids[0]), breakdown: await timeBreakdown(client, ids) };
}

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const server = await startDevServer();
  const standIns = await startStandInProcesses();
  const stack = await startLocalStack({
    ephemeralPorts: true,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: server.address,
      PGLITE_DATA_DIR: 'memory://',
      LOG_LEVEL: 'warn',
      TEMPORAL_TASK_QUEUE: `bench-renewals-${randomUUID()}`,
      ...standIns.env,
    },
  });
  console.log(`machine: ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(2)}`);
  const port = new URL(`http://${server.address}`).port;
  const cpu: CpuParts = {
    'Temporal server': () => findProcesses('start-dev', `--port ${port}`),
    'worker + sweep': () => [process.pid],
    'stand-ins': () => standIns.pids,
  };
  try {
    await measureRenewals(stack, WARMUP);
    for (const n of SIZES.length > 0 ? SIZES : [10_000]) {
      console.log(
        `N=${n.toLocaleString('en')} due subscriptions, page ${PAGE_SIZE}, ${CONCURRENCY} starts at a time`,
      );
      const ratios: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const renewalsRun = async () => {
          const used = cpuMeter(cpu);
          const renewals = await measureRenewals(stack, n);
          const rate = n / renewals.seconds;
          console.log(
            `  round ${round}, renewals: ${rate.toFixed(1)} renewals/s (${renewals.seconds.toFixed(1)} s; the sweep itself ${renewals.sweepSeconds.toFixed(1)} s; ` +
              `first paid after ${renewals.firstPaidSeconds.toFixed(1)} s; second half ${renewals.secondHalfRate.toFixed(1)}/s)`,
          );
          console.log(`    ${used(n, 'renewal')}`);
          console.log(
            `    sweep history: ${renewals.history} events in its last run (one run per page)`,
          );
          console.log(
            `    one renewal: ${renewals.cost.stateTransitions} state transitions, ${renewals.cost.events} history events; ${renewals.breakdown}`,
          );
          return rate;
        };
        const baselineRun = async () => {
          const used = cpuMeter(cpu);
          const baseline = await measureBaseline(stack, n);
          const rate = n / baseline.seconds;
          console.log(
            `  round ${round}, no-op baseline: ${rate.toFixed(1)} workflows/s (${baseline.seconds.toFixed(1)} s, history ${baseline.history} events)`,
          );
          console.log(`    ${used(n, 'renewal')}`);
          console.log(
            `    one no-op renewal: ${baseline.cost.stateTransitions} state transitions, ${baseline.cost.events} history events; ${baseline.breakdown}`,
          );
          return rate;
        };
        // ABBA: the renewals go first in odd rounds.
        let rate: number;
        let baseRate: number;
        if (round % 2 === 1) {
          rate = await renewalsRun();
          baseRate = await baselineRun();
        } else {
          baseRate = await baselineRun();
          rate = await renewalsRun();
        }
        ratios.push(rate / baseRate);
        console.log(
          `  round ${round}: renewals at ${((rate / baseRate) * 100).toFixed(0)}% of the baseline`,
        );
      }
      console.log(
        `  N=${n.toLocaleString('en')}: renewals at ${(median(ratios) * 100).toFixed(0)}% of the baseline (median of ${ROUNDS} rounds)`,
      );
    }
  } finally {
    await stack.close();
    await standIns.close();
    await server.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
