import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { opsDecisionUpdate } from '../../workflows/messages';
import {
  stepTestStatusQuery,
  type stepThrowingBeforeItsPromise,
  type StepTestStatus,
} from './support/step-workflows';
import { START_TIMEOUT_MS, startTimeSkippingWorker } from './support/time-skipping-stack';

/**
 * The step runner shared by orders, renewals and subscription changes, on the
 * time-skipping server: a step that fails before it even has a promise parks for ops like
 * one whose activity failed, instead of failing the workflow task over and over.
 */
let env: TestWorkflowEnvironment;
let close: (() => Promise<void>) | undefined;
const taskQueue = `attended-steps-${randomUUID()}`;

beforeAll(async () => {
  ({ env, close } = await startTimeSkippingWorker('attended-steps', {
    taskQueue,
    workflowsPath: require.resolve('./support/step-workflows'),
  }));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await close?.();
});

test('a step that throws before it has a promise parks for ops, and their retry runs it again', async () => {
  const handle = await env.client.workflow.start<typeof stepThrowingBeforeItsPromise>(
    'stepThrowingBeforeItsPromise',
    { taskQueue, workflowId: `step-${randomUUID()}` },
  );
  let status: StepTestStatus | undefined;
  for (let tries = 0; tries < 100 && status?.state !== 'needs-attention'; tries++) {
    status = await handle.query(stepTestStatusQuery);
    if (status.state !== 'needs-attention') await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toMatchObject({
    state: 'needs-attention',
    attention: { phase: 'forward', step: 'act', error: { message: 'no promise yet' } },
    stepsDone: [],
  });

  await handle.executeUpdate(opsDecisionUpdate, {
    args: [{ action: 'retry', by: 'ops@example.com', reason: 'try again' }],
  });

  await expect(handle.result()).resolves.toBe('done after 2 attempts');
  expect(await handle.query(stepTestStatusQuery)).toMatchObject({
    state: 'running',
    stepsDone: ['act'],
    decisions: [{ action: 'retry', step: 'act' }],
  });
});
