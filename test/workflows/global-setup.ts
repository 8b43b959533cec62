import { resolveTestServer } from '../../local/binaries/test-server';

/**
 * Finds (or fetches, once) the time-skipping test server before any workflow test
 * file runs, so parallel jest workers never race to fetch it. Each test file then
 * starts its own server: skipped time is global to a server.
 */
export default async function globalSetup(): Promise<void> {
  const path = await resolveTestServer({
    log: (line) => process.stderr.write(`[temporal] ${line}\n`),
  });
  if (path) process.env.TEMPORAL_TEST_SERVER_PATH = path;
}
