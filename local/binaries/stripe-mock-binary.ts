import { join } from 'node:path';
import { cacheDir } from './cache-dir';
import { buildIntoCache, goInstall } from './cached-build';
import { findOnPath, isExecutable } from './run-command';

/**
 * stripe-mock, Stripe's stateless mock generated from its OpenAPI spec: the contract
 * test runs our requests against it to prove Stripe's spec accepts them. Pinned, so the
 * spec it checks against only moves when we move it.
 */
export const STRIPE_MOCK_VERSION = 'v0.203.0';
const STRIPE_MOCK_MODULE = 'github.com/stripe/stripe-mock';

export interface StripeMockBinaryOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export function cachedStripeMockPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `stripe-mock-${STRIPE_MOCK_VERSION}`, 'stripe-mock');
}

/** A stripe-mock already on this machine: STRIPE_MOCK_PATH, then PATH, then our cache. */
export function findStripeMock(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.STRIPE_MOCK_PATH;
  if (configured) {
    if (!isExecutable(configured)) {
      throw new Error(`STRIPE_MOCK_PATH=${configured} is not an executable file`);
    }
    return configured;
  }
  const onPath = findOnPath('stripe-mock', env.PATH);
  if (onPath) return onPath;
  const cached = cachedStripeMockPath(env);
  return isExecutable(cached) ? cached : undefined;
}

/** True when stripe-mock is here or Go can build it. */
export function stripeMockObtainable(env: NodeJS.ProcessEnv = process.env): boolean {
  return findStripeMock(env) !== undefined || findOnPath('go', env.PATH) !== undefined;
}

/**
 * Finds stripe-mock, building it with `go install` into the cache on first use.
 * Returns undefined when it is not here and there is no Go to build it.
 */
export async function resolveStripeMock(
  options: StripeMockBinaryOptions = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const found = findStripeMock(env);
  if (found) return found;
  const go = findOnPath('go', env.PATH);
  if (!go) return undefined;

  const cached = cachedStripeMockPath(env);
  const finalDir = join(cacheDir(env), `stripe-mock-${STRIPE_MOCK_VERSION}`);
  log(
    `Building stripe-mock ${STRIPE_MOCK_VERSION} with go install (first run only) into ${finalDir}`,
  );
  const started = Date.now();
  await buildIntoCache(finalDir, (binDir) =>
    goInstall({ go, module: STRIPE_MOCK_MODULE, version: STRIPE_MOCK_VERSION, binDir, env, log }),
  );
  log(`Built stripe-mock in ${Math.round((Date.now() - started) / 1000)} s`);
  return cached;
}
