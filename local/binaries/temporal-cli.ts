import { join } from 'node:path';
import { cacheDir } from './cache-dir';
import { buildIntoCache, goInstall } from './cached-build';
import { findOnPath, isExecutable } from './run-command';

/**
 * The newest CLI tag that `go install` can build: later tags carry `replace`
 * directives in their go.mod, which `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export interface BinaryOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

/**
 * Finds the `temporal` CLI (for `temporal server start-dev`), building it from the Go
 * module proxy on first use. Returns undefined when there is no way to get it here, so
 * the caller can let the SDK download its own copy instead.
 */
export async function resolveTemporalCli(options: BinaryOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file`);
    }
    return env.TEMPORAL_CLI_PATH;
  }
  const onPath = findOnPath('temporal', env.PATH);
  if (onPath) return onPath;
  const cached = cachedCliPath(env);
  if (isExecutable(cached)) return cached;
  const go = findOnPath('go', env.PATH);
  if (!go) return undefined;

  const finalDir = join(cacheDir(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  log(
    `Building the temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run only; ` +
      `about 3-6 minutes on 2 cores) into ${finalDir}`,
  );
  const started = Date.now();
  await buildIntoCache(finalDir, (binDir) =>
    goInstall({ go, module: CLI_MODULE, version: TEMPORAL_CLI_VERSION, binDir, env, log }),
  );
  log(`Built the temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
  return cached;
}
