/**
 * Debian's Chromium driven by playwright-core, for the web page's tests. Browsers are never
 * downloaded: without /usr/bin/chromium the tests that need it are skipped with a notice
 * naming the Debian package, except in CI, where its absence is a failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
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

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The web page built from the current sources into a folder of its own, for tests that must
 * not depend on (or race over) dist/web. Returns the folder; the caller removes it.
 */
export async function buildWebPage(prefix: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(path.join(ROOT, 'src', 'web', 'public'), dir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'web', 'client', 'main.ts')],
    outfile: path.join(dir, 'app.js'),
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    logLevel: 'warning',
  });
  return dir;
}
