import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ORDER_STATE, TENANT_ID } from '../../src/domain/search-attributes';
import { createHarnessActivities } from '../harness/activities';
import { approvalQuery, approveSignal, awaitApproval } from '../harness/workflows';

const address = process.env.TEMPORAL_TEST_ADDRESS as string;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;

beforeAll(async () => {
  connection = await Connection.connect({ address });
  nativeConnection = await NativeConnection.connect({ address });
  client = new Client({ connection });
});

afterAll(async () => {
  await connection?.close();
  await nativeConnection?.close();
});

test('when the approval signal arrives, the workflow completes, and the query shows the state before and after', async () => {
  const taskQueue = `harness-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../harness/workflows'),
    activities: createHarnessActivities([]),
  });

  await worker.runUntil(async () => {
    const handle = await client.workflow.start(awaitApproval, {
      taskQueue,
      workflowId: `approval-${randomUUID()}`,
    });
    expect(await handle.query(approvalQuery)).toEqual({ approvedBy: null });

    await handle.signal(approveSignal, 'ops@example.com');
    await handle.signal(approveSignal, 'someone-else@example.com');

    expect(await handle.result()).toBe('ops@example.com');
    expect(await handle.query(approvalQuery)).toEqual({ approvedBy: 'ops@example.com' });
  });
});

test("the dev server registers the project's search attributes, so workflows are listable by them", async () => {
  const tenant = `tenant-${randomUUID()}`;
  const handle = await client.workflow.start(awaitApproval, {
    taskQueue: `no-worker-${randomUUID()}`,
    workflowId: `listable-${randomUUID()}`,
    typedSearchAttributes: [
      { key: TENANT_ID, value: tenant },
      { key: ORDER_STATE, value: 'authorizing' },
    ],
  });
  try {
    let ids: string[] = [];
    // Visibility is eventually consistent, even on the dev server.
    for (let i = 0; i < 50 && ids.length === 0; i++) {
      ids = [];
      for await (const wf of client.workflow.list({
        query: `TenantId = "${tenant}" AND OrderState = "authorizing"`,
      })) {
        ids.push(wf.workflowId);
      }
      if (ids.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ids).toEqual([handle.workflowId]);
  } finally {
    await handle.terminate('test done');
  }
});
