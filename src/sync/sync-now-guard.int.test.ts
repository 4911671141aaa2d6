/**
 * "Sync now" is limited to one run per account every 30 s, across processes (the last run is
 * read from the database), and an account or discovery aimed at the cloud metadata address is
 * refused by the guarded fetch without a request leaving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { call, login, startTestServer, type TestServer } from '../http/test-helpers.js';
import { isOrdoError } from '../shared/errors.js';
import { syncOf } from './capability.js';
import { createSyncWorker, SYNC_NOW_GAP_MS } from './worker.js';

const METADATA_CALENDAR = 'http://169.254.169.254/latest/meta-data/calendar/';

describe.each(['sqlite', 'postgres'] as const)('sync now and the guarded fetch (%s)', (dialect) => {
  let t: TestServer;
  let cookie: string;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    const resource = await t.ordo.directory.createResource({ name: 'Bob', kind: 'human' });
    await t.ordo.users.create({
      login: 'bob',
      password: 'bob-password-1',
      resourceId: resource.id,
      defaultAccess: 'write',
    });
    cookie = await login(t.app, { login: 'bob', password: 'bob-password-1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses discovery of the metadata address with a plain 400', async () => {
    const res = await call(t.app, {
      method: 'POST',
      url: '/api/sync/discover',
      cookie,
      body: { serverUrl: 'http://169.254.169.254/', username: 'bob', password: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: { code: 'SYNC_ADDRESS_REFUSED', details: { host: '169.254.169.254' } },
    });
  });

  it('logs a run against the metadata address as refused, then limits sync now', async () => {
    const saved = await call(t.app, {
      method: 'PUT',
      url: '/api/sync/settings',
      cookie,
      body: { caldav: { calendarUrl: METADATA_CALENDAR, username: 'bob', password: 'x' } },
    });
    expect(saved.statusCode).toBe(200);

    const first = await call(t.app, { method: 'POST', url: '/api/sync/run', cookie });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'failed',
      errors: [{ code: 'SYNC_ADDRESS_REFUSED' }],
    });

    t.clock.advance(10_000);
    const soon = await call(t.app, { method: 'POST', url: '/api/sync/run', cookie });
    expect(soon.statusCode).toBe(429);
    expect(soon.headers['retry-after']).toBe('20');
    expect(soon.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: 20 } },
    });

    // Another process (its own worker) reads the same last run from the database.
    const other = createSyncWorker({ ordo: t.ordo, accounts: syncOf(t.ordo).accounts });
    const user = await t.ordo.users.findByLogin('bob');
    const refused = await other
      .syncNow(user?.id ?? '', { minGapMs: SYNC_NOW_GAP_MS })
      .catch((error: unknown) => error);
    expect(isOrdoError(refused, 'RATE_LIMITED')).toBe(true);

    t.clock.advance(20_000);
    const later = await call(t.app, { method: 'POST', url: '/api/sync/run', cookie });
    expect(later.statusCode).toBe(200);
    const runs = await call(t.app, { url: '/api/sync/runs?limit=5', cookie });
    expect((runs.json() as { runs: unknown[] }).runs).toHaveLength(2);
  }, 30_000);
});
