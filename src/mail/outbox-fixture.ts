/**
 * A planning wired to a real loopback SMTP server, on a hand-moved clock, for the outbox's
 * tests: Zoë (a resource with an e-mail and a mobile) works for the client Dupont.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Ordo } from '../app/ordo.js';
import { SYSTEM, type Origin } from '../planning/actor.js';
import type { Task, TaskTiming } from '../planning/types.js';
import { ManualClock } from '../shared/clock.js';
import { createTestOrdo, type TestDialect } from '../test-support/ordo.js';
import { startTestSmtpServer, type TestSmtpServer } from '../test-support/smtp-server.js';
import { mailOf, type MailServices } from './capability.js';
import type { OutboxWorker } from './outbox-worker.js';

export const T0 = Date.parse('2026-03-02T08:00:00Z');
export const MINUTE = 60_000;

export interface MailFixture {
  ordo: Ordo;
  mail: MailServices;
  clock: ManualClock;
  smtp: TestSmtpServer;
  worker: OutboxWorker;
  zoe: { id: string };
  client: { id: string };
  addTask(options?: { origin?: Origin; label?: string; timing?: TaskTiming }): Promise<Task>;
  close(): Promise<void>;
}

export async function createMailFixture(dialect: TestDialect): Promise<MailFixture> {
  const clock = new ManualClock(T0);
  const ordo = await createTestOrdo({ dialect, clock });
  const smtp = await startTestSmtpServer();
  await configureSmtp(ordo, smtp);
  await ordo.settings.set('mail.from.address', 'planning@ordo.example');
  await ordo.settings.set('mail.from.name', 'Planning Ordo');
  const zoe = await ordo.directory.createResource({
    name: 'Zoë Müller',
    email: 'zoe@example.org',
    mobile: '+12015550123',
  });
  const client = await ordo.directory.createClient({
    name: 'Dupont & Fils',
    email: 'contact@dupont.example',
  });
  const mail = mailOf(ordo);
  const worker = mail.createWorker({ concurrency: 4 });

  return {
    ordo,
    mail,
    clock,
    smtp,
    worker,
    zoe,
    client,
    addTask: (options = {}) =>
      ordo.tasks.create({
        actor: SYSTEM,
        origin: options.origin ?? 'planning',
        input: {
          label: options.label ?? 'Réunion de chantier',
          timing: options.timing ?? {
            allDay: false,
            start: T0 + 24 * 60 * MINUTE,
            end: T0 + 26 * 60 * MINUTE,
          },
          resourceIds: [zoe.id],
          clientId: client.id,
          remark: 'Apporter les plans',
          location: '12 rue des Lilas, Lyon',
          category: 'Chantier',
          reminder: { kind: 'none' },
          private: false,
        },
      }),
    close: async () => {
      await worker.stop();
      await smtp.stop();
      await ordo.close();
    },
  };
}

export async function configureSmtp(ordo: Ordo, smtp: Pick<TestSmtpServer, 'host' | 'port'>) {
  await ordo.settings.set('mail.smtp.host', smtp.host);
  await ordo.settings.set('mail.smtp.port', smtp.port);
  await ordo.settings.set('mail.smtp.security', 'none');
}

export function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw);
}

/** The invitation a received message carries, unfolded, and the part's Content-Type. */
export async function invitationOf(raw: Buffer): Promise<{ text: string; contentType: string }> {
  const parsed = await simpleParser(raw);
  const part = parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!part) throw new Error('no text/calendar part');
  const contentType = /^Content-Type: text\/calendar[^\r\n]*/im.exec(raw.toString('latin1'));
  return {
    text: part.content.toString('utf8').replace(/\r\n[ \t]/g, ''),
    contentType: contentType?.[0] ?? '',
  };
}
