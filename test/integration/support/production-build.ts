import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKFLOW_BUNDLE_FILE } from '../../../src/worker/workflow-source';

const root = join(__dirname, '..', '..', '..');
/** Written last by `npm run build`: its age is the build's. */
const bundle = join(root, 'dist', WORKFLOW_BUNDLE_FILE);
/** What `npm run build` compiles, and what decides how. */
const INPUTS = [
  'src',
  'workflows',
  'activities',
  'scripts/bundle-workflows.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];

/**
 * Makes sure dist/ is the build of the sources as they are: CI builds before `npm test`,
 * and a developer who runs the tests alone gets `npm run build` run for them (about a
 * minute) when dist/ is missing or older than any source.
 */
export async function ensureProductionBuild(log: (line: string) => void): Promise<void> {
  const stale = staleness();
  if (!stale) return;
  log(`${stale}: running npm run build`);
  const started = Date.now();
  await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: root, timeout: 300_000 });
  log(`npm run build took ${Math.round((Date.now() - started) / 1000)} s`);
}

function staleness(): string | undefined {
  if (!existsSync(bundle)) return `${bundle} is missing`;
  const builtAt = statSync(bundle).mtimeMs;
  for (const input of INPUTS) {
    const newer = newestFile(join(root, input));
    if (newer && newer.mtimeMs > builtAt) return `${newer.path} is newer than the build`;
  }
  return undefined;
}

function newestFile(path: string): { path: string; mtimeMs: number } | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return undefined;
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(path)) {
    const found = newestFile(join(path, entry));
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}
