import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The console's tests drive Debian's Chromium (apt-get install chromium) through
 * playwright-core: no browser is downloaded. CHROMIUM_PATH names another executable.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const SCREENSHOT_DIR = resolve(__dirname, '../../test-artifacts/console');

export function findChromium(): string | undefined {
  return CANDIDATES.find((path): path is string => Boolean(path) && existsSync(path!));
}

/**
 * Debian's Chromium, installed when it is missing and this process may (root with
 * apt-get), as the suite's PostgreSQL is: `npm test` needs no setup on such a machine.
 */
function findOrInstallChromium(): string | undefined {
  const found = findChromium();
  if (found || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return found;
  try {
    const quiet = {
      stdio: 'ignore' as const,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    };
    execFileSync('apt-get', ['update', '-qq'], quiet);
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], quiet);
  } catch {
    return undefined;
  }
  return findChromium();
}

/**
 * Browser tests run where a Chromium is. A missing browser is a failure that says what
 * to install, never a silent skip.
 */
export function describeInBrowser(title: string, body: (executablePath: string) => void): void {
  const executablePath = findOrInstallChromium();
  if (executablePath) {
    describe(title, () => body(executablePath));
    return;
  }
  const missing =
    `no Chromium found (looked at ${CANDIDATES.filter(Boolean).join(', ')}): ` +
    "install Debian's package with `apt-get install -y chromium`, or set CHROMIUM_PATH";
  describe(title, () => {
    test('needs Chromium', () => {
      throw new Error(missing);
    });
  });
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  // Root (CI, containers) cannot use Chromium's sandbox.
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/** Writes a full-page screenshot for a reviewer to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
