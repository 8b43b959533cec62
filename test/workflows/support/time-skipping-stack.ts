import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingServer } from '../../../local/binaries/servers';
import { startLocalStack, type LocalStack } from '../../../local/stack/local-stack';
import { dataConverterFor } from '../../../src/runtime/temporal';

/**
 * A time-skipping server of the test file's own, and the product's local stack on it:
 * worker, PGlite in memory, the Stripe emulator and the simulators. The worker encrypts
 * what it writes, so the environment's client gets the same payload codec key and can
 * read the workflows the test starts. Short step retries make failures surface fast.
 */
export async function startTimeSkippingStack(
  name: string,
): Promise<{ env: TestWorkflowEnvironment; stack: LocalStack }> {
  const TEMPORAL_CODEC_KEYS = `${name}:${randomBytes(32).toString('base64')}`;
  const env = await startTimeSkippingServer({
    dataConverter: dataConverterFor({ TEMPORAL_CODEC_KEYS }),
  });
  const stack = await startLocalStack({
    ephemeralPorts: true,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: `${name}-${randomUUID()}`,
      PGLITE_DATA_DIR: 'memory://',
      TEMPORAL_CODEC_KEYS,
      LOG_LEVEL: 'silent',
      ORDER_STEP_ATTEMPTS: '2',
      ORDER_STEP_INITIAL_INTERVAL_MS: '100',
    },
  });
  return { env, stack };
}
