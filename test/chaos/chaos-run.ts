import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../local/binaries/servers';
import { runReconcile } from '../../src/cli/commands/reconcile';
import { FINAL_STATES, type OrderStatus } from '../../workflows/order-types';
import { startWorkerProcess } from '../integration/support/worker-process';
import {
  addonOrder,
  planOrder,
  startOrderStack,
  type OrderStack,
} from '../integration/support/order-stack';
import { freePort } from './free-port';
import { startOwnPostgres } from './own-postgres';

export interface ChaosOptions {
  orders: number;
  /** Worker SIGKILLs while orders are placed (at least 5). */
  kills: number;
  /** Checkouts in flight at once. */
  concurrency: number;
  /** How long the orders may take to settle once the injections stop. */
  settleTimeoutMs: number;
  log: (line: string) => void;
}

export interface ChaosFigures {
  orders: number;
  states: Record<string, number>;
  maxCapturesPerOrder: number;
  capturedMoreThanOnce: string[];
  holdsLeftOnFinalOrders: string[];
  drift: number;
  needsAttention: number;
  withoutReason: string[];
  notSettled: string[];
  duplicateAnswersDiffering: string[];
  injected: { workerKills: number; devServerRestarts: number; postgresRestarts: number };
  settleMs: number;
  totalMs: number;
  passed: boolean;
}

const PLANS = ['sales', 'service', 'marketing'].flatMap((s) =>
  ['essentials', 'premium'].map((t) => `${s}-${t}`),
);
const ADDONS = ['cep', 'ai', 'expander', 'calendar-sync'];
const STRIPE_TIMEOUT_MS = 1500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isFinal = (s: OrderStatus) => FINAL_STATES.includes(s.state);

/** Each order the run drives: a plan (seats, users) or an add-on, with the mix's extras. */
function orderMix(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const body =
      i % 10 < 7
        ? planOrder({
            plan: PLANS[i % PLANS.length],
            seats: 1 + (i % 3),
            assignTo: i % 2 === 0 ? ['alice'] : [],
          })
        : addonOrder(ADDONS[i % ADDONS.length]);
    return { body, duplicate: i % 10 === 3, abort: i % 20 === 7 };
  });
}

/**
 * The full local stack on a PostgreSQL and a Temporal dev server of its own (both
 * restarted once), a worker process SIGKILLed `kills` times, and 10% of Stripe and
 * provisioning calls failing; then the orders settle, reconcile runs, and the figures
 * say whether money matched licenses.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const { log } = options;
  const startedAt = Date.now();
  const since = new Date(startedAt - 60_000).toISOString();
  const dir = mkdtempSync(join(tmpdir(), 'provisioner-chaos-'));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const postgres = await startOwnPostgres();
    stops.push(() => postgres.stop());
    const temporalPort = await freePort();
    const historyFile = join(dir, 'temporal.sqlite');
    const devServer = { current: await startTemporal(temporalPort, historyFile) };
    stops.push(() => devServer.current.teardown());
    log(
      `PostgreSQL ${postgres.url}; Temporal dev server 127.0.0.1:${temporalPort}, history in ${historyFile}`,
    );

    const stack = await startOrderStack(
      {
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        DATABASE_URL: postgres.url,
        ORDER_STEP_ATTEMPTS: '4',
        ORDER_STEP_INITIAL_INTERVAL_MS: '200',
        ORDER_STEP_TIMEOUT_MS: '4000',
        STRIPE_TIMEOUT_MS: String(STRIPE_TIMEOUT_MS),
        CHECKOUT_ANSWER_TIMEOUT_MS: '1500',
      },
      { worker: false },
    );
    stops.push(() => stack.close());
    const workers = superviseWorker(stack, postgres.url, log);
    stops.push(() => workers.stop());
    await workers.started();

    const injected = { workerKills: 0, devServerRestarts: 0, postgresRestarts: 0 };
    injectFaults(stack);
    const mix = orderMix(options.orders);
    // The injections happen at fixed points of the placing, spread over it.
    const milestones = new Map<number, () => Promise<void>>();
    for (let k = 0; k < options.kills; k += 1) {
      milestones.set(Math.floor(((k + 1) * mix.length) / (options.kills + 2)), async () => {
        await workers.kill();
        injected.workerKills += 1;
      });
    }
    const at = (share: number) => Math.floor(mix.length * share) + 1;
    milestones.set(at(0.45), async () => {
      log('restarting the Temporal dev server');
      await devServer.current.teardown();
      devServer.current = await startTemporal(temporalPort, historyFile);
      injected.devServerRestarts += 1;
    });
    milestones.set(at(0.65), async () => {
      log('restarting PostgreSQL (immediate stop, as a crash)');
      await postgres.restart();
      injected.postgresRestarts += 1;
    });

    const duplicateAnswersDiffering: string[] = [];
    let placed = 0;
    const place = async (entry: (typeof mix)[number]) => {
      await checkout(stack, entry.body, log);
      placed += 1;
      const milestone = milestones.get(placed);
      if (milestone) {
        milestones.delete(placed);
        void milestone().catch((error: unknown) => log(`injection failed: ${String(error)}`));
      }
      if (entry.duplicate) {
        const again = await checkout(stack, entry.body, log);
        if (again.status === 409) duplicateAnswersDiffering.push(entry.body.orderId);
      }
      if (entry.abort) {
        await sleep(200);
        await stack.http.ops('abort', entry.body.orderId).catch(() => undefined);
      }
    };
    await inParallel(mix, options.concurrency, place);
    // Milestones not reached (rounding) still happen, before the injections stop.
    for (const milestone of milestones.values()) await milestone();
    log(
      `${mix.length} orders placed in ${Math.round((Date.now() - startedAt) / 1000)} s; injections stop`,
    );

    stack.stripe!.faults.clear();
    stack.simulators!.calendarSync.faults.clear();
    stack.simulators!.cep.faults.clear();
    await workers.started();
    const settleStart = Date.now();
    const finals = await settle(
      stack,
      mix.map((m) => m.body),
      options.settleTimeoutMs,
      log,
    );
    const settleMs = Date.now() - settleStart;

    let report = '';
    await runReconcile(
      stack.services,
      { since, json: false },
      { out: (t) => (report += t), err: log },
    );
    log(`reconcile:\n${report.trimEnd()}`);
    const { runs } = await stack.services.ledger.listReconcileRuns({ pageSize: 1 });
    const money = await moneyPerOrder(stack, finals);

    const states: Record<string, number> = {};
    for (const status of finals.values()) states[status.state] = (states[status.state] ?? 0) + 1;
    const attention = [...finals.values()].filter((s) => s.state === 'needs-attention');
    const figures: ChaosFigures = {
      orders: mix.length,
      states,
      maxCapturesPerOrder: Math.max(0, ...money.captures.values()),
      capturedMoreThanOnce: [...money.captures].filter(([, n]) => n > 1).map(([id]) => id),
      holdsLeftOnFinalOrders: money.holdsLeft,
      drift: runs[0]?.driftCount ?? -1,
      needsAttention: attention.length,
      withoutReason: attention.filter((s) => !s.attention?.error?.message).map((s) => s.orderId),
      notSettled: mix
        .map((m) => finals.get(m.body.orderId) ?? { orderId: m.body.orderId, state: 'unread' })
        .filter((s) => s.state !== 'needs-attention' && !FINAL_STATES.includes(s.state as never))
        .map((s) => s.orderId),
      duplicateAnswersDiffering,
      injected,
      settleMs,
      totalMs: Date.now() - startedAt,
      passed: false,
    };
    figures.passed =
      figures.drift === 0 &&
      figures.maxCapturesPerOrder <= 1 &&
      figures.holdsLeftOnFinalOrders.length === 0 &&
      figures.withoutReason.length === 0 &&
      figures.notSettled.length === 0 &&
      figures.duplicateAnswersDiffering.length === 0 &&
      injected.workerKills >= Math.min(5, options.kills) &&
      injected.devServerRestarts === 1 &&
      injected.postgresRestarts === 1;
    return figures;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => log(String(e)));
    rmSync(dir, { recursive: true, force: true });
  }
}

function startTemporal(port: number, dbFilename: string): Promise<TestWorkflowEnvironment> {
  return startDevServer({ port, dbFilename });
}

/** 10% of Stripe calls and 10% of provisioning calls fail, each in its own way. */
function injectFaults(stack: OrderStack): void {
  const stripe = { path: '/v1/', rate: 0.1 / 3, times: 1000 } as const;
  stack.stripe!.faults.add({ type: 'error-before-write', ...stripe });
  stack.stripe!.faults.add({ type: 'error-after-write', ...stripe });
  // Past the client's timeout: the answer never arrives, the request may still land.
  stack.stripe!.faults.add({ type: 'delay', ms: STRIPE_TIMEOUT_MS + 1000, ...stripe });
  for (const simulator of [stack.simulators!.calendarSync, stack.simulators!.cep]) {
    simulator.faults.add({ type: 'fail', status: 503, rate: 0.07 });
    simulator.faults.add({ type: 'drop', rate: 0.03 });
  }
}

/**
 * Checkout as a client does under faults: an answer lost (5xx, a dropped connection,
 * the API's database or Temporal restarting) is sent again, same id and same body.
 */
async function checkout(stack: OrderStack, body: { orderId: string }, log: (line: string) => void) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const answer = await stack.http.placeOrder(body);
      // A 202 is accepted, not lost: the order is followed (and sent again) while it settles.
      if (answer.status < 500) {
        if (answer.status >= 400)
          log(`${body.orderId}: checkout ${answer.status} ${JSON.stringify(answer.body)}`);
        return answer;
      }
      if (attempt >= 30) {
        log(
          `${body.orderId}: checkout still ${answer.status} after ${attempt} attempts: ${JSON.stringify(answer.body)}`,
        );
        return answer;
      }
    } catch (error: unknown) {
      if (attempt >= 30) {
        log(`${body.orderId}: checkout failed ${String(error)}`);
        return { status: 0, body: undefined };
      }
    }
    await sleep(Math.min(2000, 100 * attempt));
  }
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function inParallel<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** The worker as its own process: SIGKILLed on demand, restarted, and restarted if it dies. */
function superviseWorker(stack: OrderStack, databaseUrl: string, log: (line: string) => void) {
  let child: ChildProcess | undefined;
  // Every worker ever started, so that stopping kills one started by a racing restart too.
  const all = new Set<ChildProcess>();
  let starting: Promise<void> = Promise.resolve();
  let stopped = false;
  const start = (): Promise<void> =>
    (starting = (async () => {
      for (;;) {
        try {
          child = await startWorkerProcess(stack.config, databaseUrl, {
            STRIPE_TIMEOUT_MS: String(STRIPE_TIMEOUT_MS),
          });
          const mine = child;
          all.add(mine);
          if (stopped) mine.kill('SIGKILL');
          mine.once('exit', () => {
            if (!stopped && child === mine) {
              log('the worker exited by itself: starting another');
              void start();
            }
          });
          return;
        } catch (error: unknown) {
          if (stopped) return;
          log(`worker start failed, again: ${String(error).slice(0, 200)}`);
          await sleep(500);
        }
      }
    })());
  void start();
  return {
    started: () => starting,
    async kill() {
      await starting;
      const victim = child;
      child = undefined;
      if (victim && victim.exitCode === null) {
        const exited = new Promise((resolve) => victim.once('exit', resolve));
        victim.kill('SIGKILL');
        await exited;
      }
      log('worker SIGKILLed; starting another');
      await start();
    },
    async stop() {
      stopped = true;
      await starting;
      for (const worker of all) if (worker.exitCode === null) worker.kill('SIGKILL');
    },
  };
}

/**
 * Waits for every order to be final or to need attention; an order that needs
 * attention is retried once, then aborted if it needs attention again (its reason is
 * logged). Orders still waiting when time is up are left with their reason.
 */
async function settle(
  stack: OrderStack,
  orders: { orderId: string }[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<Map<string, OrderStatus>> {
  const bodies = new Map(orders.map((order) => [order.orderId, order]));
  const orderIds = [...bodies.keys()];
  const deadline = Date.now() + timeoutMs;
  const latest = new Map<string, OrderStatus>();
  const decided = new Map<string, 'retry' | 'abort'>();
  let open = [...orderIds];
  while (open.length > 0 && Date.now() < deadline) {
    const still: string[] = [];
    await inParallel(open, 16, async (orderId) => {
      const { status, body } = await stack.http.order(orderId).catch(() => ({
        status: 0,
        body: undefined as unknown as OrderStatus,
      }));
      if (status !== 200) {
        still.push(orderId);
        return;
      }
      latest.set(orderId, body);
      if (isFinal(body)) return;
      still.push(orderId);
      // Checkout answered 202 and its workflow may never have started (the dev server
      // restarting): the client sends the same checkout again, as the API asks.
      if (body.state === 'received') {
        await checkout(stack, bodies.get(orderId)!, log);
        return;
      }
      if (body.state !== 'needs-attention') return;
      if (decided.get(orderId) === 'abort') return;
      const action = decided.has(orderId) ? 'abort' : 'retry';
      const answer = await stack.http.ops(action, orderId).catch(() => undefined);
      if (answer && answer.status < 300) {
        decided.set(orderId, action);
        log(
          `${orderId}: ${action} (${body.attention?.step}: ${body.attention?.error?.message ?? '?'})`,
        );
      }
    });
    open = still;
    if (open.length > 0) await sleep(500);
  }
  return latest;
}

/** Captures per order and holds left, from the emulator's own state (not the ledger's). */
async function moneyPerOrder(stack: OrderStack, finals: Map<string, OrderStatus>) {
  const stripe = stack.stripe!.createClient();
  const captures = new Map<string, number>();
  const holdsLeft: string[] = [];
  await inParallel([...finals.values()], 16, async (order) => {
    const found = await stripe.paymentIntents.search({
      query: `metadata['order_id']:'${order.orderId}'`,
      limit: 100,
    });
    let count = 0;
    for (const intent of found.data) {
      count += stack.stripe!.stats.forIntent(intent.id).captures;
      if (intent.status === 'requires_capture' && isFinal(order)) holdsLeft.push(order.orderId);
    }
    captures.set(order.orderId, count);
  });
  return { captures, holdsLeft };
}
