import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { startTestSmtpServer, type TestSmtpServer } from '../test-support/smtp-server.js';

describe('ordo task mail / task sms / outbox', () => {
  let dataDir: string;
  let smtp: TestSmtpServer;
  const env = { ORDO_SECRET_KEY: crypto.randomBytes(32).toString('base64'), ORDO_DEMO: 'false' };

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-cli-mail-'));
    smtp = await startTestSmtpServer();
  });
  afterEach(async () => {
    await smtp.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function ordo(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main([...args, '--data', dataDir], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env,
    });
    return { code, stdout, stderr };
  }

  async function setUp(): Promise<string> {
    for (const [key, value] of [
      ['mail.smtp.host', smtp.host],
      ['mail.smtp.port', String(smtp.port)],
      ['mail.smtp.security', 'none'],
      ['mail.from.address', 'planning@ordo.example'],
      ['sms.operator', 'verizon-us'],
    ]) {
      expect((await ordo('config', 'set', key!, value!)).code).toBe(0);
    }
    await ordo('resource', 'add', 'Zoé', '--email', 'zoe@example.org', '--mobile', '+12015550123');
    const added = await ordo(
      'task',
      'add',
      '--label',
      'Pose',
      '--start',
      '2026-03-02T08:00',
      '--end',
      '2026-03-02T10:00',
      '--resource',
      'Zoé',
    );
    expect(added.code).toBe(0);
    return added.stdout.trim();
  }

  it('queues, prints to whom, lists the outbox and flushes it once', async () => {
    const id = await setUp();
    const mail = await ordo('task', 'mail', id);
    expect(mail).toMatchObject({ code: 0, stdout: 'Queued for Zoé <zoe@example.org>\n' });
    const sms = await ordo('task', 'sms', id);
    expect(sms.stdout).toBe('Queued for 2015550123@vtext.com\n');

    const queued = JSON.parse((await ordo('outbox', '--json')).stdout) as { status: string }[];
    expect(queued.map((m) => m.status)).toEqual(['queued', 'queued']);
    const flush = await ordo('outbox', 'flush');
    expect(flush).toMatchObject({ code: 0, stdout: 'Sent 2, to retry later 0, failed 0.\n' });
    expect(smtp.messages.map((m) => m.rcptTo[0]).sort()).toEqual([
      '2015550123@vtext.com',
      'zoe@example.org',
    ]);
    const listed = (await ordo('outbox')).stdout.trim().split('\n');
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatch(/ sent +1x .* 250 /);
  });

  it('says why at the click, and flush exits non-zero on a refusal', async () => {
    const id = await setUp();
    expect((await ordo('config', 'set', 'mail.recipients', 'client')).code).toBe(0);
    const refused = await ordo('task', 'mail', id);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('The task has no client');

    expect((await ordo('config', 'set', 'mail.recipients', 'resource')).code).toBe(0);
    await ordo('task', 'mail', id);
    smtp.behaviour.data = 554;
    const flush = await ordo('outbox', 'flush', '--json');
    expect(flush.code).toBe(1);
    expect(JSON.parse(flush.stdout)).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const [failed] = JSON.parse((await ordo('outbox', '--json')).stdout) as {
      lastResponse: string;
    }[];
    expect(failed?.lastResponse).toMatch(/^554 /);
  });
});
