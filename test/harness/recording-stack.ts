import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startDevServer } from '../../local/binaries/servers';
import { startLocalStack, type LocalStack } from '../../local/stack/local-stack';

/**
 * What the history recorders run in: a dev server of their own and the whole local stack
 * on it (in-memory ledger, free ports), torn down when `record` is done or fails.
 */
export async function withRecordingStack(
  env: Record<string, string>,
  record: (stack: LocalStack) => Promise<void>,
): Promise<void> {
  const server = await startDevServer({ log: console.error });
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      ephemeralPorts: true,
      env: {
        PATH: process.env.PATH,
        TEMPORAL_ADDRESS: server.address,
        PGLITE_DATA_DIR: 'memory://',
        ...env,
      },
    });
    await record(stack);
  } finally {
    await stack?.close();
    await server.teardown();
  }
}

/** Writes a workflow's history as JSON into test/histories/<folder>/<name>.json. */
export async function writeHistory(
  folder: string,
  name: string,
  handle: WorkflowHandle,
): Promise<void> {
  const dir = join(__dirname, '..', 'histories', folder);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}.json`);
  writeFileSync(out, historyToJSON(await handle.fetchHistory()));
  console.log(`wrote ${out}`);
}
