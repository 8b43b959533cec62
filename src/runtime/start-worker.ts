import { NativeConnection } from '@temporalio/worker';
import { createOrderActivities, createRenewalActivities } from '../../activities';
import type { Config } from '../config';
import { createOrderWorker } from '../worker/create-worker';
import type { Services } from './services';
import { connectClient, temporalAddress } from './temporal';

export interface RunningWorker {
  /** Settles when the worker has stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Connects to Temporal and runs the order worker until `shutdown`. */
export async function startWorker(config: Config, services: Services): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  // The sweep's activity starts renewals through a client of its own.
  const client = await connectClient(config);
  const worker = await createOrderWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: {
      ...createOrderActivities(services),
      ...createRenewalActivities({ ...services, workflows: client.workflow }),
    },
  });
  const done = worker
    .run()
    .finally(() =>
      Promise.all([connection.close(), client.connection.close()]).then(() => undefined),
    );
  return {
    done,
    shutdown: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
