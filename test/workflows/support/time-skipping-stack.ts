import { randomBytes, randomUUID } from 'node:crypto';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { startTimeSkippingServer } from '../../../local/binaries/servers';
import { startLocalStack, type LocalStack } from '../../../local/stack/local-stack';
import { dataConverterFor } from '../../../src/runtime/temporal';

/**
 * How long a test file's `beforeAll` may take to start its server and worker: the JVM
 * and the worker's webpack bundle take seconds on an idle machine, minutes on a loaded one.
 */
export const START_TIMEOUT_MS = 180_000;

/**
 * A time-skipping server of the test file's own, with a payload codec key made for it:
 * workers of the test encrypt what they write with `dataConverter`, and the environment's
 * client has the same key, so it reads the workflows the test starts.
 */
export async function startTimeSkippingServerWithCodec(name: string): Promise<{
  env: TestWorkflowEnvironment;
  codecKeys: string;
  dataConverter: DataConverter;
}> {
  const codecKeys = `${name}:${randomBytes(32).toString('base64')}`;
  const dataConverter = dataConverterFor({ TEMPORAL_CODEC_KEYS: codecKeys });
  const env = await startTimeSkippingServer({ dataConverter });
  return { env, codecKeys, dataConverter };
}

/**
 * A time-skipping server of the test file's own, and the product's local stack on it:
 * worker, PGlite in memory, the Stripe emulator and the simulators. Short step retries
 * make failures surface fast.
 */
export async function startTimeSkippingStack(
  name: string,
): Promise<{ env: TestWorkflowEnvironment; stack: LocalStack }> {
  const { env, codecKeys } = await startTimeSkippingServerWithCodec(name);
  const stack = await startLocalStack({
    ephemeralPorts: true,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: `${name}-${randomUUID()}`,
      PGLITE_DATA_DIR: 'memory://',
      TEMPORAL_CODEC_KEYS: codecKeys,
      LOG_LEVEL: 'silent',
      ORDER_STEP_ATTEMPTS: '2',
      ORDER_STEP_INITIAL_INTERVAL_MS: '100',
    },
  });
  return { env, stack };
}

/**
 * A time-skipping server of the test file's own (see above) and one worker on it, running
 * until `close`: a test file's `beforeAll` and `afterAll`.
 */
export async function startTimeSkippingWorker(
  name: string,
  options: Pick<WorkerOptions, 'taskQueue' | 'workflowsPath' | 'activities'>,
): Promise<{ env: TestWorkflowEnvironment; close: () => Promise<void> }> {
  const { env, dataConverter } = await startTimeSkippingServerWithCodec(name);
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection: env.nativeConnection,
      dataConverter,
      ...options,
    });
  } catch (error: unknown) {
    await env.teardown();
    throw error;
  }
  const running = worker.run();
  return {
    env,
    close: async () => {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
