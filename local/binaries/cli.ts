import { resolveStripeMock } from './stripe-mock-binary';
import { resolveTemporalCli } from './temporal-cli';
import { resolveTestServer } from './test-server';

/**
 * `npm run binaries`: find or build every server the tests run (the temporal CLI, the
 * time-skipping test server, stripe-mock for the Stripe contract test), and say where.
 */
async function main(): Promise<void> {
  const log = (line: string) => console.error(line);
  const cli = await resolveTemporalCli({ log });
  const testServer = await resolveTestServer({ log });
  const stripeMock = await resolveStripeMock({ log });
  console.log(`temporal CLI:          ${cli ?? 'none (the SDK will download one)'}`);
  console.log(`time-skipping server:  ${testServer ?? 'none (the SDK will download one)'}`);
  console.log(`stripe-mock:           ${stripeMock ?? 'none (install Go to build it)'}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
