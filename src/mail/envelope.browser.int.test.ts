/**
 * The envelope in a real browser (Debian's Chromium): a click in the task window queues the
 * task e-mail, the page says to whom it goes, and the running worker delivers it to the SMTP
 * server.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../http/server.js';
import { buildWebPage, chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { createMailFixture, parse, type MailFixture } from './outbox-fixture.js';

const PASSWORD = 'correct horse battery';
const haveChromium = chromiumAvailable();

describe.skipIf(!haveChromium)('the envelope in Chromium', () => {
  let webRoot: string;
  let f: MailFixture;
  let server: FastifyInstance;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    webRoot = await buildWebPage('ordo-mail-web-');
    f = await createMailFixture('sqlite');
    await f.ordo.users.create({ login: 'admin', password: PASSWORD, isAdmin: true });
    f.worker.start();
    f.mail.messaging.onQueued = () => f.worker.wake();
    server = await buildServer(f.ordo, { webRoot });
    base = await server.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await f?.close();
    if (webRoot) fs.rmSync(webRoot, { recursive: true, force: true });
  });

  it('a click on the envelope e-mails the task to its resource', async () => {
    await f.addTask({ label: 'Pose de cuisine' });
    const context = await browser.newContext({ locale: 'fr-FR' });
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(base);
    await page.fill('#login-form [name=login]', 'admin');
    await page.fill('#login-form [name=password]', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.fill('.date-picker', '2026-03-04');
    await page.locator('.bar', { hasText: 'Pose de cuisine' }).click();

    const envelope = page.locator('#task-actions [data-action=mail]');
    expect(await envelope.getAttribute('title')).toBe('Envoyer la tâche par e-mail');
    await envelope.click();
    await page.locator('.toast', { hasText: 'zoe@example.org' }).waitFor();

    await vi.waitFor(() => expect(f.smtp.messages).toHaveLength(1), { timeout: 5000 });
    expect(f.smtp.messages[0]?.rcptTo).toEqual(['zoe@example.org']);
    expect((await parse(f.smtp.messages[0]!.raw)).subject).toMatch(/^Tâche : Pose de cuisine/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
