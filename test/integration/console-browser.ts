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

const inCi = () => Boolean(process.env.CI) && process.env.CI !== 'false';

/**
 * Browser tests run where a Chromium is. In CI a missing browser is a failure that says
 * what to install, never a silent skip; elsewhere the tests are skipped with that note.
 */
export function describeInBrowser(title: string, body: (executablePath: string) => void): void {
  const executablePath = findChromium();
  if (executablePath) {
    describe(title, () => body(executablePath));
    return;
  }
  const missing =
    `no Chromium found (looked at ${CANDIDATES.filter(Boolean).join(', ')}): ` +
    "install Debian's package with `apt-get install -y chromium`, or set CHROMIUM_PATH";
  if (inCi()) {
    describe(title, () => {
      test('needs Chromium', () => {
        throw new Error(missing);
      });
    });
    return;
  }
  console.warn(`skipping "${title}": ${missing}`);
  describe.skip(title, () => body(''));
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
