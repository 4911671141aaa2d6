/**
 * Task e-mails through the outbox: 1,000 task e-mails with their invitation are queued (each
 * in its own transaction, as the envelope does), then delivered by the outbox worker over a
 * pooled SMTP transport to a loopback SMTP server. Beside it, in the same run and to the same
 * server, bare nodemailer with a pooled transport sends the same 1,000 prepared messages.
 * Ends with one JSON line: messagesPerSecond, bareNodemailerPerSecond, ratioToBareNodemailer.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { createOrdo } from '../src/app/ordo.js';
import { loadConfig } from '../src/config/config.js';
import { mailOf } from '../src/mail/capability.js';
import { textToRaw } from '../src/mail/raw-message.js';
import type { Task } from '../src/planning/types.js';
import { SYSTEM } from '../src/planning/actor.js';
import { startTestSmtpServer } from '../src/test-support/smtp-server.js';
import { printResult, round, timed } from './helpers.js';

const MESSAGES = Number(process.env.BENCH_MAIL_MESSAGES ?? 1000);
const CONNECTIONS = 5;
const CONCURRENCY = 25;
const ROUNDS = Number(process.env.BENCH_MAIL_ROUNDS ?? 3);

async function main(): Promise<void> {
  const smtp = await startTestSmtpServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-bench-mail-'));
  const config = loadConfig({
    env: { ORDO_SECRET_KEY: crypto.randomBytes(32).toString('base64') },
    flags: { dataDir },
  });
  const ordo = await createOrdo({ config });
  try {
    for (const [key, value] of Object.entries({
      'mail.smtp.host': smtp.host,
      'mail.smtp.port': smtp.port,
      'mail.smtp.security': 'none',
      'mail.from.address': 'planning@ordo.example',
      'mail.from.name': 'Planning Ordo',
      'mail.cc': 'bureau@ordo.example',
    })) {
      await ordo.settings.set(key, value);
    }
    const resource = await ordo.directory.createResource({
      name: 'Zoë Müller',
      email: 'zoe@example.org',
    });
    const start = Date.parse('2026-03-02T08:00:00Z');
    const tasks: Task[] = [];
    for (let i = 0; i < MESSAGES; i += 1) {
      tasks.push(
        await ordo.tasks.create({
          actor: SYSTEM,
          input: {
            label: `Réunion de chantier ${i}`,
            timing: {
              allDay: false,
              start: start + i * 3600_000,
              end: start + i * 3600_000 + 5400_000,
            },
            resourceIds: [resource.id],
            clientId: null,
            remark: 'Apporter les plans.\nClé chez le gardien.',
            location: '12 rue des Lilas, Lyon',
            category: 'Chantier',
            reminder: { kind: 'none' },
            private: false,
          },
        }),
      );
    }

    const mail = mailOf(ordo);
    const queued = await timed(async () => {
      for (const task of tasks) await mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });
    });
    // The same bytes and envelopes, for bare nodemailer.
    const prepared = (await ordo.store.db.selectFrom('outbox').selectAll().execute()).map(
      (row) => ({
        envelope: JSON.parse(row.envelope ?? '{}') as { from: string; to: string[] },
        raw: textToRaw(row.payload),
      }),
    );

    // Both paths share the SMTP server and nodemailer's code: warm them before measuring.
    await sendBare(smtp, prepared.slice(0, 100));
    // The machine is shared: interleave the two paths and keep each one's best round.
    const bareMs: number[] = [];
    const outboxMs: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      smtp.messages.length = 0;
      bareMs.push((await timed(() => sendBare(smtp, prepared))).ms);
      if (smtp.messages.length !== MESSAGES) throw new Error('bare nodemailer lost messages');

      smtp.messages.length = 0;
      await ordo.store.db
        .updateTable('outbox')
        .set({ status: 'queued', attempts: 0, next_attempt_at: 0, sent_at: null })
        .execute();
      const worker = mail.createWorker({
        concurrency: CONCURRENCY,
        batchSize: CONCURRENCY * 4,
        maxConnections: CONNECTIONS,
      });
      const pass = await timed(() => worker.runOnce());
      await worker.stop();
      if (pass.value.sent !== MESSAGES || smtp.messages.length !== MESSAGES) {
        throw new Error(`outbox sent ${pass.value.sent}, server got ${smtp.messages.length}`);
      }
      outboxMs.push(pass.ms);
    }
    const outbox = { ms: Math.min(...outboxMs) };
    const bare = { ms: Math.min(...bareMs) };

    const messagesPerSecond = (MESSAGES * 1000) / outbox.ms;
    const bareNodemailerPerSecond = (MESSAGES * 1000) / bare.ms;
    printResult({
      bench: 'mail',
      messages: MESSAGES,
      connections: CONNECTIONS,
      concurrency: CONCURRENCY,
      dialect: ordo.store.dialect,
      queuedPerSecond: round((MESSAGES * 1000) / queued.ms),
      rounds: ROUNDS,
      outboxMs: outboxMs.map((ms) => round(ms)),
      bareMs: bareMs.map((ms) => round(ms)),
      messagesPerSecond: round(messagesPerSecond),
      bareNodemailerPerSecond: round(bareNodemailerPerSecond),
      ratioToBareNodemailer: round(messagesPerSecond / bareNodemailerPerSecond, 2),
    });
  } finally {
    await ordo.close();
    await smtp.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function sendBare(
  smtp: { host: string; port: number },
  messages: { envelope: { from: string; to: string[] }; raw: Buffer }[],
): Promise<void> {
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
  });
  try {
    let next = 0;
    const lanes = Array.from({ length: CONCURRENCY }, async () => {
      while (next < messages.length) {
        const message = messages[next]!;
        next += 1;
        await transporter.sendMail(message);
      }
    });
    await Promise.all(lanes);
  } finally {
    transporter.close();
  }
}

await main();
