/**
 * Debian's Chromium driven by playwright-core, for the web page's tests. Browsers are never
 * downloaded: without /usr/bin/chromium the tests that need it are skipped with a notice
 * naming the Debian package, except in CI, where its absence is a failure.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.ORDO_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Whether Chromium is installed; throws in CI when it is not. */
export function chromiumAvailable(): boolean {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  const notice = `Chromium is not installed at ${CHROMIUM_PATH} (Debian package: chromium)`;
  if (process.env.CI === 'true') throw new Error(`${notice}, and CI needs it`);
  console.warn(`${notice}: the browser tests are skipped`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
