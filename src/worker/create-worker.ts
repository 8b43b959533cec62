import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import type { Sinks } from '@temporalio/workflow';
import {
  type ActivityInterceptorsFactory,
  type InjectedSinks,
  type NativeConnection,
  Worker,
} from '@temporalio/worker';
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
  /** Around every activity: business metrics, tracing (src/runtime). */
  activityInterceptors?: ActivityInterceptorsFactory[];
  /** Tracing's workflow side: its interceptor module and the sink its spans leave by. */
  workflowTracing?: { interceptorModule: string; sinks: InjectedSinks<Sinks> };
  /** Concurrency and cache (WORKER_* in src/config.ts); the SDK's defaults when absent. */
  tuning?: WorkerTuning;
}

export interface WorkerTuning {
  maxConcurrentActivities: number;
  maxConcurrentLocalActivities: number;
  maxConcurrentWorkflowTasks: number;
  maxCachedWorkflows: number;
  workflowPollers: number;
  activityPollers: number;
}

/** Workflow-task polls when WORKER_WORKFLOW_POLLERS is unset: the SDK's own default. */
const DEFAULT_WORKFLOW_POLLERS = 10;

/** The worker's tuning as the configuration sets it. */
export function workerTuningOf(config: Config): WorkerTuning {
  return {
    maxConcurrentActivities: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivities: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    maxConcurrentWorkflowTasks: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    workflowPollers:
      config.WORKER_WORKFLOW_POLLERS ??
      Math.min(DEFAULT_WORKFLOW_POLLERS, config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS),
    activityPollers: config.WORKER_ACTIVITY_POLLERS,
  };
}

/**
 * The worker that runs order workflows and their activities. Workflow code is the
 * prebuilt bundle in production, ../../workflows bundled at start-up in a source checkout
 * (deterministic, sandboxed); activities come in already wired to real or local services,
 * so the same worker serves production, `npm start` and tests.
 */
export function createOrderWorker(options: OrderWorkerOptions): Promise<Worker> {
  const source = workflowSource(options.workflowTracing?.interceptorModule);
  const { tuning } = options;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...source,
    interceptors: {
      ...('interceptors' in source && source.interceptors),
      activity: options.activityInterceptors,
    },
    sinks: options.workflowTracing?.sinks,
    activities: options.activities,
    dataConverter: options.dataConverter,
    ...(tuning && {
      maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
      maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivities,
      maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
      maxCachedWorkflows: tuning.maxCachedWorkflows,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.workflowPollers },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.activityPollers },
    }),
  });
}
