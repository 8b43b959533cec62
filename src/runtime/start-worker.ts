import { NativeConnection } from '@temporalio/worker';
import { createOrderActivities } from '../../activities';
import type { Config } from '../config';
import { createOrderWorker } from '../worker/create-worker';
import type { Services } from './services';
import { assertSecretsFit } from './secret-rules';
import type { StartOptions } from './start-api';
import { dataConverterFor, temporalAddress } from './temporal';

export interface RunningWorker {
  /** Settles when the worker has stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Checks the secrets, connects to Temporal and runs the order worker until `shutdown`. */
export async function startWorker(
  config: Config,
  services: Services,
  options: StartOptions = {},
): Promise<RunningWorker> {
  assertSecretsFit(config, { service: 'worker', local: options.local });
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  const worker = await createOrderWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createOrderActivities(services),
    dataConverter: dataConverterFor(config),
  });
  const done = worker.run().finally(() => connection.close());
  return {
    done,
    shutdown: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
