import { orderInput, untilOrder, writtenOrderStates } from './support/orders';
import { START_TIMEOUT_MS, startTimeSkippingStack } from './support/time-skipping-stack';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LocalStack } from '../../local/stack/local-stack';
import { orderPolicy } from '../../src/runtime/temporal';
import { opsDecisionUpdate } from '../../workflows/messages';
import { orderWorkflowId } from '../../workflows/order-types';
import { purchaseWorkflow } from '../../workflows/purchase-workflow';

/**
 * The 3-D Secure wait on the time-skipping server, at the production deadline (30
 * minutes), with the real local Stripe emulator behind the activities.
 */
let env: TestWorkflowEnvironment;
let stack: LocalStack;

beforeAll(async () => {
  ({ env, stack } = await startTimeSkippingStack('three-d-secure'));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

afterEach(() => {
  stack.stripe!.faults.clear();
  stack.stripe!.webhooks.setModes({ hold: false });
});

function start() {
  const input = orderInput(
    {
      kind: 'plan',
      plan: 'sales-essentials',
      seats: 1,
      paymentMethod: 'pm_card_authenticationRequired',
    },
    orderPolicy(stack.config),
  );
  return env.client.workflow.start(purchaseWorkflow, {
    workflowId: orderWorkflowId(input.purchase.orderId),
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    args: [input],
  });
}

test('when the customer authenticated but the webhook never came, the intent is read at the deadline and the order completes', async () => {
  // No webhook reaches the order: it learns nothing until its deadline.
  stack.stripe!.webhooks.setModes({ hold: true });
  const handle = await start();
  const waiting = await untilOrder(handle, (s) => s.state === 'awaiting-authentication');
  stack.stripe!.authenticate(waiting.payment!.paymentIntentId, 'succeed');

  const status = await handle.result();

  expect(status.state).toBe('completed');
  expect(stack.stripe!.stats.forIntent(status.payment!.paymentIntentId)).toMatchObject({
    captures: 1,
    cancels: 0,
  });
  // Listed while it waits on the customer, then in flight again (which completion keeps).
  expect(await writtenOrderStates(handle)).toEqual(['awaiting-authentication', 'received']);
});

test('when Stripe is down while the order reads the authenticated intent, the order parks for ops instead of compensating, and a retry completes it', async () => {
  const handle = await start();
  const waiting = await untilOrder(handle, (s) => s.state === 'awaiting-authentication');
  stack.stripe!.faults.add({
    type: 'error-before-write',
    method: 'GET',
    path: '/v1/payment_intents/',
    times: 1000,
  });
  stack.stripe!.authenticate(waiting.payment!.paymentIntentId, 'succeed');

  const parked = await untilOrder(handle, (s) => s.state === 'needs-attention');
  expect(parked.attention).toMatchObject({ phase: 'forward', step: 'authorize' });
  expect(parked.compensationsDone).toEqual([]);

  stack.stripe!.faults.clear();
  await handle.executeUpdate(opsDecisionUpdate, { args: [{ action: 'retry', by: 'ops' }] });
  const status = await handle.result();
  expect(status.state).toBe('completed');
  expect(await writtenOrderStates(handle)).toEqual([
    'awaiting-authentication',
    'needs-attention',
    'awaiting-authentication',
    'received',
  ]);
});

test('when ops aborts while the order reads an intent the customer just authenticated, the abort is applied and answered, not dropped', async () => {
  stack.stripe!.webhooks.setModes({ hold: true });
  const handle = await start();
  const waiting = await untilOrder(handle, (s) => s.state === 'awaiting-authentication');
  stack.stripe!.authenticate(waiting.payment!.paymentIntentId, 'succeed');
  // The read of the intent takes a while, and the abort arrives meanwhile.
  stack.stripe!.faults.add({
    type: 'delay',
    ms: 1500,
    method: 'GET',
    path: '/v1/payment_intents/',
  });
  stack.stripe!.webhooks.release();
  await new Promise((resolve) => setTimeout(resolve, 500));

  const answered = await handle.executeUpdate(opsDecisionUpdate, {
    args: [{ action: 'abort', by: 'ops', reason: 'customer asked' }],
  });

  expect(answered.decisions).toEqual([
    expect.objectContaining({ action: 'abort', step: 'authorize' }),
  ]);
  const status = await handle.result();
  expect(status.state).toBe('compensated');
  const intent = await stack
    .stripe!.createClient()
    .paymentIntents.retrieve(status.payment!.paymentIntentId);
  expect(intent.status).toBe('canceled');
});
