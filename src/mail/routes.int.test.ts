import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../http/server.js';
import { createMailFixture, parse, type MailFixture } from './outbox-fixture.js';

let f: MailFixture;
let app: FastifyInstance;
let admin: string;

beforeEach(async () => {
  f = await createMailFixture('sqlite');
  await f.ordo.users.create({ login: 'admin', password: 'admin-password-1', isAdmin: true });
  app = await buildServer(f.ordo, { webRoot: null });
  admin = await login('admin', 'admin-password-1');
});

afterEach(async () => {
  await app.close();
  await f.close();
});

async function login(user: string, password: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { login: user, password },
  });
  const cookie = res.cookies.find((c) => c.name === 'ordo_session');
  if (!cookie) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return `ordo_session=${cookie.value}`;
}

function api(
  cookie: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  body?: unknown,
) {
  return app.inject({
    method,
    url,
    headers: { cookie, 'x-ordo-csrf': '1' },
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

async function createTask(label: string): Promise<string> {
  const res = await api(admin, 'POST', '/api/tasks', {
    label,
    start: '2026-03-03T08:00:00Z',
    end: '2026-03-03T10:00:00Z',
    resourceIds: [f.zoe.id],
    clientId: f.client.id,
    remark: '',
    location: '',
    category: '',
    reminder: { kind: 'none' },
    private: false,
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string }>().id;
}

describe('messaging API', () => {
  it('the envelope says to whom; the message arrives; the log shows it', async () => {
    const id = await createTask('Pose');
    const res = await api(admin, 'POST', `/api/tasks/${id}/mail`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ to: ['Zoë Müller <zoe@example.org>'], skipped: [] });

    await f.worker.runOnce();
    expect(f.smtp.messages[0]?.rcptTo).toEqual(['zoe@example.org']);
    const log = await api(admin, 'GET', '/api/messages');
    expect(log.json().messages).toMatchObject([
      { status: 'sent', attempts: 1, recipients: ['Zoë Müller <zoe@example.org>'] },
    ]);
  });

  it('no address on the card: a clear error at the click, nothing queued', async () => {
    await f.ordo.directory.updateResource(f.zoe.id, { email: null, mobile: null });
    const id = await createTask('Pose');
    const mail = await api(admin, 'POST', `/api/tasks/${id}/mail`);
    expect(mail.statusCode).toBe(400);
    expect(mail.json().error).toMatchObject({
      code: 'MAIL_NO_RECIPIENT',
      message: 'No e-mail address on the card of Zoë Müller',
    });
    const sms = await api(admin, 'POST', `/api/tasks/${id}/sms`);
    expect(sms.json().error.code).toBe('SMS_NO_MOBILE');
    expect((await api(admin, 'GET', '/api/messages')).json().messages).toEqual([]);
  });

  it('header injection through a label, names and subjects in any script', async () => {
    await f.ordo.directory.updateResource(f.zoe.id, { name: 'Зоя 山田\r\nBcc: a@evil.example' });
    const id = await createTask('Réunion 会議\r\nBcc: mallory@evil.example\r\n\r\nbody');
    expect((await api(admin, 'POST', `/api/tasks/${id}/mail`)).statusCode).toBe(202);
    await f.worker.runOnce();

    const received = f.smtp.messages[0]!;
    expect(received.rcptTo).toEqual(['zoe@example.org']);
    const head = received.raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
    expect(head).not.toMatch(/^bcc:/im);
    const parsed = await parse(received.raw);
    expect(parsed.subject).toMatch(/^Tâche : Réunion 会議 Bcc: mallory@evil\.example body — /);
    expect(parsed.to).toMatchObject({ value: [{ address: 'zoe@example.org' }] });
    expect(parsed.bcc).toBeUndefined();
  });

  it('a quoted local part holding @ cannot move the message to another domain', async () => {
    // Written past the card's own check, as an old database might hold it.
    await f.ordo.store.db
      .updateTable('resources')
      .set({ email: '"alice@example.org x"@internal.example' })
      .where('id', '=', f.zoe.id)
      .execute();
    const id = await createTask('Pose');
    expect((await api(admin, 'POST', `/api/tasks/${id}/mail`)).statusCode).toBe(202);
    const [entry] = (await api(admin, 'GET', '/api/messages')).json().messages;
    const row = await f.mail.outbox.get(entry.id);
    expect(JSON.parse(row.envelope ?? '')).toMatchObject({
      to: ['"alice@example.org x"@internal.example'],
    });
    // The test server does not take quoted local parts (501): the message fails with that
    // reply instead of reaching alice@example.org.
    await f.worker.runOnce();
    expect(f.smtp.messages).toEqual([]);
    const [failed] = (await api(admin, 'GET', '/api/messages')).json().messages;
    expect(failed).toMatchObject({
      status: 'failed',
      lastResponse: expect.stringMatching(/^501 /),
    });
  });

  it('settings: every copy address is checked at save time; the password is never shown', async () => {
    const bad = await api(admin, 'PUT', '/api/messages/settings', {
      'mail.cc': 'ok@ordo.example; not an address',
      'mail.onCreate': true,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'SETTING_INVALID',
      details: { field: 'mail.cc' },
    });
    expect(await f.ordo.settings.get('mail.onCreate')).toBe(false);

    const good = await api(admin, 'PUT', '/api/messages/settings', {
      'mail.cc': 'ok@ordo.example, "Bureau; Lyon" <b@ordo.example>',
      'mail.smtp.password': 's3cret',
    });
    expect(good.statusCode).toBe(200);
    expect(good.body).not.toContain('s3cret');
    const password = good
      .json()
      .settings.find((s: { key: string }) => s.key === 'mail.smtp.password');
    expect(password).toMatchObject({ value: null, secret: true, isSet: true });
    const kept = await api(admin, 'PUT', '/api/messages/settings', { 'mail.smtp.password': null });
    expect(kept.statusCode).toBe(200);
    expect(await f.ordo.settings.get('mail.smtp.password')).toBe('s3cret');
  });

  it('the test e-mail reports the server answer, or its refusal', async () => {
    const ok = await api(admin, 'POST', '/api/messages/test', { to: 'me@ordo.example' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().response).toMatch(/^250 /);
    expect(f.smtp.messages[0]?.rcptTo).toEqual(['me@ordo.example']);

    f.smtp.behaviour.rcpt = 550;
    const refused = await api(admin, 'POST', '/api/messages/test', { to: 'me@ordo.example' });
    expect(refused.statusCode).toBe(502);
    expect(refused.json().error.code).toBe('MAIL_SMTP_REJECTED');
    expect(refused.json().error.message).toMatch(/550.*No such user here/);
  });

  it('the preview follows the chosen fields, in order, in the company zone', async () => {
    const id = await createTask('Pose');
    const res = await api(admin, 'GET', `/api/messages/preview?taskId=${id}&fields=client,start`);
    expect(res.statusCode).toBe(200);
    const { text } = res.json<{ text: string }>();
    expect(text.split('\n').slice(0, 2)).toEqual([
      'Client : Dupont & Fils',
      'Début  : mardi 3 mars 2026, 09:00',
    ]);
  });

  it('a user sees the messages about their tasks only, and writes no settings', async () => {
    await f.ordo.users.create({
      login: 'zoe',
      password: 'zoe-password-1',
      resourceId: f.zoe.id,
      language: 'en',
    });
    const other = await f.ordo.directory.createResource({ name: 'Léo', email: 'leo@example.org' });
    const mine = await createTask('Mine');
    const theirs = await createTask('Theirs');
    await f.ordo.store.db
      .updateTable('tasks')
      .set({ resource_ids: JSON.stringify([other.id]) })
      .where('id', '=', theirs)
      .execute();
    await api(admin, 'POST', `/api/tasks/${mine}/mail`);
    await api(admin, 'POST', `/api/tasks/${theirs}/mail`);

    const zoe = await login('zoe', 'zoe-password-1');
    const log = await api(zoe, 'GET', '/api/messages');
    expect(log.json().messages.map((m: { taskId: string }) => m.taskId)).toEqual([mine]);
    expect((await api(zoe, 'GET', '/api/messages/settings')).statusCode).toBe(403);
    // Zoë's user speaks English: her e-mail is written in English.
    await f.worker.runOnce();
    const toZoe = f.smtp.messages.find((m) => m.rcptTo.includes('zoe@example.org'));
    expect((await parse(toZoe!.raw)).subject).toMatch(
      /^Task: Mine — Tuesday, 3 March 2026, 09:00$/,
    );
  });

  it('a private task: the log shows no subject to whoever may not see its details', async () => {
    await f.ordo.users.create({ login: 'zoe', password: 'zoe-password-1', resourceId: f.zoe.id });
    const id = await createTask('Médecin');
    const zoe = await login('zoe', 'zoe-password-1');
    await api(zoe, 'PATCH', `/api/tasks/${id}`, { private: true });
    expect((await api(zoe, 'POST', `/api/tasks/${id}/mail`)).statusCode).toBe(202);

    const mine = (await api(zoe, 'GET', '/api/messages')).json().messages;
    expect(mine).toMatchObject([{ taskId: id, subject: expect.stringContaining('Médecin') }]);
    // The administrator sees the task masked in the planning, so in the log as well.
    expect((await api(admin, 'GET', `/api/tasks/${id}`)).json()).toMatchObject({ masked: true });
    const log = await api(admin, 'GET', '/api/messages');
    expect(log.body).not.toContain('Médecin');
    expect(log.json().messages).toMatchObject([{ taskId: id, subject: '', masked: true }]);
  });
});
