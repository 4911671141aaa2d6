/**
 * The alarm window in a real browser (Debian's Chromium): a task whose reminder falls due a
 * minute later (the server's clock is moved, nobody waits a minute) shows the window to its
 * resource's user, and not on another user's page open at the same time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { buildServer } from '../http/server.js';
import { SYSTEM } from '../planning/actor.js';
import { ManualClock } from '../shared/clock.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { createTestOrdo } from '../test-support/ordo.js';
import { startReminders, type Reminders } from './reminders.js';
import { MINUTE, taskInput } from './test-fixture.js';
import { ManualTimers } from './timers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENT = path.join(ROOT, 'src', 'web', 'client');
const PASSWORD = 'correct horse battery';
const haveChromium = chromiumAvailable();

/** The page's bundle with the alarm window in it, built apart from the shared dist/. */
async function buildPage(dir: string): Promise<void> {
  fs.cpSync(path.join(ROOT, 'src', 'web', 'public'), dir, { recursive: true });
  await esbuild.build({
    stdin: {
      contents: "import './main.ts';\nimport './reminders.ts';\n",
      resolveDir: CLIENT,
      loader: 'ts',
    },
    outfile: path.join(dir, 'app.js'),
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    logLevel: 'warning',
  });
}

describe.skipIf(!haveChromium)('alarm window in Chromium', () => {
  const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-alarm-web-'));
  const clock = new ManualClock(Date.now());
  const timers = new ManualTimers(clock);
  let ordo: Ordo;
  let reminders: Reminders;
  let server: FastifyInstance;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    await buildPage(webRoot);
    ordo = await createTestOrdo({ clock });
    reminders = await startReminders(ordo, { timers, scheduler: true });
    server = await buildServer(ordo, { webRoot });
    base = await server.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await ordo?.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  async function pageOf(
    login: string,
    locale = 'fr-FR',
  ): Promise<{ page: Page; resourceId: string; problems: string[] }> {
    const resource = await ordo.directory.createResource({ name: login.toUpperCase() });
    await ordo.users.create({ login, password: PASSWORD, resourceId: resource.id });
    const context = await browser.newContext({ locale });
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(base);
    await page.fill('#login-form [name=login]', login);
    await page.fill('#login-form [name=password]', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.locator('#current-user').waitFor();
    return { page, resourceId: resource.id, problems };
  }

  it('shows the reminder to its resource user only, and dismisses it', async () => {
    const alice = await pageOf('alice');
    const bob = await pageOf('bob');
    await vi.waitFor(() => expect(reminders.hub.size).toBe(2), { timeout: 5000 });

    const start = clock.now() + 16 * MINUTE;
    await ordo.tasks.create({
      actor: SYSTEM,
      input: taskInput({
        label: 'Livraison cuisine',
        resourceIds: [alice.resourceId],
        timing: {
          start: new Date(start).toISOString(),
          end: new Date(start + 60 * MINUTE).toISOString(),
        },
        reminder: { kind: 'before', minutes: 15 },
      }),
    });
    await timers.advance(MINUTE);

    const window = alice.page.locator('#reminder-alarm');
    await window.waitFor();
    expect(await window.locator('h2').textContent()).toBe('Rappels');
    expect(await window.locator('.reminder-label').textContent()).toBe('Livraison cuisine');
    expect(await window.locator('.reminder-resources').textContent()).toBe('Ressources : ALICE');
    expect(await window.locator('[data-action=snooze-10]').textContent()).toBe('Dans 10 min');
    await bob.page.waitForTimeout(500);
    expect(await bob.page.locator('#reminder-alarm').count()).toBe(0);

    await window.locator('[data-action=dismiss]').click();
    await window.waitFor({ state: 'detached' });
    expect(
      await reminders.list(await ordo.users.actorFor((await ordo.users.findByLogin('alice'))!)),
    ).toEqual([]);
    expect([...alice.problems, ...bob.problems]).toEqual([]);
  });

  it('writes the reminder in English for an English page, with English punctuation', async () => {
    const carol = await pageOf('carol', 'en-US');
    await vi.waitFor(() => expect(reminders.hub.size).toBeGreaterThan(0), { timeout: 5000 });
    const start = clock.now() + 16 * MINUTE;
    await ordo.tasks.create({
      actor: SYSTEM,
      input: taskInput({
        label: 'Kitchen delivery',
        resourceIds: [carol.resourceId],
        timing: {
          start: new Date(start).toISOString(),
          end: new Date(start + 60 * MINUTE).toISOString(),
        },
        reminder: { kind: 'before', minutes: 15 },
      }),
    });
    await timers.advance(MINUTE);

    const window = carol.page.locator('#reminder-alarm');
    await window.waitFor();
    expect(await window.locator('h2').textContent()).toBe('Reminders');
    expect(await window.locator('.reminder-resources').textContent()).toBe('Resources: CAROL');
    expect(carol.problems).toEqual([]);
  });
});
