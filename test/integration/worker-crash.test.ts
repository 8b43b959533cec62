import type { ChildProcess } from 'node:child_process';
import { startWorkerProcess as startWorker } from './support/worker-process';
import {
  addonOrder,
  isFinal,
  startOrderStack,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

/**
 * A worker is a separate process here, killed with SIGKILL in the middle of the capture:
 * no shutdown hook runs, the activity's answer is lost. The ledger must be shared by the
 * processes, so this test runs on PostgreSQL: DATABASE_URL, which CI sets and the
 * integration global setup starts when it is unset and this machine allows.
 */
const databaseUrl = process.env.DATABASE_URL;
let stack: OrderStack;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  if (!databaseUrl) {
    throw new Error(
      'the worker crash test needs PostgreSQL: run `sudo bash scripts/start-postgres.sh` and export the DATABASE_URL it prints',
    );
  }
  stack = await startOrderStack({ DATABASE_URL: databaseUrl }, { worker: false });
});

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await stack?.close();
});

async function startWorkerProcess(): Promise<ChildProcess> {
  const child = await startWorker(stack.config, databaseUrl!);
  workers.push(child);
  return child;
}

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('when the worker is killed during the capture and another starts, the order completes with exactly one capture', async () => {
  const first = await startWorkerProcess();
  // Hold the order in provisioning long enough to aim a slow capture at its intent.
  stack.simulators!.calendarSync.faults.delay(1500);
  const order = addonOrder('calendar-sync');
  expect((await stack.http.placeOrder(order)).status).toBe(201);
  // Read from the ledger, which the grant step writes the intent to: a status query would
  // wait for the workflow task that runs provisioning and capture as local activities.
  let paymentIntentId = '';
  await until(async () => {
    paymentIntentId = (await stack.services.ledger.getOrder(order.orderId))?.paymentIntentId ?? '';
    return paymentIntentId !== '';
  }, 'the grant step to record the payment intent');
  stack.simulators!.calendarSync.faults.clear();
  stack.stripe!.faults.add({
    type: 'delay',
    ms: 1500,
    method: 'POST',
    path: `/v1/payment_intents/${paymentIntentId}/capture`,
  });

  // The capture request has reached Stripe (its delay rule is used up): kill the worker.
  await until(() => stack.stripe!.faults.list().length === 0, 'the capture request');
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));

  await startWorkerProcess();
  const done = await waitForOrder(stack, order.orderId, isFinal, 45_000);

  expect(done.state).toBe('completed');
  expect(stack.stripe!.stats.forIntent(paymentIntentId)).toMatchObject({
    authorizations: 1,
    captures: 1,
    cancels: 0,
    refunds: 0,
  });
  const connections = stack.simulators!.calendarSync.resources();
  expect(connections.filter((c) => c.tenantId === order.tenantId)).toHaveLength(1);
}, 90_000);
