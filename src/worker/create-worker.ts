import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { OrderActivities } from '../../activities/order-activities';
import { workflowSource } from './workflow-source';
import type { RenewalActivities } from '../../activities/renewal-activities';

export interface OrderWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: OrderActivities & RenewalActivities;
  /** The payload codec and failure converter (src/runtime/temporal.ts); none in unit tests. */
  dataConverter?: DataConverter;
}

/**
 * The worker that runs order workflows and their activities. Workflow code is the
 * prebuilt bundle in production, ../../workflows bundled at start-up in a source checkout
 * (deterministic, sandboxed); activities come in already wired to real or local services,
 * so the same worker serves production, `npm start` and tests.
 */
export function createOrderWorker(options: OrderWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...workflowSource(),
    activities: options.activities,
    dataConverter: options.dataConverter,
  });
}
