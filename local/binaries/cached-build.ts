import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { runLogged } from './run-command';

/**
 * Builds into a private directory and renames it into place, so that two processes
 * building at once never see (or leave) a half-written binary. When another process
 * finished first, its build is as good as ours.
 */
export async function buildIntoCache(
  finalDir: string,
  build: (buildDir: string) => Promise<void>,
): Promise<void> {
  const buildDir = `${finalDir}.build-${process.pid}`;
  mkdirSync(buildDir, { recursive: true });
  try {
    await build(buildDir);
    try {
      renameSync(buildDir, finalDir);
    } catch (error: unknown) {
      if (!existsSync(finalDir)) throw error;
    }
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}

/** `go install module@version` with its binary written to `binDir`, output forwarded. */
export function goInstall(options: {
  go: string;
  module: string;
  version: string;
  binDir: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<void> {
  return runLogged(options.go, ['install', `${options.module}@${options.version}`], {
    env: { ...options.env, GOBIN: options.binDir, GOFLAGS: '-trimpath' },
    log: (line) => options.log(`  go: ${line}`),
  });
}
