import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../local/binaries/servers';
import startPostgresUnlessConfigured from '../postgres-global-setup';

declare global {
  var devServer: TestWorkflowEnvironment | undefined;
}

/**
 * Starts the one dev server that all integration tests share (fetching the temporal CLI
 * first if this machine has none), and PostgreSQL for the worker crash test when
 * DATABASE_URL is unset. Jest workers inherit both addresses.
 */
export default async function globalSetup(): Promise<void> {
  await startPostgresUnlessConfigured();
  globalThis.devServer = await startDevServer({
    log: (line) => process.stderr.write(`[temporal] ${line}\n`),
  });
  process.env.TEMPORAL_TEST_ADDRESS = globalThis.devServer.address;
}
