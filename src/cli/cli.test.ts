import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './main.js';

const FIXTURES = path.resolve('fixtures/interop');

describe('ordo command line', () => {
  let dataDir: string;
  const env = { ORDO_SECRET_KEY: crypto.randomBytes(32).toString('base64'), ORDO_DEMO: 'false' };

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-cli-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function run(args: string[], moreEnv: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await main(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: { ...env, SECRET_PW: 'correct horse battery', ...moreEnv },
    });
    return { code, stdout, stderr };
  }

  async function ordo(...args: string[]) {
    return run([...args, '--data', dataDir]);
  }

  it('adds resources, clients and tasks, and lists them as JSON', async () => {
    expect((await ordo('resource', 'add', 'Alice', '--email', 'alice@example.org')).code).toBe(0);
    expect((await ordo('client', 'add', 'Dupont SA')).code).toBe(0);
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
      'Alice',
      '--client',
      'Dupont SA',
      '--reminder',
      '15',
    );
    expect(added.code).toBe(0);
    const id = added.stdout.trim();
    const allDay = await ordo(
      'task',
      'add',
      '--label',
      'Congés',
      '--start',
      '2026-03-03',
      '--end',
      '2026-03-04',
      '--resource',
      'Alice',
    );
    expect(allDay.code).toBe(0);

    const listed = await ordo('tasks', '--from', '2026-03-02', '--to', '2026-03-08', '--json');
    const tasks = JSON.parse(listed.stdout);
    expect(tasks).toEqual([
      {
        id,
        label: 'Pose',
        // Paris is UTC+1 in March before the change.
        start: '2026-03-02T07:00:00.000Z',
        end: '2026-03-02T09:00:00.000Z',
        allDay: false,
        remark: '',
        resources: ['Alice'],
        client: 'Dupont SA',
        private: false,
        reminder: { kind: 'before', minutes: 15 },
      },
      expect.objectContaining({
        label: 'Congés',
        start: '2026-03-03',
        end: '2026-03-05',
        allDay: true,
      }),
    ]);

    expect((await ordo('task', 'delete', id)).code).toBe(0);
    const after = JSON.parse(
      (await ordo('tasks', '--from', '2026-03-02', '--to', '2026-03-02', '--json')).stdout,
    );
    expect(after).toEqual([]);
  });

  it('says clearly what is wrong', async () => {
    const bad = await ordo(
      'task',
      'add',
      '--label',
      'x',
      '--start',
      'tomorrow',
      '--end',
      'later',
      '--resource',
      'Nobody',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/VALIDATION: start: expected a date/);
    const missing = await ordo(
      'tasks',
      '--from',
      '2026-03-02',
      '--to',
      '2026-03-08',
      '--resource',
      'Nobody',
      '--json',
    );
    expect(JSON.parse(missing.stdout).error.code).toBe('RESOURCE_NOT_FOUND');
    const unknown = await ordo('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown command: ordo frobnicate/);
    const unknownFlag = await ordo('tasks', '--frm', 'x');
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/usage: ordo tasks/);
  });

  it('imports an Outlook file, exports it, and the export re-imports identically', async () => {
    const file = path.join(FIXTURES, '01-outlook-undefined-windows-tzid.ics');
    const first = await ordo('import', file, '--resource', 'Bob', '--json');
    const report = JSON.parse(first.stdout);
    expect(report.resourceCreated).toBe(true);
    expect(report.imported.map((i: { uid: string }) => i.uid).sort()).toEqual([
      'case01-a@example.org',
      'case01-b@example.org',
      'case01-c@example.org',
    ]);
    const again = JSON.parse((await ordo('import', file, '--resource', 'Bob', '--json')).stdout);
    expect(again.imported).toEqual([]);
    expect(again.unchanged).toHaveLength(3);

    const listed = JSON.parse(
      (await ordo('tasks', '--from', '2023-03-01', '--to', '2023-07-31', '--json')).stdout,
    );
    expect(listed.map((t: { start: string }) => t.start)).toEqual([
      '2023-03-07T07:15:00.000Z',
      '2023-03-07T07:15:00.000Z',
      '2023-07-04T06:15:00.000Z',
    ]);

    const exported = await ordo('export', '--resource', 'Bob');
    expect(exported.stdout).toMatch(/^BEGIN:VCALENDAR\r\n/);
    const exportFile = path.join(dataDir, 'bob.ics');
    fs.writeFileSync(exportFile, exported.stdout);
    const reimport = JSON.parse(
      (await ordo('import', exportFile, '--resource', 'Bob', '--json')).stdout,
    );
    expect(reimport.unchanged).toHaveLength(3);
    expect(reimport.imported).toHaveLength(0);
    expect(reimport.updated).toHaveLength(0);

    // The same items in Carol's export: Carol joins the existing tasks, no second copy.
    const carol = JSON.parse(
      (await ordo('import', exportFile, '--resource', 'Carol', '--json')).stdout,
    );
    expect(carol.imported).toHaveLength(0);
    expect(carol.updated).toHaveLength(3);
    const everyone = JSON.parse(
      (await ordo('tasks', '--from', '2023-03-01', '--to', '2023-07-31', '--json')).stdout,
    );
    expect(everyone.map((t: { resources: string[] }) => t.resources)).toEqual([
      ['Bob', 'Carol'],
      ['Bob', 'Carol'],
      ['Bob', 'Carol'],
    ]);
    const carolTasks = JSON.parse(
      (
        await ordo(
          'tasks',
          '--from',
          '2023-03-01',
          '--to',
          '2023-07-31',
          '--resource',
          'Carol',
          '--json',
        )
      ).stdout,
    );
    const bobTasks = JSON.parse(
      (
        await ordo(
          'tasks',
          '--from',
          '2023-03-01',
          '--to',
          '2023-07-31',
          '--resource',
          'Bob',
          '--json',
        )
      ).stdout,
    );
    const strip = (ts: Record<string, unknown>[]) =>
      ts.map(({ id: _id, resources: _r, ...rest }) => rest);
    expect(strip(carolTasks)).toEqual(strip(bobTasks));
  });

  it('reports bad items and skips private and recurring ones', async () => {
    const file = path.join(dataDir, 'mixed.ics');
    fs.writeFileSync(
      file,
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//test//EN',
        'BEGIN:VEVENT',
        'UID:ok@x',
        'DTSTAMP:20240101T000000Z',
        'SUMMARY:Fine',
        'DTSTART:20240102T090000Z',
        'DTEND:20240102T100000Z',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:private@x',
        'DTSTAMP:20240101T000000Z',
        'SUMMARY:Secret',
        'CLASS:PRIVATE',
        'DTSTART:20240102T090000Z',
        'DTEND:20240102T100000Z',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:weekly@x',
        'DTSTAMP:20240101T000000Z',
        'SUMMARY:Weekly',
        'RRULE:FREQ=WEEKLY',
        'DTSTART:20240102T090000Z',
        'DTEND:20240102T100000Z',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:broken@x',
        'DTSTAMP:20240101T000000Z',
        'SUMMARY:Broken',
        'DTSTART:2024-01-02 nine',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
    const result = await ordo('import', file, '--resource', 'Dan', '--json');
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.imported.map((i: { uid: string }) => i.uid)).toEqual(['ok@x']);
    expect(report.skipped.map((s: { uid: string }) => s.uid).sort()).toEqual([
      'private@x',
      'weekly@x',
    ]);
    expect(report.skipped.find((s: { uid: string }) => s.uid === 'private@x').label).toBe('');
    expect(report.failed.map((f: { uid: string }) => f.uid)).toEqual(['broken@x']);
  });

  it('adds users with a password from the environment and manages settings', async () => {
    expect((await ordo('resource', 'add', 'Eve')).code).toBe(0);
    const noPw = await ordo('user', 'add', 'eve', '--resource', 'Eve');
    expect(noPw.stderr).toMatch(/--password-env/);
    const user = await ordo(
      'user',
      'add',
      'eve',
      '--resource',
      'Eve',
      '--password-env',
      'SECRET_PW',
      '--json',
    );
    expect(JSON.parse(user.stdout)).toMatchObject({ login: 'eve', isAdmin: false });
    expect(user.stdout).not.toContain('correct horse');

    expect((await ordo('config', 'set', 'company.timeZone', 'America/Montreal')).code).toBe(0);
    expect((await ordo('config', 'get', 'company.timeZone')).stdout.trim()).toBe(
      'America/Montreal',
    );
    const bad = await ordo('config', 'set', 'company.timeZone', 'Nowhere/Land');
    expect(bad.stderr).toMatch(/SETTING_INVALID/);
    await ordo('config', 'set', 'mail.smtp.password', 's3cret-value');
    const fromEnv = await ordo('config', 'set', 'sms.http.authToken', '--value-env', 'SECRET_PW');
    expect(fromEnv.stdout.trim()).toBe('sms.http.authToken = (set)');
    const unset = await ordo('config', 'set', 'sms.http.authToken', '--value-env', 'NOPE');
    expect(unset.stderr).toMatch(/NOPE is not set/);
    const shown = await ordo('config', 'get', 'mail.smtp.password');
    expect(shown.stdout.trim()).toBe('(set)');
    const all = await ordo('config', 'get', '--json');
    expect(all.stdout).not.toContain('s3cret-value');
  });

  /** Camille, whose calendar is at an address the guarded fetch refuses: her runs fail. */
  async function camilleWithRefusedCalendar() {
    expect((await ordo('resource', 'add', 'Camille')).code).toBe(0);
    const user = await ordo(
      'user',
      'add',
      'camille',
      '--resource',
      'Camille',
      '--password-env',
      'SECRET_PW',
    );
    expect(user.code).toBe(0);
    const configured = await ordo(
      'sync',
      'configure',
      'camille',
      '--caldav',
      'http://169.254.169.254/cal/',
    );
    expect(configured.code).toBe(0);
  }

  it('keeps standard output for the result: logs go to standard error', async () => {
    await camilleWithRefusedCalendar();

    const failed = await ordo('sync', '--user', 'camille', '--json');
    expect(failed.code).toBe(1);
    const runs = JSON.parse(failed.stdout) as Array<{ run: { errors: { code: string }[] } }>;
    expect(runs[0]?.run.errors.map((e) => e.code)).toEqual(['SYNC_ADDRESS_REFUSED']);
    const logged = failed.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string; code?: string });
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'sync run failed', code: 'SYNC_ADDRESS_REFUSED' }),
    );
  });

  it('logs at ORDO_LOG_LEVEL when it is set, at warn otherwise', async () => {
    await camilleWithRefusedCalendar();
    const args = ['sync', '--user', 'camille', '--json', '--data', dataDir];

    const silent = await run(args, { ORDO_LOG_LEVEL: 'silent' });
    expect(silent.code).toBe(1);
    expect(JSON.parse(silent.stdout)).toHaveLength(1);
    expect(silent.stderr).toBe('');

    const errorsOnly = await run(args, { ORDO_LOG_LEVEL: 'error' });
    expect(errorsOnly.code).toBe(1);
    expect(errorsOnly.stderr).toBe('');

    const byDefault = await run(args);
    expect(byDefault.stderr).toContain('"msg":"sync run failed"');
  });

  it('takes the global options before the command as well', async () => {
    const added = await run(['--data', dataDir, 'resource', 'add', 'Gus']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const listed = await run([
      '--json',
      `--data=${dataDir}`,
      'task',
      'add',
      '--label',
      'Pose',
      '--start',
      '2026-03-02T08:00',
      '--end',
      '2026-03-02T10:00',
      '--resource',
      'Gus',
    ]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ label: 'Pose', resources: ['Gus'] });
    const help = await run(['--data', dataDir, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Ordo: the resource-planning server/);
  });

  it('refuses a calendar address that is not one, naming the field', async () => {
    await camilleWithRefusedCalendar();
    for (const [option, field] of [
      ['--caldav', 'caldav.calendarUrl'],
      ['--server', 'caldav.serverUrl'],
    ] as const) {
      const args = ['--caldav', 'https://cloud.example.org/cal/', option, 'not-a-url'];
      const refused = await ordo('sync', 'configure', 'camille', ...args, '--json');
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toEqual({
        error: {
          code: 'VALIDATION',
          message: `${field}: an http:// or https:// address`,
          details: { field },
        },
      });
    }
  });

  it('answers a calendar server whose name does not resolve with a stable code', async () => {
    await camilleWithRefusedCalendar();
    const args = ['--caldav', 'http://no-such-host.invalid/cal/', '--check', '--json'];
    const checked = await ordo('sync', 'configure', 'camille', ...args);
    expect(checked.code).toBe(1);
    expect(JSON.parse(checked.stdout)).toMatchObject({
      error: {
        code: 'SYNC_REMOTE_UNAVAILABLE',
        message: expect.stringMatching(/^The name no-such-host\.invalid /),
        details: { host: 'no-such-host.invalid', reason: 'dns' },
      },
    });
  });

  it('answers a wrong option or command as a JSON error with --json', async () => {
    const negative = await ordo(
      'sync',
      'configure',
      'camille',
      '--caldav',
      'http://calendar.test/cal/',
      '--past-days',
      '-3',
      '--json',
    );
    expect(negative.code).toBe(2);
    expect(JSON.parse(negative.stdout)).toMatchObject({
      error: {
        code: 'VALIDATION',
        message: expect.stringContaining("'--past-days=-XYZ'"),
        details: { field: 'past-days', usage: expect.stringMatching(/^sync configure LOGIN/) },
      },
    });
    expect(negative.stderr).toMatch(/usage: ordo sync configure/);

    const misspelt = await ordo('tasks', '--frm', 'x', '--json');
    expect(misspelt.code).toBe(2);
    expect(JSON.parse(misspelt.stdout)).toMatchObject({
      error: { code: 'VALIDATION', details: { field: 'frm', usage: expect.any(String) } },
    });

    const unknown = await ordo('frobnicate', '--json');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      error: {
        code: 'VALIDATION',
        message: expect.stringMatching(/^Unknown command: ordo frobnicate/),
      },
    });
  });
});

describe('ordo command line and reminders', () => {
  it('schedules the reminder of a task added on the command line', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-cli-'));
    const io = {
      stdout: () => undefined,
      stderr: () => undefined,
      env: { ORDO_SECRET_KEY: crypto.randomBytes(32).toString('base64'), ORDO_DEMO: 'false' },
    };
    try {
      await main(['resource', 'add', 'Zoé', '--data', dataDir], io);
      const start = new Date(Date.now() + 3 * 3600_000).toISOString();
      const end = new Date(Date.now() + 4 * 3600_000).toISOString();
      const code = await main(
        [
          'task',
          'add',
          '--label',
          'Visite',
          '--start',
          start,
          '--end',
          end,
          '--resource',
          'Zoé',
          '--reminder',
          '30',
          '--data',
          dataDir,
        ],
        io,
      );
      expect(code).toBe(0);
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(path.join(dataDir, 'ordo.sqlite'), { readonly: true });
      const rows = db.prepare('select due_at from reminders').all() as { due_at: number }[];
      db.close();
      expect(rows.map((r) => r.due_at)).toEqual([Date.parse(start) - 30 * 60_000]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
