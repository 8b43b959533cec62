import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../temporal-binaries/cache-dir';
import { findOnPath, isExecutable, runLogged } from '../temporal-binaries/run-command';

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

  // Build into a private directory and rename it into place, so that two processes
  // building at once never see (or leave) a half-written binary.
  const cached = cachedStripeMockPath(env);
  const finalDir = join(cacheDir(env), `stripe-mock-${STRIPE_MOCK_VERSION}`);
  const buildDir = `${finalDir}.build-${process.pid}`;
  mkdirSync(buildDir, { recursive: true });
  log(
    `Building stripe-mock ${STRIPE_MOCK_VERSION} with go install (first run only) into ${finalDir}`,
  );
  try {
    await runLogged(go, ['install', `${STRIPE_MOCK_MODULE}@${STRIPE_MOCK_VERSION}`], {
      env: { ...env, GOBIN: buildDir, GOFLAGS: '-trimpath' },
      log: (line) => log(`  go: ${line}`),
    });
    try {
      renameSync(buildDir, finalDir);
    } catch (error: unknown) {
      // Another process finished first; its binary is as good as ours.
      if (!isExecutable(cached)) throw error;
    }
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
  return cached;
}
