import { resolveTemporalCli } from './temporal-cli';
import { resolveTestServer } from './test-server';

/** `npm run temporal:binaries`: find or build both servers now, and say where they are. */
async function main(): Promise<void> {
  const log = (line: string) => console.error(line);
  const cli = await resolveTemporalCli({ log });
  const testServer = await resolveTestServer({ log });
  console.log(`temporal CLI:          ${cli ?? 'none (the SDK will download one)'}`);
  console.log(`time-skipping server:  ${testServer ?? 'none (the SDK will download one)'}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
