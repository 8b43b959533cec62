import { NativeConnection, Runtime } from '@temporalio/worker';
import { Registry } from 'prom-client';
import {
  createOrderActivities,
  createRenewalActivities,
  createSubscriptionChangeActivities,
} from '../../activities';
import { createReconcileActivities } from '../../activities/reconcile-activities';
import type { Config } from '../config';
import { createEventRelay } from '../events/relay';
import { businessMetricsInterceptor } from '../worker/business-metrics';
import { createOrderWorker, workerTuningOf } from '../worker/create-worker';
import type { Services } from './services';
import { createLogger, sdkLoggerOver } from './logger';
import {
  businessMetrics,
  freeLoopbackPort,
  processMetrics,
  serveMetrics,
  type MetricsServer,
} from '../telemetry/metrics';
import { assertSecretsFit } from './secret-rules';
import type { StartOptions } from './start-api';
import { connectClient, dataConverterFor } from './temporal';
import { connectionFailure, temporalConnectionOptions } from './temporal-connection';
import { TRACING_WORKFLOW_MODULE, workerTracing } from '../telemetry/tracing';

export interface RunningWorker {
  /** Settles when the worker has stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
  /** The worker's `GET /metrics`, when WORKER_METRICS_PORT is set. */
  metricsUrl?: string;
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
  const registry = new Registry();
  const metrics = businessMetrics(registry, async (workflowType) => {
    const query = `WorkflowType = '${workflowType}' AND NeedsAttention = true AND ExecutionStatus = 'Running' AND TaskQueue = '${config.TEMPORAL_TASK_QUEUE}'`;
    return (await client.workflow.count(query)).count;
  });
  const tracing = workerTracing();
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
    // Tracing's first, so the counting runs inside the activity's span.
    activityInterceptors: [
      ...(tracing?.activityInterceptors ?? []),
      businessMetricsInterceptor(metrics),
    ],
    workflowTracing: tracing && {
      interceptorModule: TRACING_WORKFLOW_MODULE,
      sinks: tracing.sinks,
    },
    tuning: workerTuningOf(config),
  });
  let metricsServer: MetricsServer | undefined;
  if (config.WORKER_METRICS_PORT !== undefined) {
    metricsServer = await serveMetrics({
      host: config.WORKER_METRICS_HOST,
      port: config.WORKER_METRICS_PORT,
      registries: [processMetrics(), registry],
      coreMetricsUrl,
    });
  }
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
    await metricsServer?.close();
    await Promise.all([connection.close(), client.connection.close()]);
  });
  return {
    done,
    metricsUrl: metricsServer?.url,
    shutdown: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** Core's Prometheus endpoint in this process, when installWorkerRuntime started one. */
let coreMetricsUrl: string | undefined;

/**
 * Installs the Temporal SDK's runtime of the process: its logs, the worker's and its
 * native Core's, go to the process's pino logger as JSON lines; with WORKER_METRICS_PORT
 * set, Core exports its worker metrics (`temporal_*`: polls, task latencies, workflows
 * and activities completed or failed...) on a loopback port of its own, which the
 * worker's `/metrics` reads and serves with the rest. The SDK takes this once per
 * process, before any worker or connection exists, so the process's entry point calls it.
 */
export async function installWorkerRuntime(
  config: Pick<Config, 'LOG_LEVEL' | 'WORKER_METRICS_PORT'>,
): Promise<void> {
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'worker' });
  const corePort = config.WORKER_METRICS_PORT === undefined ? undefined : await freeLoopbackPort();
  Runtime.install({
    logger: sdkLoggerOver(logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} },
      ...(corePort !== undefined && {
        metrics: { prometheus: { bindAddress: `127.0.0.1:${corePort}` } },
      }),
    },
  });
  coreMetricsUrl = corePort === undefined ? undefined : `http://127.0.0.1:${corePort}/metrics`;
}
