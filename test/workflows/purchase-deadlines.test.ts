import { orderInput as orderFor } from './support/orders';
import { START_TIMEOUT_MS, startTimeSkippingStack } from './support/time-skipping-stack';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LocalStack } from '../../local/stack/local-stack';
import { orderPolicy } from '../../src/runtime/temporal';
import { orderWorkflowId, type OrderInput } from '../../workflows/order-types';
import { purchaseWorkflow } from '../../workflows/purchase-workflow';

/**
 * The order's deadlines at their production defaults (30 minutes for 3-D Secure, 72 hours
 * for an ops decision), on the time-skipping server: the timers fire at once, while the
 * activities still run against the real local services.
 */
let env: TestWorkflowEnvironment;
let stack: LocalStack;

beforeAll(async () => {
  ({ env, stack } = await startTimeSkippingStack('deadlines'));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

function orderInput(fields: Record<string, unknown>): OrderInput {
  return orderFor(fields, orderPolicy(stack.config));
}

function run(input: OrderInput) {
  return env.client.workflow.execute(purchaseWorkflow, {
    workflowId: orderWorkflowId(input.purchase.orderId),
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    args: [input],
  });
}

test('when the customer never completes 3-D Secure, the order is cancelled after 30 minutes and the hold released', async () => {
  const startedAt = await env.currentTimeMs();
  const status = await run(
    orderInput({
      kind: 'plan',
      plan: 'sales-essentials',
      seats: 1,
      paymentMethod: 'pm_card_authenticationRequired',
    }),
  );

  expect(status.state).toBe('compensated');
  expect(status.error?.message).toMatch(/3-D Secure/);
  expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(30 * 60 * 1000);
  const intent = await stack
    .stripe!.createClient()
    .paymentIntents.retrieve(status.payment!.paymentIntentId);
  expect(intent.status).toBe('canceled');
});

test('when nobody decides on an order that needs attention, it aborts by itself after 72 hours and compensates', async () => {
  // Creating the portal fails as often as the step is tried; deleting it still works.
  stack.simulators!.cep.faults.failNext(2, 503, { method: 'PUT' });
  try {
    const startedAt = await env.currentTimeMs();
    const status = await run(orderInput({ kind: 'addon', addon: 'cep' }));

    expect(status.state).toBe('compensated');
    expect(status.decisions).toEqual([
      expect.objectContaining({ action: 'abort', by: 'attention-deadline', step: 'provision' }),
    ]);
    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(72 * 60 * 60 * 1000);
    expect(stack.stripe!.stats.forIntent(status.payment!.paymentIntentId)).toMatchObject({
      captures: 0,
      cancels: 1,
    });
    const tenant = await stack.services.ledger.tenantEntitlements(status.tenantId);
    expect(tenant.tenantFlags).toEqual([]);
  } finally {
    stack.simulators!.cep.faults.clear();
  }
});
