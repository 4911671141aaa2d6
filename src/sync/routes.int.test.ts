/** The synchronization and feed API through Fastify's injection, against a real Radicale. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { call, login, startTestServer, type TestServer } from '../http/test-helpers.js';
import type { User } from '../planning/types.js';
import { describeWithServer, startRadicale } from '../test-support/caldav-servers.js';

describeWithServer('sync and feed routes', startRadicale, (server) => {
  let t: TestServer;
  let cookie: string;
  let bob: User;
  let calendarUrl: string;
  const password = () => server().password ?? '';

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    const resource = await t.ordo.directory.createResource({ name: 'Bob', kind: 'human' });
    bob = await t.ordo.users.create({
      login: 'bob',
      password: 'bob-password-1',
      resourceId: resource.id,
      defaultAccess: 'write',
    });
    cookie = await login(t.app, { login: 'bob', password: 'bob-password-1' });
    calendarUrl = await server().createCalendar();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('settings: defaults, validation, and never the password', async () => {
    const initial = await call(t.app, { url: '/api/sync/settings', cookie });
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toMatchObject({
      enabled: false,
      everyMinutes: 15,
      pastDays: null,
      provider: null,
      caldav: null,
      resourceId: bob.resourceId,
      lastRun: null,
    });

    const tooOften = await call(t.app, {
      method: 'PUT',
      url: '/api/sync/settings',
      cookie,
      body: { everyMinutes: 4 },
    });
    expect(tooOften.statusCode).toBe(400);
    for (const field of ['calendarUrl', 'serverUrl']) {
      const notAnAddress = await call(t.app, {
        method: 'PUT',
        url: '/api/sync/settings',
        cookie,
        body: { caldav: { [field]: 'not-a-url' } },
      });
      expect(notAnAddress.statusCode).toBe(400);
      expect(notAnAddress.json()).toMatchObject({
        error: { code: 'VALIDATION', details: { field: `caldav.${field}` } },
      });
    }
    const discoverNothing = await call(t.app, {
      method: 'POST',
      url: '/api/sync/discover',
      cookie,
      body: { serverUrl: 'not-a-url' },
    });
    expect(discoverNothing.statusCode).toBe(400);
    expect(discoverNothing.json()).toMatchObject({
      error: { code: 'VALIDATION', details: { field: 'serverUrl' } },
    });

    const saved = await call(t.app, {
      method: 'PUT',
      url: '/api/sync/settings',
      cookie,
      body: {
        enabled: true,
        everyMinutes: 10,
        caldav: { calendarUrl, username: server().username, password: password() },
      },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      enabled: true,
      provider: 'caldav',
      caldav: { calendarUrl, username: server().username, passwordSet: true },
    });
    expect(saved.body).not.toContain(password());
    const read = await call(t.app, { url: '/api/sync/settings', cookie });
    expect(read.body).not.toContain(password());
    const stored = await t.ordo.store.db
      .selectFrom('sync_accounts')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(stored.caldav_password_sealed).not.toContain(password());
  });

  it('discovers calendars with the stored password', async () => {
    const res = await call(t.app, {
      method: 'POST',
      url: '/api/sync/discover',
      cookie,
      body: { serverUrl: server().baseUrl, username: server().username },
    });
    expect(res.statusCode).toBe(200);
    const urls = (res.json() as { calendars: { url: string }[] }).calendars.map((c) => c.url);
    expect(urls).toContain(calendarUrl);
  });

  it('runs now, logs the run, and marks tasks for manual mode', async () => {
    const task = await t.ordo.tasks.create({
      actor: await t.ordo.users.actorFor(bob),
      input: {
        label: 'Visit',
        timing: {
          allDay: false,
          start: t.clock.now() + 86_400_000,
          end: t.clock.now() + 90_000_000,
        },
        resourceIds: [bob.resourceId as string],
        clientId: null,
        remark: '',
        location: '',
        category: '',
        reminder: { kind: 'none' },
        private: false,
      },
    });
    const run = await call(t.app, { method: 'POST', url: '/api/sync/run', cookie });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ status: 'ok', counts: { created: 1 } });
    expect(run.body).not.toContain(password());

    const runs = await call(t.app, { url: '/api/sync/runs?limit=5', cookie });
    expect((runs.json() as { runs: unknown[] }).runs).toHaveLength(1);
    const settings = await call(t.app, { url: '/api/sync/settings', cookie });
    expect(settings.json()).toMatchObject({ lastRun: { status: 'ok' } });

    const mark = await call(t.app, {
      method: 'POST',
      url: `/api/tasks/${task.id}/sync`,
      cookie,
      body: { kind: 'todo' },
    });
    expect(mark.statusCode).toBe(204);
    const marks = await t.ordo.store.db.selectFrom('task_sync_marks').selectAll().execute();
    expect(marks).toMatchObject([{ task_id: task.id, kind: 'todo' }]);
    const unmark = await call(t.app, {
      method: 'DELETE',
      url: `/api/tasks/${task.id}/sync`,
      cookie,
    });
    expect(unmark.statusCode).toBe(204);
    expect(await t.ordo.store.db.selectFrom('task_sync_marks').selectAll().execute()).toEqual([]);

    expect(await t.ordo.store.db.selectFrom('sync_items').selectAll().execute()).toHaveLength(1);
    const over = await call(t.app, { method: 'POST', url: '/api/sync/start-over', cookie });
    expect(over.statusCode).toBe(204);
    expect(await t.ordo.store.db.selectFrom('sync_items').selectAll().execute()).toEqual([]);
  });

  it('feeds: the resource tasks, private ones as busy time, 404 once revoked', async () => {
    const actor = await t.ordo.users.actorFor(bob);
    const base = {
      resourceIds: [bob.resourceId as string],
      clientId: null,
      location: 'Secret place',
      category: '',
      reminder: { kind: 'none' as const },
    };
    const start = t.clock.now() + 2 * 86_400_000;
    await t.ordo.tasks.create({
      actor,
      input: {
        ...base,
        label: 'Public job',
        remark: '',
        private: false,
        timing: { allDay: false, start, end: start + 3_600_000 },
      },
    });
    await t.ordo.tasks.create({
      actor,
      input: {
        ...base,
        label: 'Hospital',
        remark: 'Tests',
        private: true,
        timing: { allDay: false, start: start + 7_200_000, end: start + 9_000_000 },
      },
    });
    const other = await t.ordo.directory.createResource({ name: 'Carol', kind: 'human' });
    const forbidden = await call(t.app, {
      method: 'POST',
      url: '/api/feeds',
      cookie,
      body: { resourceId: other.id },
    });
    expect(forbidden.statusCode).toBe(403);

    const created = await call(t.app, {
      method: 'POST',
      url: '/api/feeds',
      cookie,
      body: { resourceId: bob.resourceId },
    });
    expect(created.statusCode).toBe(201);
    const { id, url } = created.json() as { id: string; url: string };
    const path = new URL(url).pathname;

    const feed = await call(t.app, { url: path });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toContain('text/calendar');
    expect(feed.body).toContain('SUMMARY:Public job');
    expect(feed.body).toContain('SUMMARY:Privé');
    expect(feed.body).not.toContain('Hospital');
    expect(feed.body).not.toContain('Tests');

    const listed = await call(t.app, { url: '/api/feeds', cookie });
    expect(listed.json()).toMatchObject({ feeds: [{ id, resourceId: bob.resourceId, url: null }] });

    expect(
      (await call(t.app, { method: 'DELETE', url: `/api/feeds/${id}`, cookie })).statusCode,
    ).toBe(204);
    expect((await call(t.app, { url: path })).statusCode).toBe(404);
    expect((await call(t.app, { url: '/feeds/not-a-real-token-at-all-0000.ics' })).statusCode).toBe(
      404,
    );
  });

  it('the stored password goes to the saved server only; no credentials inside URLs', async () => {
    const heard: string[] = [];
    const elsewhere = http.createServer((request, response) => {
      heard.push(request.headers.authorization ?? '');
      response.writeHead(404).end();
    });
    await new Promise<void>((done) => elsewhere.listen(0, '127.0.0.1', done));
    const otherUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`;
    try {
      const discovered = await call(t.app, {
        method: 'POST',
        url: '/api/sync/discover',
        cookie,
        body: { serverUrl: otherUrl, username: server().username },
      });
      expect(discovered.statusCode).toBe(400);
      expect(discovered.json()).toMatchObject({
        error: { code: 'VALIDATION', details: { field: 'password' } },
      });
      expect(heard).toEqual([]);

      for (const body of [
        { caldav: { calendarUrl: `http://u:secret@127.0.0.1:1/cal/` } },
        { caldav: { serverUrl: `http://u:secret@127.0.0.1:1/` } },
      ]) {
        const res = await call(t.app, { method: 'PUT', url: '/api/sync/settings', cookie, body });
        expect(res.statusCode).toBe(400);
      }

      const moved = await call(t.app, {
        method: 'PUT',
        url: '/api/sync/settings',
        cookie,
        body: { caldav: { calendarUrl: `${otherUrl}cal/` } },
      });
      expect(moved.json()).toMatchObject({ caldav: { passwordSet: false } });
      const back = await call(t.app, {
        method: 'PUT',
        url: '/api/sync/settings',
        cookie,
        body: { caldav: { calendarUrl, password: password() } },
      });
      expect(back.json()).toMatchObject({ caldav: { calendarUrl, passwordSet: true } });
    } finally {
      elsewhere.close();
    }
  });
});
