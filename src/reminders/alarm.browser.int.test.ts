/**
 * The alarm window in a real browser (Debian's Chromium): a task whose reminder falls due a
 * minute later (the server's clock is moved, nobody waits a minute) shows the window to its
 * resource's user, and not on another user's page open at the same time.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { buildServer } from '../http/server.js';
import { SYSTEM } from '../planning/actor.js';
import { ManualClock } from '../shared/clock.js';
import { buildWebPage, chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { createTestOrdo } from '../test-support/ordo.js';
import { startReminders, type Reminders } from './reminders.js';
import { MINUTE, taskInput } from './test-fixture.js';
import { ManualTimers } from './timers.js';

const PASSWORD = 'correct horse battery';
const haveChromium = chromiumAvailable();

describe.skipIf(!haveChromium)('alarm window in Chromium', () => {
  let webRoot: string;
  const clock = new ManualClock(Date.now());
  const timers = new ManualTimers(clock);
  let ordo: Ordo;
  let reminders: Reminders;
  let server: FastifyInstance;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    webRoot = await buildWebPage('ordo-alarm-web-');
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
    if (webRoot) fs.rmSync(webRoot, { recursive: true, force: true });
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
