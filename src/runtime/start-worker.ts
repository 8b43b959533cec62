import { NativeConnection, Runtime } from '@temporalio/worker';
import {
  createOrderActivities,
  createRenewalActivities,
  createSubscriptionChangeActivities,
} from '../../activities';
import { createReconcileActivities } from '../../activities/reconcile-activities';
import type { Config } from '../config';
import { createEventRelay } from '../events/relay';
import { createOrderWorker } from '../worker/create-worker';
import type { Services } from './services';
import { createLogger, sdkLoggerOver } from './logger';
import { assertSecretsFit } from './secret-rules';
import type { StartOptions } from './start-api';
import { connectClient, dataConverterFor } from './temporal';
import { connectionFailure, temporalConnectionOptions } from './temporal-connection';

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
  const connectionOptions = temporalConnectionOptions(config);
  const connection = await NativeConnection.connect(connectionOptions).catch((error: unknown) => {
    throw connectionFailure(connectionOptions, error);
  });
  // The sweep's activity starts renewals through a client of its own.
  const client = await connectClient(config);
  const worker = await createOrderWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: {
      ...createOrderActivities(services),
      ...createSubscriptionChangeActivities(services),
      ...createReconcileActivities(services),
      ...createRenewalActivities({ ...services, workflows: client.workflow }),
    },
    dataConverter: dataConverterFor(config),
  });
  // Every worker process runs the outbox relay; a lease in the ledger lets one send.
  const relayLogger = createLogger({ level: config.LOG_LEVEL, service: 'event-relay' });
  const relay =
    config.EVENT_WEBHOOKS.length > 0
      ? createEventRelay({
          db: services.ledger.db,
          subscribers: config.EVENT_WEBHOOKS,
          retryBaseMs: config.EVENT_RELAY_RETRY_BASE_MS,
          maxAttempts: config.EVENT_RELAY_MAX_ATTEMPTS,
          log: (line) => relayLogger.warn(line),
        }).start(config.EVENT_RELAY_INTERVAL_MS)
      : undefined;
  const done = worker.run().finally(async () => {
    await relay?.stop();
    await Promise.all([connection.close(), client.connection.close()]);
  });
  return {
    done,
    shutdown: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/**
 * Sends the Temporal SDK's logs, the worker's and its native Core's, to the process's
 * pino logger as JSON lines. The SDK takes this once per process, before any worker
 * or connection exists, so the process's entry point calls it.
 */
export function forwardSdkLogs(config: Pick<Config, 'LOG_LEVEL'>): void {
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'worker' });
  Runtime.install({
    logger: sdkLoggerOver(logger),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
  });
}
