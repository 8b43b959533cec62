import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../local/binaries/servers';

declare global {
  var devServer: TestWorkflowEnvironment | undefined;
}

/**
 * Starts the one dev server that all integration tests share (building the temporal
 * CLI first if this machine has never built it). Jest workers inherit its address.
 */
export default async function globalSetup(): Promise<void> {
  globalThis.devServer = await startDevServer({
    log: (line) => process.stderr.write(`[temporal] ${line}\n`),
  });
  process.env.TEMPORAL_TEST_ADDRESS = globalThis.devServer.address;
}
