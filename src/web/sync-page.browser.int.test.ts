/**
 * The calendar sync page in a real browser (Debian's Chromium), in French, against a real
 * Radicale: the user sets up their CalDAV account (discovery, calendar picker), syncs now and
 * reads the run log; in manual mode the task bar's context menu and the task window's button
 * send single tasks to the calendar, which then holds them.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { buildServer } from '../http/server.js';
import type { Task, User } from '../planning/types.js';
import { createCalDavProvider } from '../sync/caldav/index.js';
import { syncOf } from '../sync/capability.js';
import type { RemoteItem } from '../sync/provider.js';
import { buildWebPage, chromiumAvailable, launchChromium } from '../test-support/browser.js';
import {
  describeWithServer,
  startRadicale,
  type CalDavServer,
} from '../test-support/caldav-servers.js';
import { createTestOrdo } from '../test-support/ordo.js';

const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;
const haveChromium = chromiumAvailable();

/** Day `offset` from today at `hour`:00 UTC, inside the default window (today + 180 days). */
function soon(offset: number, hour: number): { start: number; end: number } {
  const today = Date.now() - (Date.now() % DAY);
  const start = today + offset * DAY + hour * 3_600_000;
  return { start, end: start + 3_600_000 };
}

function calendarDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

async function calendarItems(server: CalDavServer, calendarUrl: string): Promise<RemoteItem[]> {
  const provider = createCalDavProvider({
    calendarUrl,
    username: server.username,
    password: server.password,
    timeZone: 'Europe/Paris',
  });
  const window = { from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 1) };
  return (await provider.listChanges(null, window)).changed;
}

async function putEvent(server: CalDavServer, calendarUrl: string, label: string): Promise<void> {
  const { start, end } = soon(3, 14);
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Phone//EN',
    'BEGIN:VEVENT',
    'UID:phone-1@example.org',
    `DTSTAMP:${stamp(start)}`,
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(end)}`,
    `SUMMARY:${label}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  const auth = Buffer.from(`${server.username}:${server.password}`).toString('base64');
  const response = await fetch(new URL('phone-1.ics', calendarUrl), {
    method: 'PUT',
    headers: { Authorization: `Basic ${auth}`, 'Content-Type': 'text/calendar; charset=utf-8' },
    body: ics,
  });
  expect(response.status).toBe(201);
}

if (haveChromium) {
  describeWithServer('the calendar sync page in Chromium', startRadicale, (server) => {
    let webRoot: string;
    let ordo: Ordo;
    let http: FastifyInstance;
    let browser: Browser;
    let base: string;
    let resourceId: string;

    beforeAll(async () => {
      webRoot = await buildWebPage('ordo-sync-web-');
      ordo = await createTestOrdo();
      resourceId = (await ordo.directory.createResource({ name: 'Alice Martin' })).id;
      http = await buildServer(ordo, { webRoot });
      base = await http.listen({ port: 0, host: '127.0.0.1' });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await http?.close();
      await ordo?.close();
      if (webRoot) fs.rmSync(webRoot, { recursive: true, force: true });
    });

    let users = 0;
    /** A user whose "who I am" is Alice's resource, logged in on a French browser. */
    async function logIn(): Promise<{
      user: User;
      context: BrowserContext;
      page: Page;
      problems: string[];
    }> {
      users += 1;
      const user = await ordo.users.create({
        login: `alice${users}`,
        password: PASSWORD,
        resourceId,
      });
      const context = await browser.newContext({ locale: 'fr-FR' });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(base);
      await page.fill('#login-form [name=login]', user.login);
      await page.fill('#login-form [name=password]', PASSWORD);
      await page.click('#login-form button[type=submit]');
      await page.locator('#current-user').waitFor();
      // From here on (the 401 of the first visit is how the page learns it must log in),
      // any console error counts, Content-Security-Policy refusals included.
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      return { user, context, page, problems };
    }

    async function addTask(user: User, label: string, offset: number): Promise<Task> {
      const actor = await ordo.users.actorFor(user);
      return ordo.tasks.create({
        actor,
        input: {
          label,
          timing: { allDay: false, ...soon(offset, 8) },
          resourceIds: [resourceId],
          clientId: null,
          remark: '',
          location: '',
          category: '',
          reminder: { kind: 'none' },
          private: false,
        },
      });
    }

    /** Options → Synchronisation du calendrier, filled through discovery, then saved. */
    async function setUpAccount(page: Page, calendarUrl: string, exportAs: string) {
      await page.click('[data-route="/options/sync"]');
      await page.locator('h2', { hasText: 'Synchronisation du calendrier' }).waitFor();
      await page.selectOption('#sync-form [name=provider]', 'caldav');
      await page.fill('#sync-form [name=serverUrl]', server().baseUrl);
      await page.fill('#sync-form [name=username]', server().username ?? '');
      await page.fill('#sync-form [name=password]', server().password ?? '');
      await page.click('#sync-discover');
      await page.locator('#sync-discovered', { hasText: 'agenda(s) trouvé(s)' }).waitFor();
      const picker = page.locator('#sync-form [name=calendarUrl]');
      const values = await picker
        .locator('option')
        .evaluateAll((options) => options.map((o) => o.getAttribute('value') ?? ''));
      expect(values).toContain(calendarUrl);
      await picker.selectOption(calendarUrl);
      await page.selectOption('#sync-form [name=exportAs]', exportAs);
      await page.check('#sync-form [name=enabled]');
      await page.click('#sync-form button[type=submit]');
      await page.locator('.toast', { hasText: 'Enregistré.' }).waitFor();
      await expect
        .poll(() => page.getAttribute('#sync-form [name=password]', 'placeholder'))
        .toMatch(/^enregistré/);
    }

    it('sets up a CalDAV account by discovery, syncs now and lists what was created', async () => {
      const { user, context, page, problems } = await logIn();
      const calendarUrl = await server().createCalendar();
      await addTask(user, 'Chantier Dupont', 2);
      await putEvent(server(), calendarUrl, 'Dentiste');

      await page.click('[data-route="/options/sync"]');
      await page.fill('#sync-form [name=everyMinutes]', '3');
      await page.click('#sync-form button[type=submit]');
      const minimum = page.locator('#sync-form [data-error-for=everyMinutes]');
      await expect.poll(() => minimum.textContent()).toBe('Au moins 5 minutes.');
      // The refusal was the 400 the browser logs; nothing else may have gone wrong.
      expect(problems.splice(0)).toEqual([
        expect.stringContaining('the server responded with a status of 400'),
      ]);
      await page.fill('#sync-form [name=everyMinutes]', '15');

      await setUpAccount(page, calendarUrl, 'appointments');
      expect(await page.textContent('#sync-who')).toBe('Alice Martin');
      await page.click('#sync-run');
      await page.locator('.toast', { hasText: 'Synchronisation terminée' }).waitFor();

      const run = page.locator('#sync-runs .sync-run[data-status=ok]').first();
      await expect.poll(() => run.locator('summary').textContent()).toMatch(/2 créé\(s\)/);
      const created = run.locator('tr[data-action=created]');
      await expect.poll(() => created.count()).toBe(2);
      const toCalendar = run.locator('tr[data-action=created][data-side=calendar]');
      await expect
        .poll(() => toCalendar.locator('.sync-item').textContent())
        .toBe('Chantier Dupont');
      expect(await toCalendar.textContent()).toContain('dans l’agenda');
      expect(await toCalendar.textContent()).toContain('créé dans le planning');
      const toPlanning = run.locator('tr[data-action=created][data-side=planning]');
      await expect.poll(() => toPlanning.locator('.sync-item').textContent()).toBe('Dentiste');
      expect(await toPlanning.textContent()).toContain('créé dans l’agenda');
      expect(await page.textContent('#sync-status')).toMatch(/^Dernière synchronisation/);

      const labels = (await calendarItems(server(), calendarUrl)).map((i) => i.fields.label);
      expect(labels.sort()).toEqual(['Chantier Dupont', 'Dentiste']);

      // Starting over asks first, then forgets the pairs: the next run links them again.
      const pairs = () => ordo.store.db.selectFrom('sync_items').select('task_id').execute();
      expect(await pairs()).toHaveLength(2);
      page.once('dialog', (dialog) => void dialog.dismiss());
      await page.click('#sync-start-over');
      expect(await pairs()).toHaveLength(2);
      page.once('dialog', (dialog) => void dialog.accept());
      await page.click('#sync-start-over');
      await page.locator('.toast', { hasText: 'repart de zéro' }).waitFor();
      expect(await pairs()).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    });

    it('manual mode: the context menu and the task window send single tasks', async () => {
      const { user, context, page, problems } = await logIn();
      const calendarUrl = await server().createCalendar();
      const bar = await addTask(user, 'Pose de cuisine', 2);
      await addTask(user, 'Réunion équipe', 2);
      const todo = await addTask(user, 'Commande carrelage', 2);
      await setUpAccount(page, calendarUrl, 'manual');

      await page.click('[data-route="/planning"]');
      await page.fill('.date-picker', calendarDate(soon(2, 8).start));
      await page.locator('.bar', { hasText: 'Pose de cuisine' }).click({ button: 'right' });
      const menu = page.locator('#task-sync-menu');
      expect(await menu.locator('[role=menuitem]').allTextContents()).toEqual([
        'Envoyer dans les rendez-vous de l’agenda',
        'Envoyer dans les tâches de l’agenda',
        'Arrêter la synchronisation',
      ]);
      await menu.locator('[data-sync-action=event]').click();
      await page.locator('.toast', { hasText: 'rendez-vous' }).waitFor();
      expect(await menu.count()).toBe(0);

      await page.locator('.bar', { hasText: 'Commande carrelage' }).click();
      await page.click('#task-actions [data-action=sync]');
      await page.click('#task-sync-menu [data-sync-action=todo]');
      await page.locator('.toast', { hasText: 'tâches d’agenda' }).waitFor();

      const run = await syncOf(ordo).worker.syncNow(user.id);
      expect(run.status).toBe('ok');
      const items = await calendarItems(server(), calendarUrl);
      const byLabel = new Map(items.map((item) => [item.fields.label, item.fields.kind]));
      expect(Object.fromEntries(byLabel)).toEqual({
        'Pose de cuisine': 'event',
        'Commande carrelage': 'todo',
      });
      expect(items.map((item) => item.fields.uid).sort()).toEqual([bar.uid, todo.uid].sort());
      expect(problems).toEqual([]);
      await context.close();
    });
  });
} else {
  it.skip('the calendar sync page in Chromium (Debian package chromium is missing)', () => {});
}
