import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawBody, rawHeaders } from '../mail/test-helpers.js';
import { createSmtpSender } from '../mail/smtp-transport.js';
import { silentLogger } from '../shared/logger.js';
import { startTestSmtpServer, type TestSmtpServer } from '../test-support/smtp-server.js';
import { composeGatewaySms } from './gateway.js';
import { gsm7Length, isUrl } from './gsm-text.js';
import { composeTaskSmsText } from './task-sms.js';

const FIXTURES = new URL('../../fixtures/interop/', import.meta.url);
const US_GATEWAY = { domain: 'sms-gateway.example', numberFormat: 'national' } as const;
const FROM = { name: 'Planning Ordo', address: 'planner@example.org' };

/**
 * Everything fixture 19's README asks of a gateway e-mail, checked on the raw message: one
 * us-ascii text/plain part in 7bit, no encoded words, digits-only local part, within one SMS,
 * no line over 76 unless it is a lone URL (which 7bit carries whole, RFC 5322 2.1.1).
 */
function gatewayProblems(raw: Buffer): string[] {
  const headers = rawHeaders(raw);
  const body = rawBody(raw).replace(/\r\n$/, '');
  const first = (name: string) => (headers.get(name) ?? [''])[0] ?? '';
  const contentType = first('content-type').toLowerCase();
  const subject = first('subject');
  const problems: string[] = [];

  if (!/^text\/plain;\s*charset="?us-ascii"?$/.test(contentType)) problems.push('content-type');
  if (first('content-transfer-encoding').toLowerCase() !== '7bit') problems.push('encoding');
  const encodedSubject = /=\?[^?]+\?[qb]\?/i.test(subject);
  if (encodedSubject) problems.push('encoded-subject');
  if (!/^\d+@/.test(first('to'))) problems.push('local-part');
  if (!/^[\x20-\x7e\r\n]*$/.test(raw.toString('latin1'))) problems.push('8bit');
  const lines = body.split('\r\n');
  if (lines.some((line) => line.length > 76 && !isUrl(line))) problems.push('long-line');
  // An encoded subject is already a problem; its raw length would mean nothing here.
  const subjectLength = subject === '' || encodedSubject ? 0 : gsm7Length(subject) + 1;
  if (gsm7Length(lines.join('\n')) + subjectLength > 160) problems.push('too-long');
  return problems;
}

let server: TestSmtpServer;

beforeEach(async () => {
  server = await startTestSmtpServer({ auth: 'unsupported' });
});

afterEach(async () => {
  await server.stop();
});

async function sendThroughSmtp(message: { envelope: { from: string; to: string[] }; raw: Buffer }) {
  const sender = createSmtpSender({
    host: server.host,
    port: server.port,
    security: 'none',
    logger: silentLogger(),
  });
  try {
    await sender.send(message);
  } finally {
    sender.close();
  }
  const received = server.messages.at(-1);
  if (!received) throw new Error('the server received nothing');
  return received;
}

describe('fixture 19: gateway e-mails', () => {
  it('the checker accepts the expected file and names what is wrong in the problem file', () => {
    const expected = readFileSync(new URL('19-sms-mail-expected.eml', FIXTURES));
    const problem = readFileSync(new URL('19-sms-mail-problem.eml', FIXTURES));
    expect(gatewayProblems(expected)).toEqual([]);
    expect(gatewayProblems(problem)).toEqual(['content-type', 'encoding', 'encoded-subject']);
  });

  it('the fixture problem message, composed by Ordo, arrives as the expected one does', async () => {
    // The problem file's content: emoji and brackets in the subject, a link QP cut in two.
    const sms = await composeGatewaySms({
      mobile: '+12015550123',
      operator: US_GATEWAY,
      subject: '🚀🚨 [store] [brand (series)] model :: IN STOCK 🚨🚀',
      text: 'https://shop.example.com/p/very-long-product-path-0123456789?ref=notification&utm_source=sms',
      from: FROM,
    });

    const received = await sendThroughSmtp(sms.message);

    expect(gatewayProblems(received.raw)).toEqual([]);
    expect(received.rcptTo).toEqual(['2015550123@sms-gateway.example']);
    const parsed = await simpleParser(received.raw);
    expect(parsed.attachments).toEqual([]);
    expect(parsed.html).toBe(false);
    expect(parsed.text?.trim()).toBe(
      'https://shop.example.com/p/very-long-product-path-0123456789?ref=notification&utm_source=sms',
    );
    expect(parsed.subject).toBe('[store] [brand (seri');
  });
});

describe('composeGatewaySms through a real SMTP server', () => {
  it('sends a task SMS: ASCII, 7bit, no multipart, within 160, lines within 76', async () => {
    const text = composeTaskSmsText({
      task: {
        label: 'Réparation chaudière — client très pressé ⚠️, prévoir pièces détachées',
        timing: { allDay: false, start: Date.UTC(2023, 2, 7, 7, 15), end: 0 },
        location: '12 rue des Lilas, 69003 Lyon, 3e étage, digicode 4512B, sonner chez Mme Lefèvre',
      },
      client: { name: 'Chauffage Dupont & Fils' },
      language: 'fr',
      timeZone: 'Europe/Paris',
    });
    const sms = await composeGatewaySms({
      mobile: '+33612345678',
      operator: { domain: 'sms.operator.example', numberFormat: 'national' },
      text,
      from: FROM,
    });

    const received = await sendThroughSmtp(sms.message);

    expect(gatewayProblems(received.raw)).toEqual([]);
    expect(received.rcptTo).toEqual(['0612345678@sms.operator.example']);
    const headers = rawHeaders(received.raw);
    expect(headers.get('content-type')).toEqual(['text/plain; charset=us-ascii']);
    expect(headers.get('content-transfer-encoding')).toEqual(['7bit']);
    expect(headers.has('subject')).toBe(false);
    expect(
      rawBody(received.raw)
        .split('\r\n')
        .every((line) => line.length <= 76),
    ).toBe(true);
    expect(rawBody(received.raw)).toContain('07/03 08:15 Reparation chaudiere - client tres');
    expect(sms.gsmLength).toBeLessThanOrEqual(160);
  });

  it('keeps a URL longer than 76 whole on its own line, still 7bit with no soft break', async () => {
    const url = `https://planning.example.com/tasks/${'a1b2c3d4'.repeat(8)}`;
    const sms = await composeGatewaySms({
      mobile: '+12015550123',
      operator: US_GATEWAY,
      text: `Nouvelle tâche assignée, détails : ${url} merci`,
      from: FROM,
    });

    const received = await sendThroughSmtp(sms.message);

    expect(gatewayProblems(received.raw)).toEqual([]);
    expect(rawBody(received.raw)).toBe(`Nouvelle tache assignee, details :\r\n${url}\r\nmerci\r\n`);
    expect(rawBody(received.raw)).not.toMatch(/=\r\n/);
  });

  it('cuts a text too long for one SMS and counts extension characters twice', async () => {
    const sms = await composeGatewaySms({
      mobile: '+12015550123',
      operator: US_GATEWAY,
      subject: 'Ordo',
      text: '[x] '.repeat(60),
      from: FROM,
    });
    expect(sms.truncated).toBe(true);
    // 160 - "Ordo" - separator = 155 septets; "[x] " is 6 septets.
    expect(sms.gsmLength).toBeLessThanOrEqual(160);
    expect(sms.text.endsWith('...')).toBe(true);

    const received = await sendThroughSmtp(sms.message);
    expect(gatewayProblems(received.raw)).toEqual([]);
  });

  it('refuses an invalid mobile number', async () => {
    await expect(
      composeGatewaySms({ mobile: '555-1234', operator: US_GATEWAY, text: 'x', from: FROM }),
    ).rejects.toMatchObject({ code: 'SMS_MOBILE_INVALID' });
  });
});
