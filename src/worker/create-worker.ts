import { type NativeConnection, Worker } from '@temporalio/worker';
import type { OrderActivities } from '../../activities/order-activities';
import type { RenewalActivities } from '../../activities/renewal-activities';

export interface OrderWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: OrderActivities & RenewalActivities;
}

/**
 * The worker that runs order workflows and their activities. Workflow code is bundled
 * from ../../workflows (deterministic, sandboxed); activities come in already wired to
 * real or local services, so the same worker serves production, `npm start` and tests.
 */
export function createOrderWorker(options: OrderWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities: options.activities,
  });
}
