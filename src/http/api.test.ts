import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, type TestDialect } from '../test-support/ordo.js';
import { ADMIN, T0, call, login, startTestServer, type TestServer } from './test-helpers.js';

const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function timed(overrides: Record<string, unknown> = {}) {
  return { label: 'Pose cuisine', start: iso(T0), end: iso(T0 + 2 * HOUR), ...overrides };
}

for (const dialect of ['sqlite', 'postgres'] as TestDialect[]) {
  describe(`HTTP API on ${dialect}`, () => {
    let server: TestServer | null = null;
    let available = true;

    beforeAll(async () => {
      if (dialect === 'postgres') available = await postgresAvailable();
    });

    afterEach(async () => {
      await server?.close();
      server = null;
    });

    async function open(): Promise<TestServer | null> {
      if (!available) return null;
      server = await startTestServer(dialect);
      return server;
    }

    /** A department with one resource, and a user who may only read everything. */
    async function world(s: TestServer) {
      const dept = await s.ordo.directory.createDepartment('Atelier');
      const alice = await s.ordo.directory.createResource({ name: 'Alice', departmentId: dept.id });
      const bob = await s.ordo.directory.createResource({ name: 'Bob' });
      await s.ordo.users.create({
        login: 'reader',
        password: 'reader-pass-1',
        defaultAccess: 'read',
      });
      await s.ordo.users.create({
        login: 'outsider',
        password: 'outsider-pass-1',
        resourceId: bob.id,
        defaultAccess: 'write',
        departmentAccess: { [dept.id]: 'none' },
      });
      return { dept, alice, bob };
    }

    describe('session', () => {
      it('logs in with a cookie, answers /api/me, and logs out', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const res = await call(s.app, { method: 'POST', url: '/api/session', body: ADMIN });
        expect(res.statusCode).toBe(200);
        expect(res.json().user).toMatchObject({ login: 'admin', isAdmin: true });
        const cookie = res.cookies.find((c) => c.name === 'ordo_session');
        expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
        expect(cookie?.secure).toBeFalsy();
        const session = `ordo_session=${cookie?.value}`;

        const me = await call(s.app, { url: '/api/me', cookie: session });
        expect(me.statusCode).toBe(200);
        expect(me.json()).toMatchObject({
          user: { login: 'admin', isAdmin: true, resourceId: null },
          rights: { isAdmin: true, canAdd: true },
          settings: { 'company.timeZone': 'Europe/Paris', 'task.reminderByDate': false },
        });

        const out = await call(s.app, { method: 'DELETE', url: '/api/session', cookie: session });
        expect(out.statusCode).toBe(204);
        const after = await call(s.app, { url: '/api/me', cookie: session });
        expect(after.statusCode).toBe(401);
        expect(after.json().error.code).toBe('AUTH_REQUIRED');
      });

      it('refuses a wrong password, then limits attempts per login and address', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const bad = { login: 'admin', password: 'wrong-password' };
        const first = await call(s.app, { method: 'POST', url: '/api/session', body: bad });
        expect(first.statusCode).toBe(401);
        expect(first.json().error.code).toBe('AUTH_INVALID');
        expect(first.cookies).toHaveLength(0);
        for (let i = 0; i < 4; i++) {
          await call(s.app, { method: 'POST', url: '/api/session', body: bad });
        }
        const limited = await call(s.app, { method: 'POST', url: '/api/session', body: ADMIN });
        expect(limited.statusCode).toBe(429);
        expect(limited.json().error.code).toBe('RATE_LIMITED');
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

        const elsewhere = await s.app.inject({
          method: 'POST',
          url: '/api/session',
          remoteAddress: '10.0.0.9',
          payload: ADMIN,
        });
        expect(elsewhere.statusCode).toBe(200);

        s.clock.advance(16 * 60_000);
        expect(
          (await call(s.app, { method: 'POST', url: '/api/session', body: ADMIN })).statusCode,
        ).toBe(200);
      });

      it('needs a login on every API route except the public ones', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        for (const url of [
          '/api/tasks?from=2026-03-01&to=2026-03-08',
          '/api/me',
          '/api/settings',
        ]) {
          const res = await call(s.app, { url });
          expect(res.statusCode, url).toBe(401);
          expect(res.json().error.code).toBe('AUTH_REQUIRED');
        }
        expect((await call(s.app, { url: '/api/health' })).json()).toEqual({ ok: true });
        expect((await call(s.app, { url: '/api/openapi.json' })).statusCode).toBe(200);
      });

      it('refuses a cookie-authenticated change without the CSRF header or a JSON body', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const cookie = await login(s.app);
        const form = await call(s.app, {
          method: 'POST',
          url: '/api/clients',
          cookie,
          csrf: false,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'name=Evil',
        });
        expect(form.statusCode).toBe(403);
        expect(form.json().error.code).toBe('CSRF_REQUIRED');
        const del = await call(s.app, {
          method: 'DELETE',
          url: '/api/session',
          cookie,
          csrf: false,
        });
        expect(del.json().error.code).toBe('CSRF_REQUIRED');
        expect(await s.ordo.directory.listClients()).toEqual([]);

        const json = await call(s.app, {
          method: 'POST',
          url: '/api/clients',
          cookie,
          csrf: false,
          body: { name: 'Dupont SA' },
        });
        expect(json.statusCode).toBe(201);
      });

      it('authenticates API tokens, which need no CSRF header and can be revoked', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const cookie = await login(s.app);
        const created = await call(s.app, {
          method: 'POST',
          url: '/api/tokens',
          cookie,
          body: { name: 'script' },
        });
        expect(created.statusCode).toBe(201);
        const { id, token } = created.json() as { id: string; token: string };
        expect(token).toMatch(/^ordo_/);

        const me = await call(s.app, { url: '/api/me', token });
        expect(me.json().user.login).toBe('admin');
        const post = await s.app.inject({
          method: 'POST',
          url: '/api/clients',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: { name: 'Martin' },
        });
        expect(post.statusCode).toBe(201);
        const list = await call(s.app, { url: '/api/tokens', cookie });
        expect(list.json().tokens).toEqual([
          expect.objectContaining({ id, name: 'script', lastUsedAt: expect.any(String) }),
        ]);
        expect(list.body).not.toContain(token.slice(5));

        await call(s.app, { method: 'DELETE', url: `/api/tokens/${id}`, cookie });
        const revoked = await call(s.app, { url: '/api/me', token });
        expect(revoked.statusCode).toBe(401);
        expect(revoked.json().error.code).toBe('TOKEN_INVALID');
        const junk = await call(s.app, { url: '/api/me', token: 'ordo_nonsense' });
        expect(junk.json().error.code).toBe('TOKEN_INVALID');
      });
    });

    describe('tasks', () => {
      it('creates, lists, reads, changes and deletes a task', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice } = await world(s);
        const cookie = await login(s.app);
        const created = await call(s.app, {
          method: 'POST',
          url: '/api/tasks',
          cookie,
          body: timed({
            start: '2026-03-02T09:00:00+01:00',
            end: '2026-03-02T11:00:00+01:00',
            resourceIds: [alice.id],
            reminder: { kind: 'before', minutes: 15 },
          }),
        });
        expect(created.statusCode).toBe(201);
        const task = created.json();
        expect(task).toMatchObject({
          label: 'Pose cuisine',
          allDay: false,
          start: '2026-03-02T08:00:00.000Z',
          end: '2026-03-02T10:00:00.000Z',
          resourceIds: [alice.id],
          clientId: null,
          reminder: { kind: 'before', minutes: 15 },
          private: false,
          masked: false,
          periodicTaskId: null,
          sequence: 0,
          uid: task.id,
        });
        expect(task.modifiedAt).toMatch(/Z$/);

        const allDay = await call(s.app, {
          method: 'POST',
          url: '/api/tasks',
          cookie,
          body: { label: 'Congrès', allDay: true, start: '2026-03-03', end: '2026-03-05' },
        });
        expect(allDay.json()).toMatchObject({
          allDay: true,
          start: '2026-03-03',
          end: '2026-03-05',
        });

        const listed = await call(s.app, {
          url: '/api/tasks?from=2026-03-02&to=2026-03-09',
          cookie,
        });
        expect(listed.json().tasks.map((t: { label: string }) => t.label)).toEqual([
          'Pose cuisine',
          'Congrès',
        ]);
        const byResource = await call(s.app, {
          url: `/api/tasks?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z&resourceId=${alice.id}`,
          cookie,
        });
        expect(byResource.json().tasks).toHaveLength(1);

        const moved = await call(s.app, {
          method: 'PATCH',
          url: `/api/tasks/${task.id}`,
          cookie,
          body: { end: '2026-03-02T12:00:00Z', remark: 'Étage 2' },
        });
        expect(moved.statusCode).toBe(200);
        expect(moved.json()).toMatchObject({
          start: '2026-03-02T08:00:00.000Z',
          end: '2026-03-02T12:00:00.000Z',
          remark: 'Étage 2',
          sequence: 1,
        });
        expect((await call(s.app, { url: `/api/tasks/${task.id}`, cookie })).json().remark).toBe(
          'Étage 2',
        );

        const del = await call(s.app, { method: 'DELETE', url: `/api/tasks/${task.id}`, cookie });
        expect(del.statusCode).toBe(204);
        const gone = await call(s.app, { url: `/api/tasks/${task.id}`, cookie });
        expect(gone.statusCode).toBe(404);
        expect(gone.json().error.code).toBe('TASK_NOT_FOUND');
      });

      it('a change keeps every field it does not name (a drag sends only the timing)', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice } = await world(s);
        const client = await s.ordo.directory.createClient({ name: 'Hôtel du Lac' });
        const cookie = await login(s.app);
        const full = {
          resourceIds: [alice.id],
          clientId: client.id,
          remark: 'Étage 2',
          location: 'Annecy',
          category: 'chantier',
          reminder: { kind: 'before', minutes: 30 },
        };
        const created = await call(s.app, {
          method: 'POST',
          url: '/api/tasks',
          cookie,
          body: timed(full),
        });
        const id = created.json().id;

        const moved = await call(s.app, {
          method: 'PATCH',
          url: `/api/tasks/${id}`,
          cookie,
          body: { start: iso(T0 + 24 * HOUR), end: iso(T0 + 26 * HOUR) },
        });
        expect(moved.statusCode).toBe(200);
        expect(moved.json()).toMatchObject({ ...full, start: iso(T0 + 24 * HOUR) });
        const relabelled = await call(s.app, {
          method: 'PATCH',
          url: `/api/tasks/${id}`,
          cookie,
          body: { label: 'Pose cuisine (suite)' },
        });
        expect(relabelled.json()).toMatchObject({ ...full, label: 'Pose cuisine (suite)' });
        await call(s.app, {
          method: 'PATCH',
          url: `/api/tasks/${id}`,
          cookie,
          body: { private: true },
        });
        const movedBack = await call(s.app, {
          method: 'PATCH',
          url: `/api/tasks/${id}`,
          cookie,
          body: { start: iso(T0), end: iso(T0 + 2 * HOUR) },
        });
        expect(movedBack.json()).toMatchObject({ private: true, resourceIds: [alice.id] });
      });

      it('books a resource named twice once', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice, bob } = await world(s);
        const cookie = await login(s.app);
        const created = await call(s.app, {
          method: 'POST',
          url: '/api/tasks',
          cookie,
          body: timed({ resourceIds: [alice.id, bob.id, alice.id] }),
        });
        expect(created.json().resourceIds).toEqual([alice.id, bob.id]);
        const changed = await call(s.app, {
          method: 'PATCH',
          url: `/api/tasks/${created.json().id}`,
          cookie,
          body: { resourceIds: [bob.id, bob.id] },
        });
        expect(changed.json().resourceIds).toEqual([bob.id]);
      });

      it('answers bad input with 400 and the field, and writes nothing', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice } = await world(s);
        const cookie = await login(s.app);
        const post = (body: unknown) =>
          call(s.app, { method: 'POST', url: '/api/tasks', cookie, body });

        const cases: [unknown, number, string, string | undefined][] = [
          [timed({ start: '2026-13-45T08:00:00Z' }), 400, 'VALIDATION', 'start'],
          [timed({ start: '2026-03-02 08:00' }), 400, 'VALIDATION', 'start'],
          [timed({ end: iso(T0 - HOUR) }), 400, 'VALIDATION', 'end'],
          [
            { label: 'x', allDay: true, start: '2026-03-05', end: '2026-03-05' },
            400,
            'VALIDATION',
            'end',
          ],
          [
            { label: 'x', allDay: true, start: '2026-02-30', end: '2026-03-05' },
            400,
            'VALIDATION',
            'start',
          ],
          [timed({ label: '' }), 400, 'VALIDATION', 'label'],
          [
            timed({ reminder: { kind: 'before', minutes: -3 } }),
            400,
            'VALIDATION',
            'reminder.minutes',
          ],
          [
            timed({ reminder: { kind: 'before', minutes: 1.5 } }),
            400,
            'VALIDATION',
            'reminder.minutes',
          ],
          [timed({ reminder: { kind: 'soon' } }), 400, 'VALIDATION', 'reminder.kind'],
          [{ start: iso(T0), end: iso(T0) }, 400, 'VALIDATION', 'label'],
          [timed({ resourceIds: [alice.id, 'nope'] }), 404, 'RESOURCE_NOT_FOUND', 'resourceIds'],
          [timed({ clientId: 'nope' }), 404, 'CLIENT_NOT_FOUND', 'clientId'],
        ];
        for (const [body, status, code, field] of cases) {
          const res = await post(body);
          expect(res.statusCode, JSON.stringify(body)).toBe(status);
          expect(res.json().error).toMatchObject({ code, details: { field } });
          expect(typeof res.json().error.message).toBe('string');
        }

        const badJson = await call(s.app, {
          method: 'POST',
          url: '/api/tasks',
          cookie,
          headers: { 'content-type': 'application/json' },
          body: '{"label": "x",',
        });
        expect(badJson.statusCode).toBe(400);
        expect(badJson.json().error.code).toBe('BODY_UNREADABLE');

        const huge = await post(timed({ remark: 'x'.repeat(2 * 1024 * 1024) }));
        expect(huge.statusCode).toBe(413);
        expect(huge.json().error.code).toBe('BODY_TOO_LARGE');

        const badRange = await call(s.app, {
          url: '/api/tasks?from=yesterday&to=2026-03-09',
          cookie,
        });
        expect(badRange.json().error).toMatchObject({
          code: 'VALIDATION',
          details: { field: 'from' },
        });
        const noRange = await call(s.app, { url: '/api/tasks', cookie });
        expect(noRange.json().error).toMatchObject({
          code: 'VALIDATION',
          details: { field: 'from' },
        });

        const unknown = await call(s.app, { url: '/api/nothing-here', cookie });
        expect(unknown.statusCode).toBe(404);
        expect(unknown.json().error.code).toBe('NOT_FOUND');

        expect(await s.ordo.store.db.selectFrom('tasks').selectAll().execute()).toEqual([]);
        expect(await s.ordo.store.db.selectFrom('task_resources').selectAll().execute()).toEqual(
          [],
        );
      });

      it('returns a label with markup as plain data', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const cookie = await login(s.app);
        const label = '<script>alert("x")</script> & <b>';
        const res = await call(s.app, {
          method: 'POST',
          url: '/api/tasks',
          cookie,
          body: timed({ label }),
        });
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.json().label).toBe(label);
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      });

      it('enforces rights: read-only users, departments and private tasks', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice, bob } = await world(s);
        const admin = await login(s.app);
        const reader = await login(s.app, { login: 'reader', password: 'reader-pass-1' });
        const outsider = await login(s.app, { login: 'outsider', password: 'outsider-pass-1' });
        const make = (body: unknown) =>
          call(s.app, { method: 'POST', url: '/api/tasks', cookie: admin, body });
        const atelier = (await make(timed({ label: 'Atelier', resourceIds: [alice.id] }))).json();
        await make(timed({ label: 'Secret', resourceIds: [bob.id], private: true, remark: 'r' }));
        const mine = await call(s.app, {
          method: 'POST',
          url: '/api/tasks',
          cookie: outsider,
          body: timed({ label: 'Mine', resourceIds: [bob.id], private: true }),
        });
        expect(mine.statusCode).toBe(201);

        const denied = await call(s.app, {
          method: 'POST',
          url: '/api/tasks',
          cookie: reader,
          body: timed(),
        });
        expect(denied.statusCode).toBe(403);
        expect(denied.json().error.code).toBe('FORBIDDEN');
        const patch = await call(s.app, {
          method: 'PATCH',
          url: `/api/tasks/${atelier.id}`,
          cookie: reader,
          body: { label: 'changed' },
        });
        expect(patch.statusCode).toBe(403);
        const del = await call(s.app, {
          method: 'DELETE',
          url: `/api/tasks/${atelier.id}`,
          cookie: reader,
        });
        expect(del.statusCode).toBe(403);
        const client = await call(s.app, {
          method: 'POST',
          url: '/api/clients',
          cookie: reader,
          body: { name: 'C' },
        });
        expect(client.statusCode).toBe(403);

        const range = '/api/tasks?from=2026-03-02&to=2026-03-03';
        const readerView = (await call(s.app, { url: range, cookie: reader })).json().tasks;
        const secret = readerView.find(
          (t: { resourceIds: string[]; label: string }) =>
            t.resourceIds.includes(bob.id) && t.label === '',
        );
        expect(readerView).toHaveLength(3);
        expect(secret).toMatchObject({ masked: true, label: '', remark: '', private: true });
        expect(JSON.stringify(readerView)).not.toContain('Secret');

        // The outsider is Bob: Bob's private tasks are theirs to read; Alice's department is
        // hidden.
        const outsiderView = (await call(s.app, { url: range, cookie: outsider })).json().tasks;
        expect(outsiderView.map((t: { label: string }) => t.label).sort()).toEqual([
          'Mine',
          'Secret',
        ]);
        const hidden = await call(s.app, { url: `/api/tasks/${atelier.id}`, cookie: outsider });
        expect(hidden.statusCode).toBe(404);

        const adminView = (await call(s.app, { url: range, cookie: admin })).json().tasks;
        expect(adminView.filter((t: { masked: boolean }) => t.masked)).toHaveLength(2);
      });

      it('keeps data unchanged when a change is refused', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice } = await world(s);
        const cookie = await login(s.app);
        const task = (
          await call(s.app, { method: 'POST', url: '/api/tasks', cookie, body: timed() })
        ).json();
        const res = await call(s.app, {
          method: 'PATCH',
          url: `/api/tasks/${task.id}`,
          cookie,
          body: { label: 'Nouveau', resourceIds: [alice.id, 'ghost'] },
        });
        expect(res.statusCode).toBe(404);
        const after = (await call(s.app, { url: `/api/tasks/${task.id}`, cookie })).json();
        expect(after).toMatchObject({ label: 'Pose cuisine', resourceIds: [], sequence: 0 });
      });
    });

    describe('periodic tasks', () => {
      it('materializes occurrences, detaches one, and deletes the rest', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice } = await world(s);
        const cookie = await login(s.app);
        const created = await call(s.app, {
          method: 'POST',
          url: '/api/periodic-tasks',
          cookie,
          body: {
            rule: 'FREQ=WEEKLY;BYDAY=MO',
            template: timed({ label: 'Réunion', resourceIds: [alice.id] }),
            until: '2026-04-06',
          },
        });
        expect(created.statusCode).toBe(201);
        const periodic = created.json();
        expect(periodic).toMatchObject({ rule: 'FREQ=WEEKLY;BYDAY=MO', occurrences: 6 });

        const listed = await call(s.app, {
          url: '/api/tasks?from=2026-03-01&to=2026-05-01',
          cookie,
        });
        const tasks = listed.json().tasks as {
          id: string;
          start: string;
          periodicTaskId: string;
        }[];
        expect(tasks.map((t) => t.start)).toEqual([
          '2026-03-02T08:00:00.000Z',
          '2026-03-09T08:00:00.000Z',
          '2026-03-16T08:00:00.000Z',
          '2026-03-23T08:00:00.000Z',
          // Paris changes to summer time on 29 March: still 09:00 local.
          '2026-03-30T07:00:00.000Z',
          '2026-04-06T07:00:00.000Z',
        ]);
        expect(tasks.every((t) => t.periodicTaskId === periodic.id)).toBe(true);
        const all = await call(s.app, { url: '/api/periodic-tasks', cookie });
        expect(all.json().periodicTasks).toEqual([
          expect.objectContaining({
            id: periodic.id,
            template: expect.objectContaining({ label: 'Réunion' }),
          }),
        ]);

        const detached = await call(s.app, {
          method: 'POST',
          url: `/api/tasks/${tasks[1]?.id}/detach`,
          cookie,
        });
        expect(detached.json()).toMatchObject({
          periodicTaskId: null,
          detachedFromPeriodicTaskId: periodic.id,
        });
        const again = await call(s.app, {
          method: 'POST',
          url: `/api/tasks/${tasks[1]?.id}/detach`,
          cookie,
        });
        expect(again.json().error.code).toBe('CONFLICT');

        const del = await call(s.app, {
          method: 'DELETE',
          url: `/api/periodic-tasks/${periodic.id}`,
          cookie,
        });
        expect(del.statusCode).toBe(204);
        const left = (
          await call(s.app, { url: '/api/tasks?from=2026-03-01&to=2026-05-01', cookie })
        ).json();
        expect(left.tasks.map((t: { id: string }) => t.id)).toEqual([tasks[1]?.id]);
      });

      it('refuses a bad rule and writes nothing when an occurrence cannot be stored', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const cookie = await login(s.app);
        for (const rule of [
          'FREQ=SOMETIMES',
          'BYDAY=MO',
          'FREQ=WEEKLY;BYDAY=XX',
          'FREQ=MINUTELY',
        ]) {
          const res = await call(s.app, {
            method: 'POST',
            url: '/api/periodic-tasks',
            cookie,
            body: { rule, template: timed() },
          });
          expect(res.statusCode, rule).toBe(400);
          expect(res.json().error).toMatchObject({
            code: 'PERIODIC_RULE_INVALID',
            details: { field: 'rule' },
          });
        }
        const broken = await call(s.app, {
          method: 'POST',
          url: '/api/periodic-tasks',
          cookie,
          body: { rule: 'FREQ=DAILY', template: timed({ resourceIds: ['ghost'] }) },
        });
        expect(broken.json().error.code).toBe('RESOURCE_NOT_FOUND');
        expect(await s.ordo.store.db.selectFrom('periodic_tasks').selectAll().execute()).toEqual(
          [],
        );
        expect(await s.ordo.store.db.selectFrom('tasks').selectAll().execute()).toEqual([]);

        const yearly = await call(s.app, {
          method: 'POST',
          url: '/api/periodic-tasks',
          cookie,
          body: { rule: 'FREQ=DAILY', template: timed() },
        });
        expect(yearly.json().occurrences).toBe(366);
      });
    });

    describe('unavailabilities', () => {
      it('creates, lists per department access, and deletes', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice, bob } = await world(s);
        const admin = await login(s.app);
        const outsider = await login(s.app, { login: 'outsider', password: 'outsider-pass-1' });
        const post = (cookie: string, body: unknown) =>
          call(s.app, { method: 'POST', url: '/api/unavailabilities', cookie, body });
        const leave = await post(admin, {
          resourceId: alice.id,
          start: '2026-03-02',
          end: '2026-03-04',
          reason: 'Congés',
        });
        expect(leave.statusCode).toBe(201);
        expect(leave.json()).toMatchObject({
          resourceId: alice.id,
          start: '2026-03-01T23:00:00.000Z',
          end: '2026-03-03T23:00:00.000Z',
          reason: 'Congés',
        });
        const sick = await post(outsider, {
          resourceId: bob.id,
          start: iso(T0),
          end: iso(T0 + 8 * HOUR),
        });
        expect(sick.statusCode).toBe(201);

        expect(
          (await post(admin, { resourceId: bob.id, start: iso(T0), end: iso(T0) })).json().error,
        ).toMatchObject({ code: 'VALIDATION', details: { field: 'end' } });
        expect(
          (await post(admin, { resourceId: 'ghost', start: iso(T0), end: iso(T0 + HOUR) })).json()
            .error,
        ).toMatchObject({ code: 'RESOURCE_NOT_FOUND', details: { field: 'resourceId' } });
        expect(
          (await post(outsider, { resourceId: alice.id, start: iso(T0), end: iso(T0 + HOUR) }))
            .statusCode,
        ).toBe(403);

        const range = '/api/unavailabilities?from=2026-03-01&to=2026-03-08';
        expect(
          (await call(s.app, { url: range, cookie: admin })).json().unavailabilities,
        ).toHaveLength(2);
        const seen = (await call(s.app, { url: range, cookie: outsider })).json().unavailabilities;
        expect(seen.map((u: { resourceId: string }) => u.resourceId)).toEqual([bob.id]);
        const hidden = await call(s.app, {
          method: 'DELETE',
          url: `/api/unavailabilities/${leave.json().id}`,
          cookie: outsider,
        });
        expect(hidden.statusCode).toBe(404);
        const del = await call(s.app, {
          method: 'DELETE',
          url: `/api/unavailabilities/${leave.json().id}`,
          cookie: admin,
        });
        expect(del.statusCode).toBe(204);
        expect(
          (await call(s.app, { url: range, cookie: admin })).json().unavailabilities,
        ).toHaveLength(1);
      });
    });

    describe('directory, users, groups, settings', () => {
      it('manages resources, clients and departments with the right rights', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        await world(s);
        const admin = await login(s.app);
        const reader = await login(s.app, { login: 'reader', password: 'reader-pass-1' });
        const dept = await call(s.app, {
          method: 'POST',
          url: '/api/departments',
          cookie: admin,
          body: { name: 'Pose' },
        });
        expect(dept.statusCode).toBe(201);
        const res = await call(s.app, {
          method: 'POST',
          url: '/api/resources',
          cookie: admin,
          body: { name: 'Camion', kind: 'material', departmentId: dept.json().id },
        });
        expect(res.statusCode).toBe(201);
        const id = res.json().id;
        const patched = await call(s.app, {
          method: 'PATCH',
          url: `/api/resources/${id}`,
          cookie: admin,
          body: { mobile: '06 12 34 56 78', email: 'camion@example.org' },
        });
        expect(patched.json()).toMatchObject({
          mobile: '+33612345678',
          email: 'camion@example.org',
        });
        const badMail = await call(s.app, {
          method: 'PATCH',
          url: `/api/resources/${id}`,
          cookie: admin,
          body: { email: 'not an address' },
        });
        expect(badMail.json().error).toMatchObject({
          code: 'MAIL_ADDRESS_INVALID',
          details: { field: 'email' },
        });

        const readerList = await call(s.app, { url: '/api/resources', cookie: reader });
        expect(readerList.json().resources.map((r: { name: string }) => r.name)).toEqual([
          'Alice',
          'Bob',
          'Camion',
        ]);
        expect(
          (await call(s.app, { url: '/api/departments', cookie: reader })).json().departments,
        ).toHaveLength(2);
        for (const [method, url] of [
          ['POST', '/api/resources'],
          ['PATCH', `/api/resources/${id}`],
          ['DELETE', `/api/resources/${id}`],
          ['POST', '/api/departments'],
        ] as const) {
          const r = await call(s.app, { method, url, cookie: reader, body: { name: 'X' } });
          expect(r.statusCode, `${method} ${url}`).toBe(403);
        }

        const client = await call(s.app, {
          method: 'POST',
          url: '/api/clients',
          cookie: admin,
          body: { name: 'Dupont' },
        });
        const cid = client.json().id;
        expect(
          (
            await call(s.app, {
              method: 'PATCH',
              url: `/api/clients/${cid}`,
              cookie: admin,
              body: { email: 'd@example.org' },
            })
          ).json().email,
        ).toBe('d@example.org');
        expect(
          (await call(s.app, { url: '/api/clients', cookie: reader })).json().clients,
        ).toHaveLength(1);
        expect(
          (
            await call(s.app, {
              method: 'POST',
              url: '/api/clients',
              cookie: admin,
              body: { name: 'Dupont' },
            })
          ).statusCode,
        ).toBe(409);
        expect(
          (await call(s.app, { method: 'DELETE', url: `/api/clients/${cid}`, cookie: admin }))
            .statusCode,
        ).toBe(204);
        expect(
          (await call(s.app, { method: 'DELETE', url: `/api/resources/${id}`, cookie: admin }))
            .statusCode,
        ).toBe(204);
        expect(
          (await call(s.app, { method: 'DELETE', url: `/api/resources/${id}`, cookie: admin }))
            .statusCode,
        ).toBe(404);
      });

      it('lets only administrators manage users and groups', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { dept, alice } = await world(s);
        const admin = await login(s.app);
        const reader = await login(s.app, { login: 'reader', password: 'reader-pass-1' });
        const group = await call(s.app, {
          method: 'POST',
          url: '/api/groups',
          cookie: admin,
          body: { name: 'Planners', canAdd: true, canModify: true, canDelete: false },
        });
        expect(group.statusCode).toBe(201);
        const gid = group.json().id;
        const user = await call(s.app, {
          method: 'POST',
          url: '/api/users',
          cookie: admin,
          body: {
            login: 'claire',
            password: 'claire-pass-1',
            resourceId: alice.id,
            groupId: gid,
            departmentAccess: { [dept.id]: 'write' },
            language: 'en',
          },
        });
        expect(user.statusCode).toBe(201);
        expect(user.body).not.toContain('claire-pass-1');
        expect(user.body).not.toMatch(/hash/i);
        const uid = user.json().id;
        const listed = await call(s.app, { url: '/api/users', cookie: admin });
        expect(listed.json().users.map((u: { login: string }) => u.login)).toEqual([
          'admin',
          'claire',
          'outsider',
          'reader',
        ]);
        const bad = await call(s.app, {
          method: 'POST',
          url: '/api/users',
          cookie: admin,
          body: { login: 'dan', password: 'dan-pass-12', groupId: 'ghost' },
        });
        expect(bad.json().error.code).toBe('GROUP_NOT_FOUND');
        const short = await call(s.app, {
          method: 'POST',
          url: '/api/users',
          cookie: admin,
          body: { login: 'dan', password: 'short' },
        });
        expect(short.json().error).toMatchObject({
          code: 'VALIDATION',
          details: { field: 'password' },
        });

        const claire = await login(s.app, { login: 'claire', password: 'claire-pass-1' });
        const me = (await call(s.app, { url: '/api/me', cookie: claire })).json();
        expect(me).toMatchObject({
          user: { language: 'en' },
          rights: { canAdd: true, canDelete: false },
        });

        expect(
          (
            await call(s.app, {
              method: 'PATCH',
              url: `/api/users/${uid}`,
              cookie: admin,
              body: { isAdmin: true },
            })
          ).json().isAdmin,
        ).toBe(true);
        expect(
          (
            await call(s.app, {
              method: 'PATCH',
              url: `/api/groups/${gid}`,
              cookie: admin,
              body: { canDelete: true },
            })
          ).json().canDelete,
        ).toBe(true);
        expect(
          (await call(s.app, { url: '/api/groups', cookie: reader })).json().groups,
        ).toHaveLength(1);
        for (const [method, url] of [
          ['GET', '/api/users'],
          ['POST', '/api/users'],
          ['PATCH', `/api/users/${uid}`],
          ['DELETE', `/api/users/${uid}`],
          ['POST', '/api/groups'],
          ['PATCH', `/api/groups/${gid}`],
          ['DELETE', `/api/groups/${gid}`],
        ] as const) {
          const r = await call(s.app, {
            method,
            url,
            cookie: reader,
            body: method === 'GET' ? undefined : {},
          });
          expect(r.statusCode, `${method} ${url}`).toBe(403);
        }
        const adminId = (await call(s.app, { url: '/api/me', cookie: admin })).json().user.id;
        expect(
          (await call(s.app, { method: 'DELETE', url: `/api/users/${adminId}`, cookie: admin }))
            .statusCode,
        ).toBe(409);
        expect(
          (await call(s.app, { method: 'DELETE', url: `/api/users/${uid}`, cookie: admin }))
            .statusCode,
        ).toBe(204);
        expect(
          (await call(s.app, { method: 'DELETE', url: `/api/groups/${gid}`, cookie: admin }))
            .statusCode,
        ).toBe(204);
      });

      it('never returns a secret, and lets only administrators write settings', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        await world(s);
        const admin = await login(s.app);
        const reader = await login(s.app, { login: 'reader', password: 'reader-pass-1' });
        const secret = 'Sup3r-Secret-SMTP-pw';
        const put = await call(s.app, {
          method: 'PUT',
          url: '/api/settings/mail.smtp.password',
          cookie: admin,
          body: { value: secret },
        });
        expect(put.statusCode).toBe(200);
        expect(put.json()).toMatchObject({
          key: 'mail.smtp.password',
          secret: true,
          isSet: true,
          value: null,
        });
        expect(put.body).not.toContain(secret);
        expect(await s.ordo.settings.get('mail.smtp.password')).toBe(secret);

        const all = await call(s.app, { url: '/api/settings', cookie: admin });
        expect(all.body).not.toContain(secret);
        const keys = all.json().settings.map((v: { key: string }) => v.key);
        expect(keys).toContain('mail.smtp.host');
        expect(
          all.json().settings.find((v: { key: string }) => v.key === 'mail.smtp.password'),
        ).toMatchObject({ isSet: true });

        const readerAll = await call(s.app, { url: '/api/settings', cookie: reader });
        const readerKeys = readerAll.json().settings.map((v: { key: string }) => v.key);
        expect(readerKeys).toContain('company.timeZone');
        expect(readerKeys).not.toContain('mail.smtp.password');
        expect(readerKeys).not.toContain('mail.smtp.host');
        const denied = await call(s.app, {
          method: 'PUT',
          url: '/api/settings/company.name',
          cookie: reader,
          body: { value: 'Evil' },
        });
        expect(denied.statusCode).toBe(403);

        const invalid = await call(s.app, {
          method: 'PUT',
          url: '/api/settings/mail.smtp.port',
          cookie: admin,
          body: { value: 'abc' },
        });
        expect(invalid.json().error.code).toBe('SETTING_INVALID');
        const unknown = await call(s.app, {
          method: 'PUT',
          url: '/api/settings/nope',
          cookie: admin,
          body: { value: 1 },
        });
        expect(unknown.json().error.code).toBe('SETTING_UNKNOWN');
        const ok = await call(s.app, {
          method: 'PUT',
          url: '/api/settings/company.name',
          cookie: admin,
          body: { value: 'Menuiserie' },
        });
        expect(ok.json().value).toBe('Menuiserie');
      });
    });

    describe('calendar files', () => {
      it('imports an .ics file and exports it again', async (ctx) => {
        const s = await open();
        if (!s) return ctx.skip();
        const { alice } = await world(s);
        const cookie = await login(s.app);
        const ics = [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'PRODID:-//Test//EN',
          'BEGIN:VEVENT',
          'UID:imported-1@example.org',
          'DTSTAMP:20260301T000000Z',
          'DTSTART:20260302T080000Z',
          'DTEND:20260302T090000Z',
          'SUMMARY:Livraison',
          'END:VEVENT',
          'END:VCALENDAR',
          '',
        ].join('\r\n');
        const imported = await call(s.app, {
          method: 'POST',
          url: `/api/import?resourceId=${alice.id}`,
          cookie,
          headers: { 'content-type': 'text/calendar' },
          body: ics,
        });
        expect(imported.statusCode).toBe(200);
        expect(imported.json().imported).toEqual([
          expect.objectContaining({ uid: 'imported-1@example.org', label: 'Livraison' }),
        ]);
        const exported = await call(s.app, { url: `/api/export?resourceId=${alice.id}`, cookie });
        expect(exported.headers['content-type']).toMatch(/^text\/calendar/);
        expect(exported.body).toContain('UID:imported-1@example.org');
        const missing = await call(s.app, { url: '/api/export?resourceId=ghost', cookie });
        expect(missing.json().error.code).toBe('RESOURCE_NOT_FOUND');
      });
    });
  });
}
