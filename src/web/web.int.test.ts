/**
 * The web page in a real browser (Debian's Chromium) against a real server on a free port:
 * logging in, the planning in French and English, creating, moving and deleting a task,
 * escaping of labels, rights of a read-only user, admin pages, unavailabilities.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { buildServer } from '../http/server.js';
import { SYSTEM } from '../planning/actor.js';
import type { TaskInput } from '../planning/task-input.js';
import type { Resource, TaskTiming } from '../planning/types.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { createTestOrdo } from '../test-support/ordo.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB_ROOT = path.join(ROOT, 'dist', 'web');
const PASSWORD = 'correct horse battery';
/** A week of March 2026, before the change to summer time: Paris is UTC+1. */
const MONDAY = '2026-03-02';

const haveChromium = chromiumAvailable();

interface Fixture {
  alice: Resource;
  bob: Resource;
  truck: Resource;
}

async function seed(ordo: Ordo): Promise<Fixture> {
  const workshop = await ordo.directory.createDepartment('Atelier');
  const office = await ordo.directory.createDepartment('Bureau');
  const alice = await ordo.directory.createResource({
    name: 'Alice Martin',
    departmentId: workshop.id,
  });
  const bob = await ordo.directory.createResource({
    name: 'Bob Durand',
    departmentId: workshop.id,
  });
  const truck = await ordo.directory.createResource({
    name: 'Camion 1',
    kind: 'material',
    departmentId: office.id,
  });
  await ordo.directory.createClient({ name: 'Dupont SA', email: 'contact@dupont.example' });
  await ordo.users.create({
    login: 'admin',
    password: PASSWORD,
    isAdmin: true,
    resourceId: alice.id,
  });
  await ordo.users.create({ login: 'reader', password: PASSWORD, defaultAccess: 'read' });

  const task = (label: string, timing: TaskTiming, resourceIds: string[], more = {}) =>
    ordo.tasks.create({
      actor: SYSTEM,
      input: {
        label,
        timing,
        resourceIds,
        clientId: null,
        remark: '',
        location: '',
        category: '',
        reminder: { kind: 'none' },
        private: false,
        ...more,
      } satisfies TaskInput,
    });
  const at = (iso: string) => Date.parse(iso);
  await task(
    'Chantier Dupont',
    { allDay: false, start: at('2026-03-02T07:00Z'), end: at('2026-03-02T11:00Z') },
    [alice.id],
    { category: 'Chantier' },
  );
  await task(
    'Réunion équipe',
    { allDay: false, start: at('2026-03-03T13:00Z'), end: at('2026-03-03T14:00Z') },
    [alice.id, bob.id],
  );
  await task(
    'Salon pro',
    { allDay: true, startDate: '2026-03-04', endDate: '2026-03-06' },
    [truck.id],
    { category: 'Salon' },
  );
  await task(
    'Médecin',
    { allDay: false, start: at('2026-03-05T09:00Z'), end: at('2026-03-05T10:00Z') },
    [bob.id],
    { private: true },
  );
  await ordo.unavailabilities.create(SYSTEM, {
    resourceId: bob.id,
    start: at('2026-03-06T00:00+01:00'),
    end: at('2026-03-07T00:00+01:00'),
    reason: 'Congés',
  });
  return { alice, bob, truck };
}

describe.skipIf(!haveChromium)('web page', () => {
  let ordo: Ordo;
  let server: FastifyInstance;
  let browser: Browser;
  let base: string;
  let data: Fixture;

  beforeAll(async () => {
    // The type check runs in the build and in lint; here only the bundle is needed.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-web.mjs'), '--no-check'], {
      cwd: ROOT,
    });
    ordo = await createTestOrdo();
    data = await seed(ordo);
    server = await buildServer(ordo, { webRoot: WEB_ROOT });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const address = server.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await ordo?.close();
  });

  /** A fresh browser profile in a language, with script errors and CSP refusals collected. */
  async function open(
    locale: string,
  ): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('dialog', (dialog) => {
      problems.push(`alert: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(base);
    return { context, page, problems };
  }

  async function logIn(page: Page, login: string, password = PASSWORD): Promise<void> {
    await page.fill('#login-form [name=login]', login);
    await page.fill('#login-form [name=password]', password);
    await page.click('#login-form button[type=submit]');
  }

  async function showWeek(page: Page): Promise<void> {
    await page.fill('.date-picker', '2026-03-04');
    await page.locator(`.day-head[data-date="${MONDAY}"]`).waitFor();
    await page.locator('.bar').first().waitFor();
  }

  const row = (page: Page, resource: Resource) =>
    page.locator(`.row[data-resource-id="${resource.id}"]`);

  async function tasksOn(resource: Resource) {
    return ordo.tasks.list(SYSTEM, {
      from: Date.parse('2026-03-01T00:00Z'),
      to: Date.parse('2026-03-09T00:00Z'),
      resourceId: resource.id,
    });
  }

  it('logs in, draws the week in French, and creates, moves and deletes a task', async () => {
    const { context, page, problems } = await open('fr-FR');
    await expect(page.locator('#login-form h2').textContent()).resolves.toBe('Connexion');

    await logIn(page, 'admin', 'wrong password');
    await page.locator('#login-error:not(:empty)').waitFor();
    expect(await page.textContent('#login-error')).toBe('Identifiant ou mot de passe incorrect.');

    await logIn(page, 'admin');
    await showWeek(page);
    expect(await page.textContent('[data-route="/resources"]')).toBe('Ressources');
    expect(await page.textContent('[data-mode=week]')).toBe('Semaine');
    expect(await page.locator('.department').allTextContents()).toEqual(['Atelier', 'Bureau']);
    const aliceBars = await row(page, data.alice).locator('.bar-label').allTextContents();
    expect(aliceBars).toEqual(['08:00 Chantier Dupont', '14:00 Réunion équipe']);
    // A private task of someone else: a masked "Privé" bar, no label.
    expect(await row(page, data.bob).locator('.bar.masked').textContent()).toBe('10:00 Privé');
    // All-day task over two days: its bar is as wide as two day columns.
    const salon = await row(page, data.truck).locator('.bar.all-day').boundingBox();
    const day = await row(page, data.truck).locator('.cell').first().boundingBox();
    expect(Math.abs((salon?.width ?? 0) - 2 * (day?.width ?? 0))).toBeLessThan(4);
    // The unavailability is hatched, not a bar.
    const off = row(page, data.bob).locator('.unavailability');
    expect(await off.textContent()).toBe('Congés');
    expect(
      await off.evaluate(
        (el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundImage,
      ),
    ).toContain('repeating-linear-gradient');
    await page.screenshot({ path: '/tmp/ordo-planning-fr.png' });

    // Create: a click in Alice's Wednesday opens the task window there.
    const wednesday = row(page, data.alice).locator('.cell[data-date="2026-03-04"]');
    const box = await wednesday.boundingBox();
    await wednesday.click({ position: { x: (box?.width ?? 100) - 12, y: 8 } });
    const dialog = page.locator('#task-dialog');
    await dialog.waitFor();
    expect(await dialog.locator('#task-actions').count()).toBe(1);
    await dialog.locator('[name=label]').fill('Visite client');
    await dialog.locator('[name=startTime]').fill('10:00');
    await dialog.locator('[name=endTime]').fill('11:30');
    await dialog.locator('[name=clientId]').selectOption({ label: 'Dupont SA' });
    await dialog.locator('[name=reminder]').selectOption('15');
    // The server refuses an end before the start; its error shows beside the end, in French.
    await dialog.locator('[name=endTime]').fill('09:00');
    await dialog.locator('#task-save').click();
    const endError = dialog.locator('[data-error-for=end]');
    await endError.locator('text=La fin doit venir après le début.').waitFor();
    await dialog.locator('[name=endTime]').fill('11:30');
    expect(await endError.textContent()).toBe('');
    await page.screenshot({ path: '/tmp/ordo-task-dialog-fr.png' });
    await dialog.locator('#task-save').click();
    await dialog.waitFor({ state: 'detached' });
    const bar = row(page, data.alice).locator('.bar', { hasText: 'Visite client' });
    await bar.waitFor();
    const created = (await tasksOn(data.alice)).find((t) => t.label === 'Visite client');
    expect(created?.timing).toEqual({
      allDay: false,
      start: Date.parse('2026-03-04T09:00Z'),
      end: Date.parse('2026-03-04T10:30Z'),
    });
    expect(created?.reminder).toEqual({ kind: 'before', minutes: 15 });

    // Move: drag the bar from its own start to Bob's Thursday.
    const from = await bar.boundingBox();
    const to = await row(page, data.bob).locator('.cell[data-date="2026-03-05"]').boundingBox();
    if (!from || !to) throw new Error('no boxes');
    await page.mouse.move(from.x + 4, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + 10, to.y + to.height / 2, { steps: 8 });
    expect(await page.textContent('.drag-tip')).toBe('Bob Durand · jeu. 5 mars');
    await page.screenshot({ path: '/tmp/ordo-drag-fr.png' });
    await page.mouse.up();
    await row(page, data.bob).locator('.bar', { hasText: 'Visite client' }).waitFor();
    const moved = await ordo.tasks.get(SYSTEM, created?.id ?? '');
    expect(moved.resourceIds).toEqual([data.bob.id]);
    expect(moved.timing).toEqual({
      allDay: false,
      start: Date.parse('2026-03-05T09:00Z'),
      end: Date.parse('2026-03-05T10:30Z'),
    });

    // Delete, after confirming.
    await row(page, data.bob).locator('.bar', { hasText: 'Visite client' }).click();
    await dialog.locator('#task-delete').click();
    await page.click('dialog.confirm [data-confirm=yes]');
    await dialog.waitFor({ state: 'detached' });
    await row(page, data.bob)
      .locator('.bar', { hasText: 'Visite client' })
      .waitFor({ state: 'detached' });
    expect((await tasksOn(data.bob)).some((t) => t.label === 'Visite client')).toBe(false);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a hostile label as text, running nothing', async () => {
    const { context, page, problems } = await open('fr-FR');
    await logIn(page, 'admin');
    await showWeek(page);
    const label = '<img src=x onerror=alert(1)>';
    await row(page, data.truck).locator('.cell[data-date="2026-03-02"]').click();
    await page.locator('#task-dialog [name=label]').fill(label);
    await page.click('#task-save');
    const bar = row(page, data.truck).locator('.bar', { hasText: 'onerror' });
    await bar.waitFor();
    expect(await bar.locator('.bar-label').textContent()).toContain(label);
    expect(await page.locator('.planning img').count()).toBe(0);
    await page.waitForTimeout(200);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('blocks a resource with an unavailability, and removes it', async () => {
    const { context, page, problems } = await open('fr-FR');
    await logIn(page, 'admin');
    await showWeek(page);
    await page.click('#new-unavailability');
    const form = page.locator('dialog.form-window form');
    await form.locator('[name=resourceId]').selectOption({ label: 'Alice Martin' });
    await form.locator('[name=startDate]').fill('2026-03-05');
    await form.locator('[name=endDate]').fill('2026-03-06');
    await form.locator('[name=reason]').fill('Formation');
    await form.locator('button[type=submit]').click();
    const block = row(page, data.alice).locator('.unavailability', { hasText: 'Formation' });
    await block.waitFor();
    const stored = await ordo.unavailabilities.list(SYSTEM, {
      from: Date.parse('2026-03-01T00:00Z'),
      to: Date.parse('2026-03-09T00:00Z'),
      resourceId: data.alice.id,
    });
    expect(stored.map((u) => [u.reason, u.start, u.end])).toEqual([
      ['Formation', Date.parse('2026-03-05T00:00+01:00'), Date.parse('2026-03-07T00:00+01:00')],
    ]);
    // Two whole days wide.
    const box = await block.boundingBox();
    const day = await row(page, data.alice).locator('.cell').first().boundingBox();
    expect(Math.abs((box?.width ?? 0) - 2 * (day?.width ?? 0))).toBeLessThan(4);

    await block.click();
    await page.click('dialog.confirm [data-confirm=yes]');
    await block.waitFor({ state: 'detached' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('repeats a task, takes an occurrence out of the series, deletes the series', async () => {
    const { context, page, problems } = await open('fr-FR');
    await logIn(page, 'admin');
    await showWeek(page);
    await row(page, data.alice)
      .locator('.cell[data-date="2026-03-06"]')
      .click({ position: { x: 100, y: 8 } });
    const dialog = page.locator('#task-dialog');
    await dialog.locator('[name=label]').fill('Ronde');
    await dialog.locator('[name=startTime]').fill('07:00');
    await dialog.locator('[name=endTime]').fill('07:30');
    await dialog.locator('[name=repeatRule]').selectOption('FREQ=DAILY');
    await dialog.locator('[name=repeatUntil]').fill('2026-03-08');
    await dialog.locator('#task-save').click();
    const bars = row(page, data.alice).locator('.bar', { hasText: 'Ronde' });
    await bars.nth(2).waitFor();
    expect(await bars.count()).toBe(3);

    // Saturday's occurrence leaves the series; the series is then deleted from Friday's.
    await bars.nth(1).click();
    await dialog.locator('#task-detach').click();
    await page.click('dialog.confirm [data-confirm=yes]');
    await dialog.waitFor({ state: 'detached' });
    await row(page, data.alice).locator('.bar', { hasText: 'Ronde' }).first().click();
    await dialog.locator('#series-delete').click();
    await page.click('dialog.confirm [data-confirm=yes]');
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(
      `document.querySelectorAll('.row[data-resource-id="${data.alice.id}"] .bar').length === 3`,
    );
    const left = (await tasksOn(data.alice)).filter((t) => t.label === 'Ronde');
    expect(
      left.map((t) => [t.timing, t.periodicTaskId, Boolean(t.detachedFromPeriodicTaskId)]),
    ).toEqual([
      [
        {
          allDay: false,
          start: Date.parse('2026-03-07T06:00Z'),
          end: Date.parse('2026-03-07T06:30Z'),
        },
        null,
        true,
      ],
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('sets a reminder at a date and time when the option asks for it', async () => {
    await ordo.settings.set('task.reminderByDate', true);
    try {
      const { context, page, problems } = await open('fr-FR');
      await logIn(page, 'admin');
      await showWeek(page);
      await row(page, data.truck)
        .locator('.cell[data-date="2026-03-03"]')
        .click({ position: { x: 100, y: 8 } });
      const dialog = page.locator('#task-dialog');
      await dialog.locator('[name=label]').fill('Contrôle technique');
      const choices = await dialog.locator('[name=reminder] option').allTextContents();
      expect(choices).toEqual(['Aucun', 'À une date et une heure']);
      await dialog.locator('[name=reminder]').selectOption('at');
      await dialog.locator('[name=reminderAt]').fill('2026-03-03T08:30');
      await dialog.locator('#task-save').click();
      await row(page, data.truck).locator('.bar', { hasText: 'Contrôle technique' }).waitFor();
      const task = (await tasksOn(data.truck)).find((t) => t.label === 'Contrôle technique');
      expect(task?.reminder).toEqual({ kind: 'at', at: Date.parse('2026-03-03T07:30Z') });
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await ordo.settings.set('task.reminderByDate', false);
    }
  });

  it('speaks English to an English browser, and switches language on demand', async () => {
    const { context, page, problems } = await open('en-US');
    await expect(page.locator('#login-form h2').textContent()).resolves.toBe('Log in');
    await logIn(page, 'admin');
    await showWeek(page);
    expect(await page.textContent('[data-mode=week]')).toBe('Week');
    expect(await row(page, data.bob).locator('.bar.masked').textContent()).toBe('10:00 Private');
    await page.screenshot({ path: '/tmp/ordo-planning-en.png' });
    await row(page, data.truck).locator('.bar', { hasText: 'Salon pro' }).click();
    await page.locator('#task-dialog [name=allDay]:checked').waitFor();
    await page.screenshot({ path: '/tmp/ordo-task-dialog-en.png' });
    await page.keyboard.press('Escape');
    await page.locator('#task-dialog').waitFor({ state: 'detached' });

    await page.selectOption('#language', 'fr');
    await page.locator('[data-mode=week]', { hasText: 'Semaine' }).waitFor();
    await page.reload();
    // The language and the week shown both survive a reload.
    await page.locator('[data-mode=week]', { hasText: 'Semaine' }).waitFor();
    await page.locator(`.day-head[data-date="${MONDAY}"]`).waitFor();
    await page.selectOption('#language', 'en');
    await page.locator('[data-mode=week]', { hasText: 'Week' }).waitFor();

    await page.click('[data-nav=today]');
    await page.locator('.day-head.today').waitFor();
    await page.screenshot({ path: '/tmp/ordo-today-en.png' });
    await page.fill('.date-picker', '2026-03-04');
    await page.locator(`.day-head[data-date="${MONDAY}"]`).waitFor();

    // Month view still shows the tasks, one column a day.
    await page.click('[data-mode=month]');
    await page.locator('.day-head[data-date="2026-03-31"]').waitFor();
    await row(page, data.alice).locator('.bar', { hasText: 'Chantier Dupont' }).waitFor();
    await page.screenshot({ path: '/tmp/ordo-planning-month-en.png' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('gives administrators their pages', async () => {
    const { context, page, problems } = await open('fr-FR');
    await logIn(page, 'admin');
    await page.locator('#admin-nav').waitFor();
    await page.click('[data-route="/admin/users"]');
    await page.locator('tr', { hasText: 'reader' }).waitFor();
    await page.click('[data-action=new]');
    const form = page.locator('dialog.form-window form');
    await form.locator('[name=login]').fill('planif');
    await form.locator('[name=password]').fill('court');
    await form.locator('button[type=submit]').click();
    await form
      .locator('[data-error-for=password]', { hasText: 'Un mot de passe compte de 8 à 200' })
      .waitFor();
    await form.locator('[name=password]').fill('un mot de passe long');
    await form.locator('[name=resourceId]').selectOption({ label: 'Bob Durand' });
    await form.locator('[name=defaultAccess]').selectOption('read');
    const workshop = (await ordo.directory.listDepartments()).find((d) => d.name === 'Atelier');
    await form.locator(`[name="access-${workshop?.id}"]`).selectOption('write');
    await form.locator('[name=language]').selectOption('en');
    await form.locator('button[type=submit]').click();
    await page.locator('tr', { hasText: 'planif' }).waitFor();
    const planner = await ordo.users.findByLogin('planif');
    expect(planner).toMatchObject({
      isAdmin: false,
      resourceId: data.bob.id,
      defaultAccess: 'read',
      departmentAccess: { [workshop?.id ?? '']: 'write' },
      language: 'en',
    });
    await page.click('[data-route="/admin/options"]');
    const secret = page.locator('form.setting[data-key="mail.smtp.password"] input');
    await secret.waitFor();
    expect(await secret.getAttribute('placeholder')).toBe('non défini');
    expect(await secret.inputValue()).toBe('');
    await secret.fill('s3cret-smtp');
    await page.click('form.setting[data-key="mail.smtp.password"] button');
    await page
      .locator('form.setting[data-key="mail.smtp.password"] input[placeholder="défini"]')
      .waitFor();
    expect(await secret.inputValue()).toBe('');
    expect(await ordo.settings.get('mail.smtp.password')).toBe('s3cret-smtp');
    const port = page.locator('form.setting[data-key="mail.smtp.port"]');
    await port.locator('input').fill('70000');
    await port.locator('button').click();
    await port
      .locator('.field-error', { hasText: "La valeur n'est pas valable pour ce réglage." })
      .waitFor();
    await page.screenshot({ path: '/tmp/ordo-options-fr.png', fullPage: true });
    await page.click('[data-route="/resources"]');
    await page.locator('tr', { hasText: 'Camion 1' }).waitFor();
    await page.screenshot({ path: '/tmp/ordo-resources-fr.png' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('creates, edits and deletes identity cards and groups', async () => {
    const { context, page, problems } = await open('fr-FR');
    await logIn(page, 'admin');
    await page.click('[data-route="/clients"]');
    await page.click('[data-action=new]');
    const form = page.locator('dialog.form-window form');
    await form.locator('[name=name]').fill('Garage Leroy');
    await form.locator('[name=email]').fill('pas-une-adresse');
    await form.locator('button[type=submit]').click();
    await form
      .locator('[data-error-for=email]', { hasText: "L'adresse e-mail n'est pas valable." })
      .waitFor();
    await form.locator('[name=email]').fill('atelier@leroy.example');
    await form.locator('[name=mobile]').fill('06 12 34 56 78');
    await form.locator('button[type=submit]').click();
    const client = page.locator('tr', { hasText: 'Garage Leroy' });
    await client.waitFor();
    expect(await client.textContent()).toContain('+33612345678');

    await client.locator('[data-action=edit]').click();
    await form.locator('[name=name]').fill('Garage Leroy & fils');
    await form.locator('button[type=submit]').click();
    await page.locator('tr', { hasText: 'Garage Leroy & fils' }).waitFor();
    await page
      .locator('tr', { hasText: 'Garage Leroy & fils' })
      .locator('[data-action=delete]')
      .click();
    await page.click('dialog.confirm [data-confirm=yes]');
    await page.locator('tr', { hasText: 'Garage Leroy' }).waitFor({ state: 'detached' });
    expect((await ordo.directory.listClients()).map((c) => c.name)).toEqual(['Dupont SA']);

    await page.click('[data-route="/admin/groups"]');
    await page.click('[data-action=new]');
    await form.locator('[name=name]').fill('Planificateurs');
    await form.locator('[name=canDelete]').uncheck();
    await form.locator('button[type=submit]').click();
    await page.locator('tr', { hasText: 'Planificateurs' }).waitFor();
    const groups = await ordo.users.listGroups();
    expect(groups.map((g) => [g.name, g.canAdd, g.canModify, g.canDelete])).toEqual([
      ['Planificateurs', true, true, false],
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('imports an .ics file for a resource and exports its tasks', async () => {
    const { context, page, problems } = await open('en-GB');
    await logIn(page, 'admin');
    await page.click('[data-route="/transfer"]');
    await page.selectOption('[name=importResource]', { label: 'Camion 1' });
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Ordo tests//EN',
      'BEGIN:VEVENT',
      'UID:import-1@example.test',
      'DTSTAMP:20260301T120000Z',
      'DTSTART:20260309T080000Z',
      'DTEND:20260309T100000Z',
      'SUMMARY:Révision camion',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    await page.setInputFiles('[name=file]', {
      name: 'truck.ics',
      mimeType: 'text/calendar',
      buffer: Buffer.from(ics),
    });
    await page.click('#import-form button[type=submit]');
    const imported = page.locator('[data-report=imported]');
    await imported.waitFor();
    expect(await imported.locator('h4').textContent()).toBe('Imported (1)');
    expect(await imported.locator('li').textContent()).toContain('Révision camion');
    await page.screenshot({ path: '/tmp/ordo-transfer-en.png' });

    await page.selectOption('[name=exportResource]', { label: 'Camion 1' });
    const href = (await page.getAttribute('#export-link', 'href')) ?? '';
    expect(href).toContain('resourceId=');
    // Fetched by the page itself, so with its session cookie, as a click would download it.
    const exported = await page.evaluate(async (url) => (await fetch(url)).text(), href);
    expect(exported).toContain('BEGIN:VCALENDAR');
    expect(exported).toContain('SUMMARY:Révision camion');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reads on a narrow screen: the grid scrolls by itself, not the page', async () => {
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 390, height: 800 },
    });
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    await page.goto(base);
    await logIn(page, 'admin');
    await showWeek(page);
    // A string, as this file is type-checked without the DOM library.
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    await page.screenshot({ path: '/tmp/ordo-planning-narrow-fr.png' });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.click('[data-mode=day]');
    await page.locator('.hours').waitFor();
    await page.screenshot({ path: '/tmp/ordo-planning-day-narrow-fr.png' });
    await context.close();
  });

  it('gives a read-only user no edit controls and no admin pages', async () => {
    const { context, page, problems } = await open('fr-FR');
    await logIn(page, 'reader');
    await showWeek(page);
    expect(await page.locator('#admin-nav').count()).toBe(0);
    expect(await page.locator('#new-task').count()).toBe(0);
    expect(await page.textContent('.planning-toolbar .badge')).toBe('Lecture seule');

    await row(page, data.alice)
      .locator('.cell[data-date="2026-03-04"]')
      .click({ position: { x: 100, y: 8 } });
    await page.waitForTimeout(150);
    expect(await page.locator('#task-dialog').count()).toBe(0);

    await row(page, data.alice).locator('.bar', { hasText: 'Chantier Dupont' }).click();
    const dialog = page.locator('#task-dialog');
    await dialog.waitFor();
    expect(await dialog.locator('fieldset').getAttribute('disabled')).not.toBeNull();
    expect(await dialog.locator('#task-save').count()).toBe(0);
    expect(await dialog.locator('#task-delete').count()).toBe(0);
    await page.screenshot({ path: '/tmp/ordo-task-readonly-fr.png' });
    await page.keyboard.press('Escape');

    await page.goto(`${base}/#/admin/users`);
    await page.locator('.planning-toolbar').waitFor();
    expect(await page.locator('table.list').count()).toBe(0);
    await page.click('[data-route="/resources"]');
    await page.locator('tr', { hasText: 'Camion 1' }).waitFor();
    expect(await page.locator('[data-action=new], [data-action=edit]').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
