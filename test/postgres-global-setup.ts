import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from '../local/binaries/run-command';

const script = join(__dirname, '..', 'scripts', 'start-postgres.sh');

/**
 * The ledger suites run on PostgreSQL as well as PGlite (CI insists on both), and the
 * worker crash test needs a ledger that two processes share. Without DATABASE_URL, this
 * starts the PostgreSQL that CI starts (scripts/start-postgres.sh: Debian's package,
 * installed when missing) where the script can run: as root, with the cluster tools or
 * apt-get. Jest workers inherit the DATABASE_URL it sets.
 */
export default async function startPostgresUnlessConfigured(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const log = (line: string) => process.stderr.write(`[postgres] ${line}\n`);
  const obstacle = whyScriptCannotRun();
  if (obstacle) {
    log(
      `DATABASE_URL is unset and ${obstacle}: the ledger tests run on PGlite only, the worker crash test not at all`,
    );
    return;
  }
  log('DATABASE_URL is unset: starting PostgreSQL with scripts/start-postgres.sh');
  const started = Date.now();
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', [script], { encoding: 'utf8' });
    for (const line of stderr.split('\n').filter((l) => l.trim())) log(line);
    process.env.DATABASE_URL = stdout.trim();
  } catch (error: unknown) {
    // The tests that need PostgreSQL then fail, each saying so; the others still run.
    log(
      `scripts/start-postgres.sh failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return;
  }
  log(
    `PostgreSQL ready in ${Math.round((Date.now() - started) / 1000)} s: ${process.env.DATABASE_URL}`,
  );
}

function whyScriptCannotRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'scripts/start-postgres.sh needs root';
  if (!findOnPath('pg_ctlcluster') && !findOnPath('apt-get')) {
    return "this machine has neither Debian's PostgreSQL nor apt-get to install it";
  }
  return undefined;
}
