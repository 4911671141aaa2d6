/**
 * The live path end to end: a real server on a random port, real SSE connections over
 * fetch, the scheduler on a hand-moved clock.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { HTTP_CAPABILITIES } from '../http/capabilities.js';
import { buildServer } from '../http/server.js';
import { SYSTEM } from '../planning/actor.js';
import { ManualClock } from '../shared/clock.js';
import { createTestOrdo, postgresAvailable, type TestDialect } from '../test-support/ordo.js';
import { startReminders, type Reminders } from './reminders.js';
import { reminderRoutes, reminderRoutesWith } from './routes.js';
import { openEventStream, type EventStreamReader } from './sse-reader.js';
import { HOUR, MINUTE, T0, taskInput } from './test-fixture.js';
import { ManualTimers } from './timers.js';

const PASSWORD = 'correct horse';

for (const dialect of ['sqlite', 'postgres'] as TestDialect[]) {
  describe(`reminders over HTTP on ${dialect}`, () => {
    let available = true;
    let ordo: Ordo | null = null;
    let app: FastifyInstance | null = null;
    const streams: EventStreamReader[] = [];

    beforeAll(async () => {
      if (dialect === 'postgres') available = await postgresAvailable();
    });

    afterEach(async () => {
      for (const s of streams.splice(0)) s.close();
      await app?.close();
      await ordo?.close();
      app = null;
      ordo = null;
    });

    async function start() {
      const clock = new ManualClock(T0);
      const timers = new ManualTimers(clock);
      ordo = await createTestOrdo({ dialect, clock });
      const reminders: Reminders = await startReminders(ordo, { timers, scheduler: true });
      const capabilities = HTTP_CAPABILITIES.filter((p) => p !== reminderRoutes);
      app = await buildServer(ordo, {
        webRoot: null,
        capabilities: [...capabilities, reminderRoutesWith({ heartbeatMs: 100 })],
      });
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      const person = async (login: string) => {
        const resource = await ordo!.directory.createResource({ name: login.toUpperCase() });
        await ordo!.users.create({ login, password: PASSWORD, resourceId: resource.id });
        const res = await fetch(`${address}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login, password: PASSWORD }),
        });
        const cookie = /ordo_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
        if (!cookie) throw new Error(`login failed: ${res.status}`);
        return { resourceId: resource.id, cookie };
      };
      const stream = async (cookie: string) => {
        const s = await openEventStream(`${address}/api/reminders/stream`, { cookie });
        streams.push(s);
        await s.waitFor('snapshot');
        return s;
      };
      const api = (cookie: string, path: string, body?: unknown) =>
        fetch(`${address}${path}`, {
          method: body === undefined && !path.endsWith('/dismiss') ? 'GET' : 'POST',
          headers: {
            cookie,
            'x-ordo-csrf': '1',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const logout = (cookie: string) =>
        fetch(`${address}/api/session`, {
          method: 'DELETE',
          headers: { cookie, 'x-ordo-csrf': '1' },
        });
      return { ordo, clock, timers, reminders, address, person, stream, api, logout };
    }

    it('pushes a due reminder to every page of its user, and nothing to others', async (ctx) => {
      if (!available) return ctx.skip();
      const s = await start();
      const alice = await s.person('alice');
      const bob = await s.person('bob');
      const phone = await s.stream(alice.cookie);
      const desk = await s.stream(alice.cookie);
      const bobPage = await s.stream(bob.cookie);
      expect(phone.status).toBe(200);
      expect(phone.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(phone.headers.get('x-accel-buffering')).toBe('no');

      const task = await s.ordo.tasks.create({
        actor: SYSTEM,
        input: taskInput({ resourceIds: [alice.resourceId], label: 'Pose cuisine' }),
      });
      await s.timers.advance(2 * HOUR - 15 * MINUTE);
      const [first, second] = await Promise.all([
        phone.waitFor('reminder'),
        desk.waitFor('reminder'),
      ]);
      const payload = JSON.parse(first.data) as { reminder: { id: string; taskId: string } };
      expect(payload.reminder).toMatchObject({ taskId: task.id, label: 'Pose cuisine' });
      expect(second.data).toBe(first.data);
      // Bob's page had as long as Alice's pages to receive something.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(bobPage.events.filter((e) => e.event === 'reminder')).toEqual([]);
      expect(phone.comments).toContain('ping');

      const listed = await (await s.api(alice.cookie, '/api/reminders')).json();
      expect(listed).toMatchObject({ reminders: [{ id: payload.reminder.id }] });
      expect(await (await s.api(bob.cookie, '/api/reminders')).json()).toEqual({ reminders: [] });

      const id = payload.reminder.id;
      const snoozed = await s.api(alice.cookie, `/api/reminders/${id}/snooze`, { minutes: 10 });
      expect(snoozed.status).toBe(200);
      await Promise.all([phone.waitFor('closed'), desk.waitFor('closed')]);
      await s.timers.advance(10 * MINUTE);
      await Promise.all([
        phone.waitFor('reminder', { skip: 1 }),
        desk.waitFor('reminder', { skip: 1 }),
      ]);

      const refused = await s.api(bob.cookie, `/api/reminders/${id}/dismiss`);
      expect(refused.status).toBe(404);
      const dismissed = await s.api(alice.cookie, `/api/reminders/${id}/dismiss`);
      expect(dismissed.status).toBe(204);
      await desk.waitFor('closed', { skip: 1 });
      expect(await (await s.api(alice.cookie, '/api/reminders')).json()).toEqual({ reminders: [] });
      expect(bobPage.events.map((e) => e.event)).toEqual(['snapshot']);
    });

    it('refuses the stream without a login and closes open streams with the server', async (ctx) => {
      if (!available) return ctx.skip();
      const s = await start();
      const anonymous = await fetch(`${s.address}/api/reminders/stream`);
      expect(anonymous.status).toBe(401);
      const alice = await s.person('alice');
      await s.stream(alice.cookie);
      expect(s.reminders.hub.size).toBe(1);
      await app!.close();
      app = null;
      expect(s.reminders.hub.size).toBe(0);
    });

    it('ends a stream once its login is gone or its user has another resource', async (ctx) => {
      if (!available) return ctx.skip();
      const s = await start();
      const alice = await s.person('alice');
      const bob = await s.person('bob');
      const page = await s.stream(alice.cookie);
      const bobPage = await s.stream(bob.cookie);
      expect(s.reminders.hub.size).toBe(2);

      expect((await s.logout(alice.cookie)).status).toBe(204);
      await s.ordo.tasks.create({
        actor: SYSTEM,
        input: taskInput({ resourceIds: [alice.resourceId], label: 'Médecin' }),
      });
      await s.timers.advance(2 * HOUR - 15 * MINUTE);
      await waitUntil(() => s.reminders.hub.size === 1);
      expect(page.events.map((e) => e.event)).toEqual(['snapshot']);

      const other = await s.ordo.directory.createResource({ name: 'Other' });
      const bobUser = await s.ordo.users.findByLogin('bob');
      await s.ordo.users.update(bobUser!.id, { resourceId: other.id });
      await waitUntil(() => s.reminders.hub.size === 0);
      expect(bobPage.events.map((e) => e.event)).toEqual(['snapshot']);
    });
  });
}

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
