import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingServer } from '../../local/binaries/servers';
import { createHarnessActivities, type Reminder } from '../harness/activities';
import { remindAfterThirtyDays } from '../harness/workflows';

const DAY_MS = 24 * 60 * 60 * 1000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await startTimeSkippingServer();
});

afterAll(async () => {
  await env?.teardown();
});

test('when a workflow sleeps for 30 days, the time-skipping server fires the timer at once and the activity runs', async () => {
  const sent: Reminder[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'harness-time-skipping',
    workflowsPath: require.resolve('../harness/workflows'),
    activities: createHarnessActivities(sent),
  });
  const startedAt = await env.currentTimeMs();

  const reminder = await worker.runUntil(
    env.client.workflow.execute(remindAfterThirtyDays, {
      taskQueue: 'harness-time-skipping',
      workflowId: 'remind-sub-1',
      args: ['sub-1'],
    }),
  );

  expect(reminder.subscriptionId).toBe('sub-1');
  expect(sent).toEqual([reminder]);
  // The workflow's clock moved 30 days even though the test took seconds.
  expect(reminder.dueAt - startedAt).toBeGreaterThanOrEqual(30 * DAY_MS);
  expect(reminder.dueAt - startedAt).toBeLessThan(31 * DAY_MS);
});
