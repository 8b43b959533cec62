import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../../src/config';

const root = join(__dirname, '..', '..', '..');

/**
 * Starts `provisioner worker` as its own process against a stack's services (on
 * `databaseUrl`, since PGlite cannot be shared across processes), so a test can kill it
 * with SIGKILL. Resolves once the worker polls; rejects with its output if it exits.
 */
export function startWorkerProcess(
  config: Config,
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
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
      // The stack's payload codec key: the worker must read what the stack's client wrote.
      TEMPORAL_CODEC_KEYS: config.TEMPORAL_CODEC_KEYS,
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
  });
}
