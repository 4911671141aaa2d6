import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../planning/actor.js';
import { postgresAvailable, type TestDialect } from '../test-support/ordo.js';
import { dueAtOf } from './due-time.js';
import { createFixture, HOUR, MINUTE, T0, type Fixture } from './test-fixture.js';

for (const dialect of ['sqlite', 'postgres'] as TestDialect[]) {
  describe(`reminders on ${dialect}`, () => {
    let f: Fixture | null = null;
    let available = true;

    beforeAll(async () => {
      if (dialect === 'postgres') available = await postgresAvailable();
    });

    afterEach(async () => {
      await f?.ordo.close();
      f = null;
    });

    async function open(): Promise<Fixture | null> {
      if (!available) return null;
      f = await createFixture(dialect);
      return f;
    }

    async function storedDue(fx: Fixture, taskId: string) {
      const row = await fx.ordo.store.db
        .selectFrom('reminders')
        .select(['id', 'due_at'])
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      return row ?? null;
    }

    it('raises a reminder N minutes before the start to its resource user only', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const alicePage = await fx.device(fx.alice);
      const bobPage = await fx.device(fx.bob);
      const adminPage = await fx.device(fx.admin);
      const task = await fx.createTask({
        resourceIds: [fx.alice.resourceId],
        clientId: fx.clientId,
      });
      const due = T0 + 2 * HOUR - 15 * MINUTE;
      expect((await storedDue(fx, task.id))?.due_at).toBe(due);

      await fx.advance(due - T0 - 1);
      expect(alicePage.raised()).toEqual([]);
      await fx.advance(1);
      expect(alicePage.raised()).toHaveLength(1);
      const shown = alicePage.messages.find((m) => m.type === 'reminder');
      expect(shown).toMatchObject({
        reminder: {
          taskId: task.id,
          label: 'Pose cuisine',
          start: new Date(T0 + 2 * HOUR).toISOString(),
          end: new Date(T0 + 3 * HOUR).toISOString(),
          allDay: false,
          clientName: 'Dupont SA',
          resourceNames: ['ALICE'],
          dueAt: new Date(due).toISOString(),
        },
      });
      expect(bobPage.raised()).toEqual([]);
      expect(adminPage.raised()).toEqual([]);
      expect(await fx.reminders.list(fx.alice.actor)).toHaveLength(1);
      expect(await fx.reminders.list(fx.bob.actor)).toEqual([]);
      expect(await fx.reminders.list(fx.admin.actor)).toEqual([]);
    });

    it('accepts the offered delays and any number of minutes', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const start = T0 + 3 * 24 * HOUR;
      for (const minutes of [5, 10, 15, 30, 60, 120, 1440, 2880, 7]) {
        const task = await fx.createTask({
          timing: {
            start: new Date(start).toISOString(),
            end: new Date(start + HOUR).toISOString(),
          },
          reminder: { kind: 'before', minutes },
        });
        expect((await storedDue(fx, task.id))?.due_at).toBe(start - minutes * MINUTE);
      }
    });

    it('moves, reschedules and cancels with the task', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const page = await fx.device(fx.alice);
      const task = await fx.createTask({ resourceIds: [fx.alice.resourceId] });
      const first = await storedDue(fx, task.id);

      await fx.ordo.tasks.update({
        actor: SYSTEM,
        id: task.id,
        patch: { timing: { allDay: false, start: T0 + 4 * HOUR, end: T0 + 5 * HOUR } },
      });
      const moved = await storedDue(fx, task.id);
      expect(moved?.due_at).toBe(T0 + 4 * HOUR - 15 * MINUTE);
      expect(moved?.id).not.toBe(first?.id);

      await fx.ordo.tasks.update({
        actor: SYSTEM,
        id: task.id,
        patch: { reminder: { kind: 'before', minutes: 60 } },
      });
      expect((await storedDue(fx, task.id))?.due_at).toBe(T0 + 3 * HOUR);

      await fx.ordo.tasks.update({ actor: SYSTEM, id: task.id, patch: { label: 'Renamed' } });
      expect((await storedDue(fx, task.id))?.due_at).toBe(T0 + 3 * HOUR);

      await fx.advance(2 * HOUR);
      expect(page.raised()).toEqual([]);
      await fx.advance(HOUR);
      expect(page.raised()).toHaveLength(1);
      expect(page.messages.at(-1)).toMatchObject({ reminder: { label: 'Renamed' } });

      const other = await fx.createTask({
        resourceIds: [fx.alice.resourceId],
        timing: {
          start: new Date(T0 + 6 * HOUR).toISOString(),
          end: new Date(T0 + 7 * HOUR).toISOString(),
        },
      });
      await fx.ordo.tasks.delete({ actor: SYSTEM, id: other.id });
      expect(await storedDue(fx, other.id)).toBeNull();
      await fx.advance(4 * HOUR);
      expect(page.raised()).toHaveLength(1);
    });

    it('closes a raised reminder on every page when its task is deleted', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const page = await fx.device(fx.alice);
      const task = await fx.createTask({ resourceIds: [fx.alice.resourceId] });
      await fx.advance(2 * HOUR);
      const [id] = page.raised();
      await fx.ordo.tasks.delete({ actor: SYSTEM, id: task.id });
      await fx.advance(0);
      expect(page.closed()).toEqual([id]);
      expect(await fx.reminders.list(fx.alice.actor)).toEqual([]);
    });

    it('does not raise a moment already passed', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const page = await fx.device(fx.alice);
      const soon = await fx.createTask({
        resourceIds: [fx.alice.resourceId],
        timing: {
          start: new Date(T0 + 10 * MINUTE).toISOString(),
          end: new Date(T0 + HOUR).toISOString(),
        },
        reminder: { kind: 'before', minutes: 30 },
      });
      expect(await storedDue(fx, soon.id)).toBeNull();

      const later = await fx.createTask({ resourceIds: [fx.alice.resourceId] });
      await fx.ordo.tasks.update({
        actor: SYSTEM,
        id: later.id,
        patch: { timing: { allDay: false, start: T0 + 5 * MINUTE, end: T0 + HOUR } },
      });
      expect(await storedDue(fx, later.id)).toBeNull();

      await fx.advance(3 * HOUR);
      expect(page.raised()).toEqual([]);
      expect(await fx.reminders.list(fx.alice.actor)).toEqual([]);
    });

    it('takes an explicit instant only when the company turned reminders by date on', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const at = { kind: 'at', at: new Date(T0 + 40 * MINUTE).toISOString() };
      await expect(
        fx.createTask({ resourceIds: [fx.alice.resourceId], reminder: at }),
      ).rejects.toMatchObject({ code: 'REMINDER_BY_DATE_OFF' });
      await fx.ordo.settings.set('task.reminderByDate', true);
      const page = await fx.device(fx.alice);
      const task = await fx.createTask({ resourceIds: [fx.alice.resourceId], reminder: at });
      expect((await storedDue(fx, task.id))?.due_at).toBe(T0 + 40 * MINUTE);
      await fx.advance(40 * MINUTE);
      expect(page.raised()).toHaveLength(1);
    });

    it('treats tasks from a calendar sync like the others', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const page = await fx.device(fx.alice);
      const at = { kind: 'at', at: new Date(T0 + 50 * MINUTE).toISOString() };
      const synced = await fx.createTask({ resourceIds: [fx.alice.resourceId] }, 'sync');
      const byDate = await fx.createTask(
        { resourceIds: [fx.alice.resourceId], reminder: at },
        'sync',
      );
      await fx.ordo.tasks.update({
        actor: SYSTEM,
        id: synced.id,
        origin: 'sync',
        patch: { timing: { allDay: false, start: T0 + HOUR, end: T0 + 2 * HOUR } },
      });
      await fx.advance(HOUR);
      const raised = page.messages.flatMap((m) =>
        m.type === 'reminder' ? [m.reminder.taskId] : [],
      );
      // Moved to T0 + 1 h, the synchronized task is reminded at T0 + 45 min, before the other.
      expect(raised).toEqual([synced.id, byDate.id]);
    });

    it('starts all-day tasks at local midnight across daylight-saving changes', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const zone = 'Europe/Paris';
      const allDay = (startDate: string, endDate: string) => ({
        allDay: true as const,
        startDate,
        endDate,
      });
      const before = (minutes: number) => ({ kind: 'before' as const, minutes });
      // Sunday 29 March 2026: clocks go from 02:00 to 03:00; its midnight is still UTC+1.
      expect(dueAtOf(before(15), allDay('2026-03-29', '2026-03-30'), zone)).toBe(
        Date.parse('2026-03-28T22:45:00Z'),
      );
      expect(dueAtOf(before(15), allDay('2026-03-30', '2026-03-31'), zone)).toBe(
        Date.parse('2026-03-29T21:45:00Z'),
      );
      // A day before is 24 hours before: 23:00 local the evening before the change-over.
      expect(dueAtOf(before(1440), allDay('2026-03-30', '2026-03-31'), zone)).toBe(
        Date.parse('2026-03-28T22:00:00Z'),
      );
      expect(dueAtOf(before(15), allDay('2026-10-25', '2026-10-26'), zone)).toBe(
        Date.parse('2026-10-24T21:45:00Z'),
      );
      expect(dueAtOf(before(15), allDay('2026-10-26', '2026-10-27'), zone)).toBe(
        Date.parse('2026-10-25T22:45:00Z'),
      );

      fx.clock.set(Date.parse('2026-03-28T12:00:00Z'));
      const page = await fx.device(fx.alice);
      const task = await fx.createTask({
        resourceIds: [fx.alice.resourceId],
        timing: { allDay: true, startDate: '2026-03-30', endDate: '2026-03-31' },
        reminder: before(60),
      });
      const due = Date.parse('2026-03-29T21:00:00Z');
      expect((await storedDue(fx, task.id))?.due_at).toBe(due);
      await fx.advance(due - fx.clock.now());
      expect(page.messages.at(-1)).toMatchObject({
        type: 'reminder',
        reminder: { allDay: true, start: '2026-03-30', end: '2026-03-31' },
      });
    });

    it('shows a private task only to the users of its own resources', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const alicePage = await fx.device(fx.alice);
      const bobPage = await fx.device(fx.bob);
      const adminPage = await fx.device(fx.admin);
      const shared = await fx.ordo.users.create({
        login: 'alice-tablet',
        password: 'correct horse',
        resourceId: fx.alice.resourceId,
      });
      const tabletPage = await fx.device({
        actor: (await fx.ordo.users.actorFor(shared)) as Fixture['alice']['actor'],
        resourceId: fx.alice.resourceId,
      });
      await fx.createTask({ resourceIds: [fx.alice.resourceId], private: true, label: 'Médecin' });
      await fx.advance(2 * HOUR);
      expect(alicePage.raised()).toHaveLength(1);
      expect(tabletPage.raised()).toHaveLength(1);
      expect(bobPage.raised()).toEqual([]);
      expect(adminPage.raised()).toEqual([]);
    });

    it('holds dismiss and snooze across the devices of one user', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const phone = await fx.device(fx.alice);
      const desk = await fx.device(fx.alice);
      await fx.createTask({ resourceIds: [fx.alice.resourceId, fx.bob.resourceId] });
      const bobPage = await fx.device(fx.bob);
      await fx.advance(2 * HOUR);
      const [id] = phone.raised();
      expect(id).toBeDefined();
      expect(desk.raised()).toEqual([id]);
      expect(bobPage.raised()).toEqual([id]);
      await expect(
        fx.reminders.snooze({ actor: fx.admin.actor, id: id!, minutes: 5 }),
      ).rejects.toMatchObject({
        code: 'REMINDER_NOT_FOUND',
      });

      await fx.reminders.snooze({ actor: fx.alice.actor, id: id!, minutes: 5 });
      await fx.advance(0);
      expect(phone.closed()).toEqual([id]);
      expect(desk.closed()).toEqual([id]);
      expect(bobPage.closed()).toEqual([]);
      expect(await fx.reminders.list(fx.alice.actor)).toEqual([]);
      expect(await fx.reminders.list(fx.bob.actor)).toHaveLength(1);

      await fx.advance(5 * MINUTE);
      expect(phone.raised()).toEqual([id, id]);
      expect(desk.raised()).toEqual([id, id]);
      expect(bobPage.raised()).toEqual([id]);
      expect(await fx.reminders.list(fx.alice.actor)).toHaveLength(1);

      await fx.reminders.dismiss({ actor: fx.alice.actor, id: id! });
      await fx.advance(0);
      expect(desk.closed()).toEqual([id, id]);
      expect(await fx.reminders.list(fx.alice.actor)).toEqual([]);
      const laterPage = await fx.device(fx.alice);
      expect(laterPage.messages).toEqual([{ type: 'snapshot', reminders: [] }]);
      expect(await fx.reminders.list(fx.bob.actor)).toHaveLength(1);
      const states = await fx.ordo.store.db
        .selectFrom('reminder_states')
        .select(['user_id', 'state'])
        .execute();
      expect(states).toContainEqual({ user_id: fx.alice.actor.user.id, state: 'dismissed' });
      expect(states).toContainEqual({ user_id: fx.bob.actor.user.id, state: 'delivered' });
    });

    it('raises a dismissed reminder again when its task moves to a new time', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      const page = await fx.device(fx.alice);
      const task = await fx.createTask({ resourceIds: [fx.alice.resourceId] });
      await fx.advance(2 * HOUR);
      const [first] = page.raised();
      await fx.reminders.dismiss({ actor: fx.alice.actor, id: first! });
      await fx.ordo.tasks.update({
        actor: SYSTEM,
        id: task.id,
        patch: {
          timing: { allDay: false, start: fx.clock.now() + HOUR, end: fx.clock.now() + 2 * HOUR },
        },
      });
      await fx.advance(45 * MINUTE);
      expect(page.raised()).toHaveLength(2);
      expect(page.raised()[1]).not.toBe(first);
      expect(await fx.reminders.list(fx.alice.actor)).toHaveLength(1);
    });

    it('shows at the next page load a reminder raised while no page was open', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      await fx.createTask({ resourceIds: [fx.alice.resourceId], label: 'Livraison' });
      await fx.advance(3 * HOUR);
      const page = await fx.device(fx.alice);
      expect(page.messages).toMatchObject([
        { type: 'snapshot', reminders: [{ label: 'Livraison' }] },
      ]);
    });

    it('keeps one timer, armed for the earliest reminder and re-read at least every 30 s', async (ctx) => {
      const fx = await open();
      if (!fx) return ctx.skip();
      await fx.advance(0);
      expect(fx.timers.deadlines()).toEqual([T0 + 30_000]);
      await fx.createTask({ resourceIds: [fx.alice.resourceId] });
      expect(fx.timers.size).toBe(1);
      // Later than the safety re-read: the timer stays.
      expect(fx.timers.deadlines()).toEqual([T0 + 30_000]);
      await fx.advance(30_000);
      expect(fx.timers.deadlines()).toEqual([T0 + 60_000]);
      await fx.createTask({
        resourceIds: [fx.alice.resourceId],
        timing: {
          start: new Date(T0 + 40_000 + 60 * MINUTE).toISOString(),
          end: new Date(T0 + 2 * HOUR).toISOString(),
        },
        reminder: { kind: 'before', minutes: 60 },
      });
      expect(fx.timers.deadlines()).toEqual([T0 + 40_000]);
      await fx.advance(10_000);
      expect(fx.reminders.scheduler.raisedCount).toBe(1);
      expect(fx.timers.size).toBe(1);
    });
  });
}
