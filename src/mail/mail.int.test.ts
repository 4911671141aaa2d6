import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrdoError } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { startTestSmtpServer, type TestSmtpServer } from '../test-support/smtp-server.js';
import { parseAddressList } from './addresses.js';
import { createSmtpSender, isTemporary, type SmtpSenderOptions } from './smtp-transport.js';
import { composeTaskMessage } from './task-message.js';
import { rawHeaders, sampleTaskMessage } from './test-helpers.js';

const FIXTURES = new URL('../../fixtures/interop/', import.meta.url);

let server: TestSmtpServer;

beforeEach(async () => {
  server = await startTestSmtpServer();
});

afterEach(async () => {
  await server.stop();
});

function senderOptions(overrides: Partial<SmtpSenderOptions> = {}): SmtpSenderOptions {
  return {
    host: server.host,
    port: server.port,
    security: 'none',
    user: server.credentials.user,
    password: server.credentials.password,
    logger: silentLogger(),
    clientName: 'ordo.test',
    timeouts: { connectMs: 2_000, greetingMs: 2_000, socketMs: 5_000 },
    ...overrides,
  };
}

async function sendAndReceive(message: Parameters<ReturnType<typeof createSmtpSender>['send']>[0]) {
  const sender = createSmtpSender(senderOptions());
  try {
    const result = await sender.send(message);
    const received = server.messages.at(-1);
    if (!received) throw new Error('the server received nothing');
    return { result, received, parsed: await simpleParser(received.raw) };
  } finally {
    sender.close();
  }
}

/** What a calendar part's Content-Type lacks, by RFC 6047 2.4 and RFC 2046 4.1.2. */
function calendarPartProblems(part: Attachment, icsText: string): string[] {
  const params = part.headers.get('content-type') as { params: Record<string, string> };
  const method = /^METHOD:(.*)$/m.exec(icsText)?.[1]?.trim();
  const problems: string[] = [];
  if (params.params['charset']?.toLowerCase() !== 'utf-8') problems.push('charset');
  if (params.params['method'] !== method) problems.push('method');
  return problems;
}

function calendarAlternative(parsed: ParsedMail): Attachment {
  const part = parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!part) throw new Error('no text/calendar part');
  return part;
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

describe('fixture 18: the invitation part', () => {
  it('our checker accepts the expected part and flags the broken one', async () => {
    const expected = await simpleParser(
      readFileSync(new URL('18-ics-part-expected.eml', FIXTURES)),
    );
    const broken = await simpleParser(readFileSync(new URL('18-ics-part-broken.eml', FIXTURES)));
    const icsText = calendarAlternative(expected).content.toString('utf8');
    expect(calendarPartProblems(calendarAlternative(expected), icsText)).toEqual([]);
    // The broken part says `encoding="utf-8"` where a charset belongs; its quoted, folded
    // method="REQUEST" is valid MIME (RFC 2045 5.1) and reads as REQUEST.
    expect(calendarPartProblems(calendarAlternative(broken), icsText)).toEqual(['charset']);
  });

  it('a task e-mail carries the fixture invitation as the fixture describes, byte for byte', async () => {
    const fixture = await simpleParser(readFileSync(new URL('18-ics-part-expected.eml', FIXTURES)));
    // The fixture's part ends without the last CRLF (it belongs to the boundary): put it back,
    // RFC 5545 3.1 ends every content line with CRLF.
    const icsText = `${calendarAlternative(fixture).content.toString('utf8')}\r\n`;
    const message = composeTaskMessage(sampleTaskMessage({ icsText }));

    const { parsed, received } = await sendAndReceive(message);

    const part = calendarAlternative(parsed);
    expect(calendarPartProblems(part, icsText)).toEqual([]);
    expect(part.content.equals(Buffer.from(icsText, 'utf8'))).toBe(true);
    expect(part.content.toString('utf8')).toContain('SUMMARY:Überprüfung – Zürich\r\n');
    expect(received.raw.toString('latin1')).toMatch(
      /Content-Type: text\/calendar; charset=utf-8; method=REQUEST/,
    );

    // The second copy nodemailer adds, as Google Calendar does: an attachment named invite.ics.
    const attached = parsed.attachments.find((a) => a.contentType === 'application/ics');
    expect(attached?.filename).toBe('invite.ics');
    expect(attached?.content.equals(Buffer.from(icsText, 'utf8'))).toBe(true);
  });
});

describe('task e-mail through a real SMTP server', () => {
  it('arrives with a text part, an HTML part and the invitation, to To and Cc', async () => {
    const cc = parseAddressList('"Dupont, Jean" <jean@dupont.example>; bureau@ordo.example;');
    const message = composeTaskMessage(sampleTaskMessage({ cc: cc.addresses }));

    const { parsed, received, result } = await sendAndReceive(message);

    expect(result.response).toMatch(/^250 /);
    expect(result.messageId).toMatch(/^<.+@ordo\.example>$/);
    expect(received.user).toBe('ordo');
    expect(received.mailFrom).toBe('planning@ordo.example');
    expect(received.rcptTo).toEqual([
      'zoe@example.org',
      'jean@dupont.example',
      'bureau@ordo.example',
    ]);
    expect(rawHeaders(received.raw).get('cc')).toEqual([
      '"Dupont, Jean" <jean@dupont.example>, bureau@ordo.example',
    ]);
    expect(parsed.subject).toBe('Tâche : Réunion de chantier — mardi 7 mars 2023, 08:15');
    expect(parsed.text).toMatch(/^Début +: mardi 7 mars 2023, 08:15$/m);
    expect(parsed.html).toContain('<th');
    expect(parsed.html).toContain('Dupont &amp; Fils');
    expect(calendarPartProblems(calendarAlternative(parsed), message.icalEvent.content)).toEqual(
      [],
    );
  });

  it('encodes names and subjects in French accents, Chinese and emoji, and they read back right', async () => {
    const base = sampleTaskMessage();
    const message = composeTaskMessage({
      ...base,
      task: { ...base.task, label: 'Révision 会议室 🚀 été' },
      from: { name: 'Équipe 计划 📅', address: 'planning@ordo.example' },
      to: [{ name: '张伟 Zoë 👷', address: 'zoe@example.org' }],
    });

    const { parsed, received } = await sendAndReceive(message);

    expect(parsed.subject).toBe('Tâche : Révision 会议室 🚀 été — mardi 7 mars 2023, 08:15');
    expect(parsed.from?.value).toEqual([
      { name: 'Équipe 计划 📅', address: 'planning@ordo.example' },
    ]);
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value).toEqual([{ name: '张伟 Zoë 👷', address: 'zoe@example.org' }]);
    // The header block itself stays ASCII: everything else went into encoded words.
    const headerBlock = received.raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
    expect(/^[\x20-\x7e\r\n\t]*$/.test(headerBlock)).toBe(true);
  });

  it('a header injection attempt through the label, a name or an address adds no header', async () => {
    const base = sampleTaskMessage();
    const message = composeTaskMessage({
      ...base,
      task: { ...base.task, label: 'Visite\r\nBcc: mallory@evil.example\r\nX-Injected: label' },
      from: { name: 'Planning\nX-Injected: from', address: 'planning@ordo.example' },
      to: [{ name: 'Zoë\r\nX-Injected: to', address: 'zoe@example.org' }],
    });

    const { received } = await sendAndReceive(message);

    const headers = rawHeaders(received.raw);
    expect(headers.has('x-injected')).toBe(false);
    expect(headers.has('bcc')).toBe(false);
    expect(received.rcptTo).toEqual(['zoe@example.org']);
    // An injected address never even reaches nodemailer: the composer refuses it.
    const bad = [{ name: '', address: 'zoe@example.org\r\nBcc: mallory@evil.example' }];
    expect(() => composeTaskMessage(sampleTaskMessage({ to: bad }))).toThrow(OrdoError);
  });

  it('"alice@example.org x"@internal.example is never sent to alice@example.org', async () => {
    const { addresses } = parseAddressList('"alice@example.org x"@internal.example');
    const message = composeTaskMessage(sampleTaskMessage({ to: addresses }));
    const sender = createSmtpSender(senderOptions());

    // nodemailer sends RCPT TO:<"alice@example.org x"@internal.example> (the whole address);
    // smtp-server does not take quoted local parts and answers 501: rejected, not misrouted.
    const error = await rejection(sender.send(message));

    expect(error.code).toBe('MAIL_SMTP_REJECTED');
    expect(error.remote).toMatchObject({
      responseCode: 501,
      command: 'RCPT TO',
      rejected: ['"alice@example.org x"@internal.example'],
    });
    expect(server.messages).toEqual([]);
  });
});

describe('SMTP errors', () => {
  const message = () => composeTaskMessage(sampleTaskMessage());

  it('421 at the greeting is temporary', async () => {
    server.behaviour.greeting = 421;
    const error = await rejection(createSmtpSender(senderOptions()).send(message()));
    expect(error.code).toBe('MAIL_SMTP_TEMPORARY');
    expect(error.remote).toMatchObject({ responseCode: 421 });
    expect(isTemporary(error)).toBe(true);
  });

  it('450 to RCPT TO is temporary, with the command and reply kept', async () => {
    server.behaviour.rcpt = 450;
    const error = await rejection(createSmtpSender(senderOptions()).send(message()));
    expect(error.code).toBe('MAIL_SMTP_TEMPORARY');
    expect(error.remote).toMatchObject({ responseCode: 450, command: 'RCPT TO' });
    expect(String(error.remote?.['response'])).toContain('mailbox unavailable');
    expect(isTemporary(error)).toBe(true);
  });

  it('550 is permanent and keeps the reply', async () => {
    server.behaviour.rcpt = 550;
    const error = await rejection(createSmtpSender(senderOptions()).send(message()));
    expect(error.code).toBe('MAIL_SMTP_REJECTED');
    expect(error.remote).toMatchObject({ responseCode: 550, command: 'RCPT TO' });
    expect(String(error.remote?.['response'])).toMatch(/^550 .*No such user here/);
    expect(isTemporary(error)).toBe(false);
  });

  it('554 after DATA is permanent', async () => {
    server.behaviour.data = 554;
    const error = await rejection(createSmtpSender(senderOptions()).send(message()));
    expect(error.code).toBe('MAIL_SMTP_REJECTED');
    expect(error.remote).toMatchObject({ responseCode: 554 });
    expect(isTemporary(error)).toBe(false);
  });

  it('535 to the login is a permanent auth error', async () => {
    const error = await rejection(
      createSmtpSender(senderOptions({ password: 'wrong' })).send(message()),
    );
    expect(error.code).toBe('MAIL_SMTP_AUTH');
    expect(error.remote).toMatchObject({ responseCode: 535, command: 'AUTH PLAIN' });
    expect(isTemporary(error)).toBe(false);
    expect(JSON.stringify(error.toJSON())).not.toContain('wrong');
  });

  it('a server that offers no login, while we have credentials, is an auth error', async () => {
    server.behaviour.auth = 'unsupported';
    const error = await rejection(createSmtpSender(senderOptions()).send(message()));
    expect(error.code).toBe('MAIL_SMTP_AUTH');
    expect(isTemporary(error)).toBe(false);
  });

  it('a server that is down (connection refused) is a temporary connect error', async () => {
    await server.stop();
    const error = await rejection(createSmtpSender(senderOptions()).send(message()));
    expect(error.code).toBe('MAIL_SMTP_CONNECT');
    expect(error.remote).toMatchObject({ errorCode: 'ESOCKET' });
    expect(isTemporary(error)).toBe(true);
    server = await startTestSmtpServer();
  });
});

describe('logging', () => {
  it('logs fixed messages with the server reply, never the password', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const password = 'hunter2-very-secret';
    const sender = createSmtpSender(senderOptions({ logger, password }));
    await rejection(sender.send(composeTaskMessage(sampleTaskMessage())));
    await rejection(sender.verify());

    const output = lines.join('');
    expect(output).toContain('smtp send failed');
    expect(output).toContain('MAIL_SMTP_AUTH');
    expect(output).not.toContain(password);
    expect(output).not.toContain(Buffer.from(`\0ordo\0${password}`).toString('base64'));
  });
});

describe('verify (the settings page test)', () => {
  it('returns the server answer after the login', async () => {
    const result = await createSmtpSender(senderOptions()).verify();
    expect(result).toMatchObject({ authenticated: true, secure: false });
    expect(result.response).toMatch(/^235 /);
  });

  it('returns the EHLO answer without credentials', async () => {
    const sender = createSmtpSender(senderOptions({ user: undefined, password: undefined }));
    const result = await sender.verify();
    expect(result.authenticated).toBe(false);
    expect(result.response).toMatch(/^250/);
  });

  it('fails with the same codes as a send', async () => {
    const error = await rejection(createSmtpSender(senderOptions({ password: 'x' })).verify());
    expect(error.code).toBe('MAIL_SMTP_AUTH');
    await server.stop();
    const down = await rejection(createSmtpSender(senderOptions()).verify());
    expect(down.code).toBe('MAIL_SMTP_CONNECT');
    server = await startTestSmtpServer();
  });
});

describe('pooled sender', () => {
  it('sends several messages over a pool and closes', async () => {
    const sender = createSmtpSender(senderOptions({ pool: true }));
    const results = await Promise.all(
      [1, 2, 3].map(() => sender.send(composeTaskMessage(sampleTaskMessage()))),
    );
    sender.close();
    expect(results.map((r) => r.response.slice(0, 3))).toEqual(['250', '250', '250']);
    expect(server.messages).toHaveLength(3);
  });
});
