import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startLocalStack } from '../local/stack/local-stack';
import { startDevServer } from '../local/binaries/servers';
import { startBaseline } from './baseline/server';

/**
 * Orders end to end on the local stack (Temporal dev server, worker, API, PGlite, the
 * Stripe emulator, the simulators), measured against a reference in the same run on the
 * same dev server: a no-op workflow of the order's shape behind a bare HTTP route (see
 * bench/baseline/). Checkout latency (until the authorization answer), time until
 * completed and throughput, for a bounded number of orders at a fixed concurrency, and
 * what one order costs Temporal (activities, workflow tasks, history events).
 * Prints figures and ratios, asserts nothing:  npx tsx bench/orders.ts [orders] [concurrency]
 */
const ORDERS = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const FINAL = ['completed', 'declined', 'compensated'];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface RunFigures {
  throughput: number;
  checkoutP50: number;
  completedP50: number;
}

function orderBody(i: number, prefix: string) {
  return {
    kind: i % 3 === 0 ? 'addon' : 'plan',
    orderId: `${prefix}-${i}`,
    tenantId: `bench-tenant-${i % 50}`,
    ...(i % 3 === 0
      ? { addon: 'cep' }
      : { plan: i % 2 ? 'sales-premium' : 'service-essentials', seats: 5, assignTo: [`u${i}`] }),
    period: 'month',
    customer: { email: 'billing@example.com' },
    paymentMethod: 'pm_card_visa',
  };
}

async function run(
  label: string,
  baseUrl: string,
  headers: Record<string, string>,
  prefix: string,
) {
  const checkout: number[] = [];
  const completion: number[] = [];
  let next = 0;
  let failures = 0;
  const placeOne = async (i: number) => {
    const body = orderBody(i, prefix);
    const started = performance.now();
    const response = await fetch(`${baseUrl}/v1/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    checkout.push(performance.now() - started);
    if (response.status !== 201) failures++;
    for (;;) {
      const status = (await (
        await fetch(`${baseUrl}/v1/orders/${body.orderId}`, { headers })
      ).json()) as { state: string };
      if (FINAL.includes(status.state)) {
        if (status.state !== 'completed') failures++;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    completion.push(performance.now() - started);
  };
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ORDERS) await placeOne(next++);
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  checkout.sort((a, b) => a - b);
  completion.sort((a, b) => a - b);
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`${label}: ${ORDERS} orders, concurrency ${CONCURRENCY}, ${failures} not completed`);
  console.log(`  throughput: ${(ORDERS / seconds).toFixed(1)} orders/s completed`);
  console.log(
    `  checkout answer: p50 ${ms(percentile(checkout, 50))}, p90 ${ms(percentile(checkout, 90))}, p99 ${ms(percentile(checkout, 99))}`,
  );
  console.log(
    `  until completed: p50 ${ms(percentile(completion, 50))}, p90 ${ms(percentile(completion, 90))}, p99 ${ms(percentile(completion, 99))}`,
  );
  return {
    throughput: ORDERS / seconds,
    checkoutP50: percentile(checkout, 50),
    completedP50: percentile(completion, 50),
  } satisfies RunFigures;
}

const millis = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  time ? Number(time.seconds ?? 0) * 1000 + (time.nanos ?? 0) / 1e6 : 0;

/**
 * Where an order's time goes, from the histories of `workflowIds`: each activity type's
 * mean time from scheduled to completed, and the mean time workflow tasks waited for a
 * worker and ran (scheduled → started → completed).
 */
async function breakdown(client: Client, workflowIds: string[]): Promise<string> {
  const { EventType } = temporal.api.enums.v1;
  const perActivity = new Map<string, number[]>();
  const taskWait: number[] = [];
  const taskRun: number[] = [];
  for (const id of workflowIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const byId = new Map(events.map((event) => [Number(event.eventId), event]));
    for (const event of events) {
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const scheduled = byId.get(
          Number(event.activityTaskCompletedEventAttributes?.scheduledEventId),
        );
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        const list = perActivity.get(name) ?? [];
        list.push(millis(event.eventTime) - millis(scheduled?.eventTime));
        perActivity.set(name, list);
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
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  const activities = [...perActivity]
    .map(([name, values]) => `${name} ${mean(values).toFixed(0)} ms`)
    .join(', ');
  return (
    `activities (scheduled → completed, mean): ${activities}; workflow tasks: ` +
    `wait ${mean(taskWait).toFixed(0)} ms, run ${mean(taskRun).toFixed(0)} ms (mean of ${taskRun.length})`
  );
}

/** What one workflow cost Temporal, from its history. */
async function shapeOf(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const count = (type: temporal.api.enums.v1.EventType) =>
    (history.events ?? []).filter((event) => event.eventType === type).length;
  const { EventType } = temporal.api.enums.v1;
  return (
    `${count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)} activities, ` +
    `${count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)} workflow tasks, ` +
    `${count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)} search-attribute upserts, ` +
    `${history.events?.length ?? 0} history events`
  );
}

async function main(): Promise<void> {
  const server = await startDevServer();
  const stack = await startLocalStack({
    ephemeralPorts: true,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: server.address,
      PGLITE_DATA_DIR: 'memory://',
      LOG_LEVEL: 'warn',
    },
  });
  const key = stack.generatedApiKeys!.checkout;
  const json = { 'content-type': 'application/json' };
  try {
    // The reference first, on the same dev server, with as many activities as an order.
    const baseline = await startBaseline({
      client: stack.client,
      address: server.address,
      steps: 6,
    });
    const reference = await run('baseline (no-op workflow, bare route)', baseline.url, json, 'ref');
    console.log(`  one run: ${await shapeOf(stack.client, 'baseline-ref-1')}`);
    const sample = (prefix: string) =>
      Array.from({ length: Math.min(ORDERS, 30) }, (_, i) => `${prefix}-${i}`);
    console.log(`  ${await breakdown(stack.client, sample('baseline-ref'))}`);
    await baseline.close();

    const headers = { ...json, authorization: `Bearer ${key}` };
    const orders = await run('orders (the product)', stack.api.url, headers, 'bench');
    console.log(`  one plan order: ${await shapeOf(stack.client, 'order-bench-1')}`);
    console.log(`  one add-on order: ${await shapeOf(stack.client, 'order-bench-3')}`);
    console.log(`  ${await breakdown(stack.client, sample('order-bench'))}`);
    console.log(
      `ratio: throughput ${(orders.throughput / reference.throughput).toFixed(2)}x the baseline; ` +
        `checkout p50 ${(orders.checkoutP50 / reference.checkoutP50).toFixed(2)}x; ` +
        `completed p50 ${(orders.completedP50 / reference.completedP50).toFixed(2)}x`,
    );
  } finally {
    await stack.close();
    await server.teardown();
  }
}

void main();
