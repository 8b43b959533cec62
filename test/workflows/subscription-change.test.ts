import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { startTimeSkippingServer } from '../../local/binaries/servers';
import type { OrderActivities } from '../../activities/order-activities';
import type { SubscriptionChangeActivities } from '../../activities/subscription-change-activities';
import type { renewalStandIn, subscriptionChangeWorkflow } from './support/change-workflows';
import { START_TIMEOUT_MS } from './support/time-skipping-stack';
import type { ChangeInput, ChangePlan } from '../../workflows/subscription-change-contract';
import {
  renewalWorkflowId,
  subscriptionChangeWorkflowId,
} from '../../workflows/subscription-types';

/**
 * The change workflow on the time-skipping server with recording stand-in activities:
 * the saga's order, the point of no return of an immediate cancellation, and the signal
 * to a running renewal, in seconds. Deadlines are the production default (72 hours).
 */
type Activities = OrderActivities & SubscriptionChangeActivities;
type Calls = [string, unknown][];

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await startTimeSkippingServer();
}, START_TIMEOUT_MS);

afterAll(async () => {
  await env?.teardown();
});

/** Every activity records its call; `failing` ones always fail (non-retryable, so fast). */
function standIns(calls: Calls, failing: string[] = []): Partial<Activities> {
  const names = [
    'setSubscriptionStatus',
    'deprovision',
    'provision',
    'refundPart',
    'closeSubscription',
    'recordChangeOutcome',
    'savePaymentMethod',
  ];
  return Object.fromEntries(
    names.map((name) => [
      name,
      async (input: unknown) => {
        calls.push([name, input]);
        if (failing.includes(name)) {
          throw ApplicationFailure.nonRetryable(`${name} keeps failing`, 'TEST.FAILING');
        }
      },
    ]),
  );
}

async function run(plan: ChangePlan, activities: Partial<Activities>) {
  const taskQueue = `changes-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./support/change-workflows'),
    activities,
  });
  const subscriptionId = `sub-${randomUUID().slice(0, 8)}`;
  const input: ChangeInput = {
    tenantId: 'acme',
    subscriptionId,
    changeId: 'c-1',
    kind: plan.kind === 'cancel-now' ? 'cancel' : 'payment-method',
    changeRef: `${subscriptionId}.c-1`,
    policy: {
      stepAttempts: 1,
      stepInitialIntervalMs: 100,
      stepTimeoutMs: 5000,
      authenticationTimeoutMs: 30 * 60 * 1000,
      attentionDeadlineMs: 72 * 60 * 60 * 1000,
    },
    plan,
  };
  return worker.runUntil(
    env.client.workflow.execute<typeof subscriptionChangeWorkflow>('subscriptionChangeWorkflow', {
      workflowId: subscriptionChangeWorkflowId(subscriptionId, 'c-1'),
      taskQueue,
      args: [input],
    }),
  );
}

const cancelNow: ChangePlan = {
  kind: 'cancel-now',
  refunds: [{ paymentIntentId: 'pi_1', amount: 500 }],
  amount: { currency: 'EUR', total: 500 },
  provisioning: { kind: 'cep-portal', externalId: 'cep-sub', tenantId: 'acme', languages: ['en'] },
  statusBefore: 'active',
};

test('when the refund of an immediate cancellation keeps failing and nobody decides, it is undone after 72 hours: the portal is back and the subscription active', async () => {
  const calls: Calls = [];

  const status = await run(cancelNow, standIns(calls, ['refundPart']));

  expect(status.state).toBe('compensated');
  expect(status.decisions).toEqual([
    expect.objectContaining({ action: 'abort', by: 'attention-deadline', step: 'refund' }),
  ]);
  expect(status.compensationsDone).toEqual(['reprovision', 'reactivate', 'record-refusal']);
  expect(calls.map(([name]) => name)).toEqual([
    'setSubscriptionStatus',
    'deprovision',
    'refundPart',
    'provision',
    'setSubscriptionStatus',
    'recordChangeOutcome',
  ]);
  expect(calls[4][1]).toMatchObject({ status: 'active' });
  expect(calls[5][1]).toMatchObject({ status: 'refused' });
});

test('when ending the subscription keeps failing after the refund, the refund is never taken back and the cancellation stands', async () => {
  const calls: Calls = [];

  const status = await run(cancelNow, standIns(calls, ['closeSubscription']));

  expect(status.state).toBe('applied');
  expect(status.compensationsDone).toEqual([]);
  expect(status.error).toMatchObject({ step: 'end' });
  expect(calls.map(([name]) => name)).toEqual([
    'setSubscriptionStatus',
    'deprovision',
    'refundPart',
    'closeSubscription',
    'recordChangeOutcome',
  ]);
  expect(calls[4][1]).toMatchObject({ status: 'applied', amount: 500 });
});

test('when a renewal of the current period is running, a new payment method is signalled to it', async () => {
  const calls: Calls = [];
  const renewalId = renewalWorkflowId('sub-renewing', '2026-01-01T00:00:00.000Z');
  const taskQueue = `renewal-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./support/change-workflows'),
  });
  await worker.runUntil(async () => {
    const renewal = await env.client.workflow.start<typeof renewalStandIn>('renewalStandIn', {
      workflowId: renewalId,
      taskQueue,
    });

    const status = await run(
      {
        kind: 'payment-method',
        paymentMethod: 'pm_card_mastercard',
        previousPaymentMethod: 'pm_card_visa',
        renewalWorkflowId: renewalId,
      },
      standIns(calls),
    );

    expect(status).toMatchObject({ state: 'applied', renewalSignalled: true });
    expect(await renewal.result()).toBe('retried with the new method');
  });
});
