import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { startTimeSkippingServer } from '../../local/binaries/servers';
import { createHarnessActivities } from './activities';
import { remindAfterThirtyDays } from './workflows';

/**
 * Records the history that the replay test checks the harness workflow against.
 * Run it again only when the recorded workflow changes on purpose:
 *   npx tsx test/harness/record-history.ts
 */
async function main(): Promise<void> {
  const env = await startTimeSkippingServer({ log: console.error });
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'record',
      workflowsPath: require.resolve('./workflows'),
      activities: createHarnessActivities([]),
    });
    const handle = await env.client.workflow.start(remindAfterThirtyDays, {
      taskQueue: 'record',
      workflowId: 'remind-after-thirty-days',
      args: ['sub-recorded'],
    });
    await worker.runUntil(handle.result());
    const out = join(__dirname, '..', 'histories', 'harness', 'remind-after-thirty-days.json');
    writeFileSync(out, historyToJSON(await handle.fetchHistory()));
    console.log(`wrote ${out}`);
  } finally {
    await env.teardown();
  }
}

void main();
