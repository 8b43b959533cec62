import type { ChildProcess } from 'node:child_process';
import { freeLoopbackPort } from '../../src/telemetry/metrics';
import { sample } from '../metrics-text';
import { startWorkerProcess } from './support/worker-process';
import { planOrder, startOrderStack, waitForOrder, type OrderStack } from './support/order-stack';

/**
 * The worker runs as `provisioner worker` in its own process with WORKER_METRICS_PORT,
 * as in production, so its `/metrics` holds only what that worker did. The ledger is
 * shared with the stack's API, so this test runs on PostgreSQL (DATABASE_URL, which CI
 * sets and the integration global setup starts when it is unset and this machine allows).
 */
const databaseUrl = process.env.DATABASE_URL;
let stack: OrderStack;
let worker: ChildProcess | undefined;
let workerMetricsUrl: string;

beforeAll(async () => {
  if (!databaseUrl) {
    throw new Error(
      'the metrics test needs PostgreSQL: run `sudo bash scripts/start-postgres.sh` and export the DATABASE_URL it prints',
    );
  }
  stack = await startOrderStack({ DATABASE_URL: databaseUrl }, { worker: false });
  const port = await freeLoopbackPort();
  worker = await startWorkerProcess(stack.config, databaseUrl, {
    WORKER_METRICS_PORT: String(port),
  });
  workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await stack?.close();
});

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

async function scrapeUntil(url: string, done: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = await scrape(url);
    if (done(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('when an order completes, then the API counts the checkout and the worker counts the order, its capture and the SDK its workflow', async () => {
  const apiMetricsUrl = `${stack.api.url}/metrics`;
  const checkout = { route: '/v1/orders', method: 'POST', status_class: '2xx' };
  const purchase = { task_queue: stack.config.TEMPORAL_TASK_QUEUE };
  const apiBefore = await scrape(apiMetricsUrl);
  const workerBefore = await scrape(workerMetricsUrl);

  const order = planOrder();
  expect((await stack.http.placeOrder(order)).status).toBe(201);
  await waitForOrder(stack, order.orderId, (s) => s.state === 'completed');

  const apiAfter = await scrape(apiMetricsUrl);
  expect(sample(apiAfter, 'provisioner_http_requests_total', checkout)).toBe(
    sample(apiBefore, 'provisioner_http_requests_total', checkout) + 1,
  );
  expect(sample(apiAfter, 'provisioner_http_request_duration_seconds_count', checkout)).toBe(
    sample(apiBefore, 'provisioner_http_request_duration_seconds_count', checkout) + 1,
  );
  // The order's reads are counted under the route's pattern, not the order's URL.
  expect(apiAfter).toContain('route="/v1/orders/:orderId"');
  expect(apiAfter).not.toContain(order.orderId);
  expect(sample(apiAfter, 'process_resident_memory_bytes')).toBeGreaterThan(0);

  // Core reports the workflow once its last task completes, a moment after the ledger.
  const workflowCompleted = { ...purchase, workflow_type: 'purchaseWorkflow' };
  const workerAfter = await scrapeUntil(
    workerMetricsUrl,
    (text) =>
      sample(text, 'temporal_workflow_completed', workflowCompleted) >
      sample(workerBefore, 'temporal_workflow_completed', workflowCompleted),
  );
  const moved = (name: string, labels: Record<string, string>) =>
    sample(workerAfter, name, labels) - sample(workerBefore, name, labels);
  expect(moved('temporal_workflow_completed', workflowCompleted)).toBe(1);
  // The order's one activity, and a step run as a local activity (see purchaseWorkflow).
  expect(
    moved('temporal_activity_execution_latency_count', {
      ...purchase,
      activity_type: 'grantLicenses',
    }),
  ).toBe(1);
  expect(
    moved('temporal_local_activity_execution_latency_count', {
      ...purchase,
      activity_type: 'capturePayment',
    }),
  ).toBe(1);
  expect(moved('provisioner_orders_finished_total', { state: 'completed' })).toBe(1);
  expect(moved('provisioner_orders_finished_total', { state: 'compensated' })).toBe(0);
  expect(moved('provisioner_payment_captures_total', { kind: 'order' })).toBe(1);
  expect(workerAfter).toMatch(
    /^provisioner_workflows_needing_attention\{workflow_type="purchaseWorkflow"\} 0$/m,
  );
});

test('when an order waits for ops and is aborted, then the gauge shows it waiting and the worker counts it compensated with each undo step', async () => {
  const before = await scrape(workerMetricsUrl);
  // Every capture fails: after its attempts the order waits for an ops decision.
  stack.stripe!.faults.add({
    type: 'error-before-write',
    method: 'POST',
    path: '/v1/payment_intents/',
    times: 100,
  });
  const order = planOrder();
  expect((await stack.http.placeOrder(order)).status).toBe(201);
  await waitForOrder(stack, order.orderId, (s) => s.state === 'needs-attention');
  const attention = { workflow_type: 'purchaseWorkflow' };
  // Visibility lists the search attribute a moment after the workflow sets it.
  const waiting = await scrapeUntil(
    workerMetricsUrl,
    (text) => sample(text, 'provisioner_workflows_needing_attention', attention) === 1,
  );
  expect(sample(waiting, 'provisioner_workflows_needing_attention', attention)).toBe(1);

  stack.stripe!.faults.clear();
  expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);
  await waitForOrder(stack, order.orderId, (s) => s.state === 'compensated');
  const after = await scrapeUntil(
    workerMetricsUrl,
    (text) => sample(text, 'provisioner_workflows_needing_attention', attention) === 0,
  );
  expect(sample(after, 'provisioner_workflows_needing_attention', attention)).toBe(0);
  const moved = (name: string, labels: Record<string, string>) =>
    sample(after, name, labels) - sample(before, name, labels);
  expect(moved('provisioner_orders_finished_total', { state: 'compensated' })).toBe(1);
  expect(moved('provisioner_orders_finished_total', { state: 'completed' })).toBe(0);
  expect(moved('provisioner_payment_captures_total', { kind: 'order' })).toBe(0);
  expect(moved('provisioner_compensations_total', { step: 'revoke-licenses' })).toBe(1);
  expect(moved('provisioner_compensations_total', { step: 'release-payment' })).toBe(1);
  // The hold was cancelled, not refunded: nothing had been captured.
  expect(moved('provisioner_payment_refunds_total', { kind: 'order' })).toBe(0);
});
