/**
 * `ordo sync configure LOGIN --graph` (Microsoft's device-code sign-in) and `ordo sync --once`
 * against the Graph and identity stand-in. The settings name https addresses of their own;
 * the test's fetch sends them to the stand-in (the one difference from production).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { main } from '../cli/main.js';
import type { SyncRun } from './accounts.js';
import { startGraphStandIn, type GraphStandIn } from './graph/graph-stand-in.js';
import { standInFetch, TEST_GRAPH_SETTINGS, TEST_LOGIN_ORIGIN } from './graph-test-network.js';

const HOUR = 3_600_000;
let dataDir: string;
let standIn: GraphStandIn;
const env = {
  ORDO_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
  ORDO_DEMO: 'false',
  USER_PW: 'alice-password-1',
};

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-sync-graph-cli-'));
  // 60 s tokens are inside MSAL's renewal margin: each run asks the token endpoint again.
  standIn = await startGraphStandIn({
    loginOrigin: TEST_LOGIN_ORIGIN,
    deviceCodeInterval: 0,
    tokenLifetimeSeconds: 60,
  });
  vi.stubGlobal('fetch', standInFetch(standIn, globalThis.fetch));
});

afterAll(async () => {
  vi.unstubAllGlobals();
  await standIn?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Runs `ordo ...`; a device-code prompt is approved as the user would on the verification
 * page, wherever it is printed (standard error with --json).
 */
async function ordo(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const prompts: string[] = [];
  const watch = (text: string) => {
    const code = /enter the code ([A-Z0-9]+)/.exec(text)?.[1];
    if (!code) return;
    prompts.push(text);
    standIn.approveDeviceCode(code);
  };
  const code = await main([...args, '--data', dataDir], {
    stdout: (text) => {
      stdout += text;
      watch(text);
    },
    stderr: (text) => {
      stderr += text;
      watch(text);
    },
    env,
  });
  return { code, stdout, stderr, prompts };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + 'Z';
}

/** The events of the mailbox's default calendar, as Outlook shows them. */
async function outlookEvents(): Promise<Array<{ id: string; subject: string }>> {
  const answer = await fetch(`${standIn.graphUrl}/me/events`, {
    headers: { authorization: `Bearer ${standIn.issueAccessToken()}` },
  });
  return ((await answer.json()) as { value: Array<{ id: string; subject: string }> }).value;
}

describe('ordo sync with Microsoft 365 (command line)', () => {
  const start = Math.floor((Date.now() + 26 * HOUR) / HOUR) * HOUR;

  it('refuses --graph while Microsoft 365 is not set up, naming the setting', async () => {
    expect((await ordo('resource', 'add', 'Alice')).code).toBe(0);
    const added = await ordo(
      'user',
      'add',
      'alice',
      '--resource',
      'Alice',
      '--password-env',
      'USER_PW',
    );
    expect(added.code).toBe(0);

    const words = await ordo('sync', 'configure', 'alice', '--graph');
    expect(words.code).toBe(1);
    expect(words.stderr).toContain('GRAPH_NOT_CONFIGURED');
    expect(words.stderr).toContain('ordo config set graph.clientId');
    const json = await ordo('sync', 'configure', 'alice', '--graph', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'GRAPH_NOT_CONFIGURED' } });

    const both = await ordo('sync', 'configure', 'alice', '--graph', '--caldav', 'https://x.test/');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('either --caldav');
    expect(standIn.stats.tokenGrants['devicecode'] ?? 0).toBe(0);
  });

  it('connects with the device code, then syncs a task both ways', async () => {
    for (const [key, value] of Object.entries(TEST_GRAPH_SETTINGS)) {
      expect((await ordo('config', 'set', key, value)).code).toBe(0);
    }
    const task = await ordo(
      'task',
      'add',
      '--label',
      'Survey',
      '--start',
      iso(start),
      '--end',
      iso(start + 2 * HOUR),
      '--resource',
      'Alice',
    );
    expect(task.code).toBe(0);

    const configured = await ordo(
      'sync',
      'configure',
      'alice',
      '--graph',
      '--as',
      'appointments',
      '--past-days',
      '3',
      '--every',
      '10',
      '--json',
    );
    expect(configured.code).toBe(0);
    // Microsoft's message (address and code) went to standard error; the result to stdout.
    expect(configured.prompts).toHaveLength(1);
    expect(configured.stderr).toContain(`${TEST_LOGIN_ORIGIN}/devicelogin`);
    expect(JSON.parse(configured.stdout)).toEqual({
      login: 'alice',
      provider: 'graph',
      account: 'zoe@contoso.example',
      name: 'Zoë Müller',
      calendarId: null,
      todoListId: null,
      exportAs: 'appointments',
      importAppointments: true,
      importTasks: true,
      pastDays: 3,
      futureDays: 180,
      everyMinutes: 10,
    });
    expect(configured.stdout + configured.stderr).not.toContain('stand-in-');
    expect(standIn.stats.tokenGrants['device_code']).toBeGreaterThan(0);

    const first = await ordo('sync', '--user', 'alice', '--once', '--json');
    expect(first.code).toBe(0);
    const [entry] = JSON.parse(first.stdout) as Array<{ login: string; run: SyncRun }>;
    expect(entry).toMatchObject({ login: 'alice', run: { status: 'ok', counts: { created: 1 } } });
    const exported = (await outlookEvents()).find((e) => e.subject === 'Survey');
    expect(exported).toBeDefined();

    // In Outlook: the exported appointment renamed, a new one added.
    standIn.editEvent(exported!.id, { subject: 'Survey (gate code 4521)' });
    standIn.addEvent({ subject: 'Dentiste', start: start + 4 * HOUR, end: start + 5 * HOUR });
    const second = await ordo('sync', '--user', 'alice', '--once', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)[0].run).toMatchObject({ status: 'ok', errors: [] });
    const listed = await ordo(
      'tasks',
      '--from',
      iso(start - HOUR).slice(0, 10),
      '--to',
      iso(start + 24 * HOUR).slice(0, 10),
      '--json',
    );
    const labels = (JSON.parse(listed.stdout) as Array<{ label: string }>).map((t) => t.label);
    expect(labels.sort()).toEqual(['Dentiste', 'Survey (gate code 4521)']);
  });

  it('fails with SYNC_RECONNECT once consent is withdrawn, and connects again', async () => {
    standIn.revokeConsent();
    const refused = await ordo('sync', '--user', 'alice', '--once', '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)[0].run).toMatchObject({
      status: 'failed',
      errors: [{ code: 'SYNC_RECONNECT' }],
    });

    const again = await ordo('sync', 'configure', 'alice', '--graph');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`open the page ${TEST_LOGIN_ORIGIN}/devicelogin`);
    expect(again.stdout).toMatch(/enter the code [A-Z0-9]+/);
    expect(again.stdout).toContain('Connected zoe@contoso.example (Zoë Müller)');
    const after = await ordo('sync', '--user', 'alice', '--once');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('alice: ok');
  });
});
