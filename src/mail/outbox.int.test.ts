import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../planning/actor.js';
import { OrdoError } from '../shared/errors.js';
import { startTwilioStandIn } from '../sms/twilio-stand-in.js';
import { postgresAvailable, type TestDialect } from '../test-support/ordo.js';
import { startTestSmtpServer } from '../test-support/smtp-server.js';
import { MAX_ATTEMPTS } from './outbox.js';
import {
  configureSmtp,
  createMailFixture,
  invitationOf,
  MINUTE,
  parse,
  type MailFixture,
} from './outbox-fixture.js';

let hasPostgres = false;
beforeAll(async () => {
  hasPostgres = await postgresAvailable();
});

let fixture: MailFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

async function setUp(dialect: TestDialect, skip: (note: string) => void): Promise<MailFixture> {
  if (dialect === 'postgres' && !hasPostgres) skip('PostgreSQL is not reachable');
  fixture = await createMailFixture(dialect);
  return fixture;
}

async function rejection(promise: Promise<unknown>): Promise<OrdoError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrdoError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe.each(['sqlite', 'postgres'] as const)('outbox on %s', (dialect) => {
  it('the envelope: both parts, the invitation and the copy arrive', async ({ skip }) => {
    const f = await setUp(dialect, skip);
    await f.ordo.settings.set('mail.cc', 'Bureau <bureau@ordo.example>; compta@ordo.example');
    await f.ordo.settings.set('mail.recipients', 'both');
    const task = await f.addTask();

    const result = await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });
    expect(result.to).toEqual([
      'Zoë Müller <zoe@example.org>',
      'Dupont & Fils <contact@dupont.example>',
    ]);
    expect(result.cc).toEqual(['Bureau <bureau@ordo.example>', 'compta@ordo.example']);
    expect(await f.worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });

    expect(f.smtp.messages).toHaveLength(1);
    const received = f.smtp.messages[0]!;
    expect(received.rcptTo).toEqual([
      'zoe@example.org',
      'contact@dupont.example',
      'bureau@ordo.example',
      'compta@ordo.example',
    ]);
    const parsed = await parse(received.raw);
    expect(parsed.text).toContain('Réunion de chantier');
    expect(parsed.html).toContain('<table');
    expect(parsed.messageId).toBe(result.messages[0]?.messageId);
    const invitation = await invitationOf(received.raw);
    expect(invitation.contentType).toMatch(/method=REQUEST/);
    expect(invitation.text).toContain('METHOD:REQUEST');
    expect(invitation.text).toContain(`UID:${task.uid}`);
    expect(invitation.text).toContain('SEQUENCE:0');
    expect(invitation.text).toContain('ORGANIZER;CN=Planning Ordo:mailto:planning@ordo.example');

    const [entry] = await f.mail.outbox.list();
    expect(entry).toMatchObject({
      status: 'sent',
      attempts: 1,
      lastResponse: expect.stringMatching(/^250/),
    });
  });

  it('a missing address is an error at the click, and nothing is queued', async ({ skip }) => {
    const f = await setUp(dialect, skip);
    await f.ordo.directory.updateResource(f.zoe.id, { email: null, mobile: null });
    const task = await f.addTask();

    const error = await rejection(f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id }));
    expect(error.code).toBe('MAIL_NO_RECIPIENT');
    expect(error.message).toContain('Zoë Müller');
    const sms = await rejection(f.mail.messaging.smsTask({ actor: SYSTEM, taskId: task.id }));
    expect(sms.code).toBe('SMS_NO_MOBILE');
    expect(await f.mail.outbox.list()).toEqual([]);
  });

  it('server down, then up: the message arrives once', async ({ skip }) => {
    const f = await setUp(dialect, skip);
    const down = await startTestSmtpServer();
    await down.stop();
    await configureSmtp(f.ordo, down);
    const task = await f.addTask();
    await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });

    expect(await f.worker.runOnce()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    const [waiting] = await f.mail.outbox.list();
    expect(waiting).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastErrorCode: 'MAIL_SMTP_CONNECT',
    });
    expect(waiting?.nextAttemptAt).toBe(f.clock.now() + MINUTE);

    await configureSmtp(f.ordo, f.smtp);
    expect(await f.worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    f.clock.advance(MINUTE);
    expect(await f.worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    f.clock.advance(60 * MINUTE);
    expect(await f.worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(f.smtp.messages).toHaveLength(1);
  });

  it('421 then success: retried after a minute, then five', async ({ skip }) => {
    const f = await setUp(dialect, skip);
    f.smtp.behaviour.greeting = 421;
    const task = await f.addTask();
    const { messages } = await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });

    await f.worker.runOnce();
    f.clock.advance(MINUTE);
    await f.worker.runOnce();
    const [second] = await f.mail.outbox.list();
    expect(second).toMatchObject({
      status: 'queued',
      attempts: 2,
      lastErrorCode: 'MAIL_SMTP_TEMPORARY',
    });
    expect(second?.lastResponse).toMatch(/421/);
    expect(second?.nextAttemptAt).toBe(f.clock.now() + 5 * MINUTE);

    f.smtp.behaviour.greeting = 'ok';
    f.clock.advance(5 * MINUTE);
    expect(await f.worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(f.smtp.messages).toHaveLength(1);
    expect((await parse(f.smtp.messages[0]!.raw)).messageId).toBe(messages[0]?.messageId);
  });

  it('a server that stays down: growing delays, then failed after the last attempt', async ({
    skip,
  }) => {
    const f = await setUp(dialect, skip);
    const down = await startTestSmtpServer();
    await down.stop();
    await configureSmtp(f.ordo, down);
    const task = await f.addTask();
    await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });

    const waits: number[] = [];
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
      expect(await f.worker.runOnce()).toEqual({ sent: 0, retrying: 1, failed: 0 });
      const [entry] = await f.mail.outbox.list();
      waits.push((entry!.nextAttemptAt! - f.clock.now()) / MINUTE);
      f.clock.set(entry!.nextAttemptAt!);
    }
    expect(waits).toEqual([1, 5, 15, 60, 240, 720, 720]);
    expect(await f.worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const [failed] = await f.mail.outbox.list();
    expect(failed).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(failed?.lastResponse).toMatch(/ECONNREFUSED|connect/i);
  });

  it('550: failed at once, with the reply shown; resend queues it again', async ({ skip }) => {
    const f = await setUp(dialect, skip);
    f.smtp.behaviour.rcpt = 550;
    const task = await f.addTask();
    await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });

    expect(await f.worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const [failed] = await f.mail.outbox.list();
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastErrorCode: 'MAIL_SMTP_REJECTED',
    });
    expect(failed?.lastResponse).toMatch(/550.*No such user here/);

    f.smtp.behaviour.rcpt = 'ok';
    await f.mail.outbox.resend(failed!.id);
    expect(await f.worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(f.smtp.messages).toHaveLength(1);
  });

  it('an e-mailed task moved: an update with SEQUENCE+1; deleted: a cancellation', async ({
    skip,
  }) => {
    const f = await setUp(dialect, skip);
    const task = await f.addTask();
    await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });
    await f.worker.runOnce();

    await f.ordo.tasks.update({
      actor: SYSTEM,
      id: task.id,
      patch: { timing: { allDay: false, start: T(48), end: T(50) } },
    });
    await f.ordo.tasks.update({ actor: SYSTEM, id: task.id, patch: { category: 'x' } });
    await f.worker.runOnce();
    expect(f.smtp.messages).toHaveLength(2);
    const update = await invitationOf(f.smtp.messages[1]!.raw);
    expect(update.text).toContain('METHOD:REQUEST');
    expect(update.text).toContain(`UID:${task.uid}`);
    expect(update.text).toContain('SEQUENCE:1');
    expect(f.smtp.messages[1]!.rcptTo).toEqual(['zoe@example.org']);

    await f.ordo.tasks.delete({ actor: SYSTEM, id: task.id });
    await f.worker.runOnce();
    expect(f.smtp.messages).toHaveLength(3);
    const cancel = await invitationOf(f.smtp.messages[2]!.raw);
    expect(cancel.contentType).toMatch(/method=CANCEL/);
    expect(cancel.text).toContain('METHOD:CANCEL');
    expect(cancel.text).toContain('SEQUENCE:2');
    expect(cancel.text).toContain('STATUS:CANCELLED');
    expect((await parse(f.smtp.messages[2]!.raw)).subject).toMatch(/^Annulée : /);
  });

  it('e-mail when created: a planning creation queues it; import and sync do not', async ({
    skip,
  }) => {
    const f = await setUp(dialect, skip);
    await f.ordo.settings.set('mail.onCreate', true);
    await f.addTask({ origin: 'import', label: 'imported' });
    await f.addTask({ origin: 'sync', label: 'synced' });
    const created = await f.addTask({ label: 'planned' });

    const queued = await f.mail.outbox.list();
    expect(queued.map((m) => [m.taskId, m.purpose])).toEqual([[created.id, 'task']]);
    await f.worker.runOnce();
    expect((await parse(f.smtp.messages[0]!.raw)).subject).toMatch(/planned/);
  });

  it('a worker that died while sending: its message is sent by the next after the lease', async ({
    skip,
  }) => {
    const f = await setUp(dialect, skip);
    const task = await f.addTask();
    await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });
    const [claimed] = await f.mail.outbox.claim({ limit: 10, leaseMs: 5 * MINUTE });
    expect(claimed?.status).toBe('sending');

    const restarted = f.mail.createWorker();
    expect(await restarted.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    f.clock.advance(5 * MINUTE);
    expect(await restarted.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    await restarted.stop();
    // The dead worker's claim is void: it cannot record an outcome any more.
    expect(await f.mail.outbox.markSent(claimed!, '250 late')).toBe(false);
    expect(f.smtp.messages).toHaveLength(1);
  });

  it('the phone through the gateway: a 7-bit e-mail to the operator', async ({ skip }) => {
    const f = await setUp(dialect, skip);
    await f.ordo.settings.set('sms.operator', 'verizon-us');
    const task = await f.addTask();

    const result = await f.mail.messaging.smsTask({ actor: SYSTEM, taskId: task.id });
    expect(result.to).toEqual(['2015550123@vtext.com']);
    await f.worker.runOnce();
    const received = f.smtp.messages[0]!;
    expect(received.rcptTo).toEqual(['2015550123@vtext.com']);
    expect(received.raw.toString('latin1')).toMatch(/charset=us-ascii/);
    expect((await parse(received.raw)).text).toMatch(/Reunion de chantier/);
  });

  it('the phone through the SMS provider', async ({ skip }) => {
    const f = await setUp(dialect, skip);
    const twilio = await startTwilioStandIn();
    try {
      await f.ordo.settings.set('sms.route', 'http');
      await f.ordo.settings.set('sms.http.accountId', twilio.accountSid);
      await f.ordo.settings.set('sms.http.authToken', twilio.authToken);
      await f.ordo.settings.set('sms.http.from', '+15005550006');
      await f.ordo.settings.set('sms.http.baseUrl', twilio.baseUrl);
      const task = await f.addTask();
      twilio.failNext.push({ status: 503, code: 20503, message: 'Service unavailable' });

      await f.mail.messaging.smsTask({ actor: SYSTEM, taskId: task.id });
      expect(await f.worker.runOnce()).toEqual({ sent: 0, retrying: 1, failed: 0 });
      f.clock.advance(MINUTE);
      expect(await f.worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
      expect(twilio.messages).toHaveLength(1);
      expect(twilio.messages[0]).toMatchObject({ To: '+12015550123' });
      expect(twilio.messages[0]?.Body).toMatch(/Reunion de chantier/);
      const [entry] = await f.mail.outbox.list();
      expect(entry?.lastResponse).toMatch(/^accepted as SM/);
    } finally {
      await twilio.stop();
    }
  });
});

describe('two workers on one PostgreSQL schema', () => {
  it('50 messages, 2 workers at once: each arrives exactly once', async ({ skip }) => {
    const f = await setUp('postgres', skip);
    const task = await f.addTask();
    for (let i = 0; i < 50; i += 1) {
      await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });
    }
    const one = f.mail.createWorker({ concurrency: 3, batchSize: 4 });
    const two = f.mail.createWorker({ concurrency: 3, batchSize: 4 });

    const [a, b] = await Promise.all([one.runOnce(), two.runOnce()]);
    await Promise.all([one.stop(), two.stop()]);

    expect(a.sent + b.sent).toBe(50);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    const ids = f.smtp.messages.map((m) => /^Message-ID: (.*)$/im.exec(m.raw.toString())?.[1]);
    expect(new Set(ids).size).toBe(50);
    expect(f.smtp.messages).toHaveLength(50);
    expect(await f.mail.outbox.counts()).toEqual({ queued: 0, sending: 0, sent: 50, failed: 0 });
  });
});

function T(hours: number): number {
  return Date.parse('2026-03-02T08:00:00Z') + hours * 60 * MINUTE;
}
