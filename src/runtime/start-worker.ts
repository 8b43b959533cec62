import { NativeConnection } from '@temporalio/worker';
import { createOrderActivities, createSubscriptionChangeActivities } from '../../activities';
import { createReconcileActivities } from '../../activities/reconcile-activities';
import type { Config } from '../config';
import { createEventRelay } from '../events/relay';
import { createOrderWorker } from '../worker/create-worker';
import type { Services } from './services';
import { temporalAddress } from './temporal';

export interface RunningWorker {
  /** Settles when the worker has stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Connects to Temporal and runs the order worker until `shutdown`. */
export async function startWorker(config: Config, services: Services): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  const worker = await createOrderWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: {
      ...createOrderActivities(services),
      ...createSubscriptionChangeActivities(services),
      ...createReconcileActivities(services),
    },
  });
  // Every worker process runs the outbox relay; a lease in the ledger lets one send.
  const relay =
    config.EVENT_WEBHOOKS.length > 0
      ? createEventRelay({
          db: services.ledger.db,
          subscribers: config.EVENT_WEBHOOKS,
          retryBaseMs: config.EVENT_RELAY_RETRY_BASE_MS,
          maxAttempts: config.EVENT_RELAY_MAX_ATTEMPTS,
          log: (line) => process.stderr.write(`${line}\n`),
        }).start(config.EVENT_RELAY_INTERVAL_MS)
      : undefined;
  const done = worker.run().finally(async () => {
    await relay?.stop();
    await connection.close();
  });
  return {
    done,
    shutdown: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
