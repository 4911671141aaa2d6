/** `ordo sync configure` and `ordo sync --once --json` against a real Radicale. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { main } from '../cli/main.js';
import { describeWithServer, startRadicale } from '../test-support/caldav-servers.js';
import type { SyncRun } from './accounts.js';

describeWithServer('ordo sync (command line)', startRadicale, (server) => {
  let dataDir: string;
  const env = () => ({
    ORDO_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
    ORDO_DEMO: 'false',
    USER_PW: 'alice-password-1',
    CAL_PW: server().password ?? '',
  });
  let fixedEnv: Record<string, string>;

  async function ordo(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main([...args, '--data', dataDir], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: fixedEnv,
    });
    return { code, stdout, stderr };
  }

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-sync-cli-'));
    fixedEnv = env();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('configures a user, refuses a too-short interval, runs once and prints the report', async () => {
    expect((await ordo('resource', 'add', 'Alice')).code).toBe(0);
    expect(
      (await ordo('user', 'add', 'alice', '--resource', 'Alice', '--password-env', 'USER_PW')).code,
    ).toBe(0);
    const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 13) + ':00Z';
    const end = new Date(Date.now() + 90_000_000).toISOString().slice(0, 13) + ':00Z';
    const added = await ordo(
      'task',
      'add',
      '--label',
      'Survey',
      '--start',
      start,
      '--end',
      end,
      '--resource',
      'Alice',
    );
    expect(added.code).toBe(0);

    const calendarUrl = await server().createCalendar();
    const credentials = ['--username', server().username ?? 'ordo', '--password-env', 'CAL_PW'];
    const tooOften = await ordo(
      'sync',
      'configure',
      'alice',
      '--caldav',
      calendarUrl,
      ...credentials,
      '--every',
      '4',
    );
    expect(tooOften.code).toBe(1);
    expect(tooOften.stderr).toContain('5 minutes');

    const missing = await ordo(
      'sync',
      'configure',
      'alice',
      '--caldav',
      `${calendarUrl}nope/`,
      ...credentials,
      '--check',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('SYNC_NOT_CONFIGURED');

    const configured = await ordo(
      'sync',
      'configure',
      'alice',
      '--caldav',
      calendarUrl,
      ...credentials,
      '--as',
      'appointments',
      '--from-calendar',
      'appointments',
      '--past-days',
      '3',
      '--every',
      '10',
      '--check',
      '--json',
    );
    expect(configured.code).toBe(0);
    expect(JSON.parse(configured.stdout)).toMatchObject({
      calendarUrl,
      passwordSet: true,
      importAppointments: true,
      importTasks: false,
      pastDays: 3,
      everyMinutes: 10,
    });
    expect(configured.stdout).not.toContain(server().password ?? 'no-password');

    const once = await ordo('sync', '--once', '--json');
    expect(once.code).toBe(0);
    const runs = JSON.parse(once.stdout) as Array<{ login: string; run: SyncRun }>;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      login: 'alice',
      run: { status: 'ok', counts: { created: 1 } },
    });
    expect(once.stdout).not.toContain(server().password ?? 'no-password');

    // Not due again for ten minutes; --user runs it anyway, and prints in words.
    expect(JSON.parse((await ordo('sync', '--once', '--json')).stdout)).toEqual([]);
    const forced = await ordo('sync', '--user', 'alice', '--once');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('alice: ok');

    // Starting over forgets the pair: the next run links the item again by its UID.
    const over = await ordo('sync', 'start-over', 'alice', '--json');
    expect(over.code).toBe(0);
    expect(JSON.parse(over.stdout)).toEqual({ login: 'alice', startedOver: true });
    const again = await ordo('sync', '--once', '--json');
    const [rerun] = JSON.parse(again.stdout) as Array<{ login: string; run: SyncRun }>;
    expect(rerun?.run).toMatchObject({ status: 'ok', listing: 'complete' });
    expect(rerun?.run.actions.map((action) => action.action)).toEqual(['linked']);
    expect((await ordo('sync', 'start-over', 'nobody')).code).toBe(1);
  });
});
