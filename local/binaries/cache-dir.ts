import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where built and fetched Temporal binaries live: outside the repository, so a clean
 * clone stays clean and a second run (or a second clone) reuses the first build.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROVISIONER_CACHE_DIR) return env.PROVISIONER_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'provisioner');
}
