import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../../src/config';
import { startUntilReady } from '../../../local/binaries/run-command';

const root = join(__dirname, '..', '..', '..');

/** How a `provisioner` command is run: from the sources through tsx, or the compiled build. */
export type ProvisionerBuild = 'source' | 'dist';

/** The services a worker or API process talks to, as the variables it reads. */
export function serviceEnv(
  config: Pick<
    Config,
    | 'TEMPORAL_ADDRESS'
    | 'TEMPORAL_TASK_QUEUE'
    | 'STRIPE_SECRET_KEY'
    | 'STRIPE_API_BASE'
    | 'CALENDAR_SYNC_URL'
    | 'CALENDAR_SYNC_TOKEN'
    | 'CEP_URL'
    | 'CEP_TOKEN'
    | 'TEMPORAL_CODEC_KEYS'
  >,
  databaseUrl: string,
): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
    DATABASE_URL: databaseUrl,
    STRIPE_SECRET_KEY: config.STRIPE_SECRET_KEY,
    STRIPE_API_BASE: config.STRIPE_API_BASE,
    CALENDAR_SYNC_URL: config.CALENDAR_SYNC_URL,
    CALENDAR_SYNC_TOKEN: config.CALENDAR_SYNC_TOKEN,
    CEP_URL: config.CEP_URL,
    CEP_TOKEN: config.CEP_TOKEN,
    // The payload codec key: every process must read what the others wrote.
    TEMPORAL_CODEC_KEYS: config.TEMPORAL_CODEC_KEYS,
    LOG_LEVEL: 'warn',
  };
}

/**
 * Starts `provisioner <command>` as a process of its own, so a test can kill it with
 * SIGKILL. Resolves once its output matches `ready` (with the match, e.g. the API's
 * URL); rejects with its output if it exits first.
 */
export function startProvisionerProcess(
  command: 'worker' | 'api',
  env: Record<string, string | undefined>,
  ready: RegExp,
  build: ProvisionerBuild = 'source',
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const args =
    build === 'dist'
      ? ['dist/src/cli/main.js', command]
      : ['--import', 'tsx', 'src/cli/main.ts', command];
  return startUntilReady(process.execPath, args, { cwd: root, env, ready });
}

/**
 * Starts `provisioner worker` from the sources against a stack's services (on
 * `databaseUrl`, since PGlite cannot be shared across processes). Resolves once it polls.
 */
export async function startWorkerProcess(
  config: Config,
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<ChildProcess> {
  const { child } = await startProvisionerProcess(
    'worker',
    { ...serviceEnv(config, databaseUrl), ...extraEnv },
    /worker polling/,
  );
  return child;
}
