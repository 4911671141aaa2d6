/**
 * Creating or changing tasks as a batch (`createMany`, `updateMany`, and the calendar sync's
 * `createTasks` on top of them) stores exactly what doing the same one task at a time stores,
 * with every capability's hook installed: reminders, task e-mails and invitations, sync marks.
 * A refused item stores nothing, and the batch fails with the error the one-at-a-time loop
 * met first.
 */
import type { Transaction } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { configureSmtp } from '../mail/outbox-fixture.js';
import { startReminders } from '../reminders/reminders.js';
import { ManualClock } from '../shared/clock.js';
import { syncOf } from '../sync/capability.js';
import type { SyncFields } from '../sync/provider.js';
import { SqlPlanningSide } from '../sync/sql-planning-side.js';
import { createTestOrdo, postgresAvailable, type TestDialect } from '../test-support/ordo.js';
import type { Actor } from './actor.js';
import type { UserInput } from './users.js';
import type { TaskInput } from './task-input.js';
import type { Database, Db } from '../store/schema.js';
import type { TaskChange, TaskUpdate } from './tasks.js';
import type { Reminder, TaskTiming } from './types.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const HOUR = 3_600_000;
/** More tasks than one multi-row INSERT takes (16,000 parameters / 24 columns = 666 rows). */
const MANY = 700;

type UserActor = Extract<Actor, { kind: 'user' }>;

interface Planning {
  ordo: Ordo;
  planner: UserActor;
  alice: UserActor;
  /** May write everywhere but in the garage, the van's department. */
  clerk: UserActor;
  zoe: string;
  van: string;
  client: string;
  accountId: string;
}

/** Task `i` of a varied set: resources, client, all-day (a daylight-saving day), reminders. */
function timingOf(i: number): TaskTiming {
  if (i % 9 === 4) return { allDay: true, startDate: '2026-03-29', endDate: '2026-03-30' };
  const start = T0 + (i + 1) * 5 * HOUR;
  return { allDay: false, start, end: start + HOUR + (i % 3) * 900_000 };
}

function reminderOf(i: number): Reminder {
  const timing = timingOf(i);
  const start = timing.allDay ? T0 + 30 * 24 * HOUR : timing.start;
  const reminders: Reminder[] = [
    { kind: 'none' },
    { kind: 'before', minutes: 15 },
    { kind: 'at', at: start - 30 * 60_000 },
    // Already past when the task is created: not stored.
    { kind: 'before', minutes: 60 * 24 * 365 },
    { kind: 'before', minutes: 1440 },
  ];
  return reminders[i % reminders.length] as Reminder;
}

function inputOf(p: Planning, i: number): TaskInput {
  const resources = [[], [p.zoe], [p.zoe, p.van], [p.van]][i % 4] as string[];
  return {
    label: `Pose ${i % 7}`,
    timing: timingOf(i),
    resourceIds: resources,
    clientId: i % 3 === 0 ? p.client : null,
    remark: i % 2 === 0 ? `Étage ${i}` : '',
    location: i % 4 === 1 ? '12 rue des Lilas, Lyon' : '',
    category: i % 5 === 0 ? 'Chantier' : '',
    reminder: reminderOf(i),
    private: i % 6 === 0,
  };
}

function fieldsOf(i: number): SyncFields {
  const reminder = reminderOf(i);
  return {
    kind: i % 7 === 0 ? 'todo' : 'event',
    uid: `event-${i}@calendar.example`,
    label: `Rendez-vous ${i % 11}`,
    timing: timingOf(i),
    remark: i % 2 === 0 ? `Client ${i % 97}: prévoir le matériel` : '',
    reminder: reminder.kind === 'at' ? { kind: 'none' } : reminder,
    private: i % 5 === 0,
    recurring: false,
  };
}

/**
 * What the store holds about tasks, comparable across runs: each task id replaced by its UID,
 * random row ids left out, the random parts of a stored e-mail (Message-ID, MIME boundaries)
 * replaced by fixed words; rows sorted.
 */
async function snapshot(
  ordo: Ordo,
  executor: Db = ordo.store.db,
): Promise<Record<string, string[]>> {
  const db = executor;
  const tasks = await db.selectFrom('tasks').selectAll().execute();
  const uidOf = new Map(tasks.map((t) => [t.id, t.uid]));
  const task = (id: string | null) => (id === null ? null : (uidOf.get(id) ?? `unknown ${id}`));
  const sorted = (rows: object[]) => rows.map((row) => JSON.stringify(row)).sort();
  const outbox = await db.selectFrom('outbox').selectAll().execute();
  return {
    tasks: sorted(tasks.map((row) => ({ ...row, id: task(row.id) }))),
    taskResources: sorted(
      (await db.selectFrom('task_resources').selectAll().execute()).map((row) => ({
        ...row,
        task_id: task(row.task_id),
      })),
    ),
    reminders: sorted(
      (await db.selectFrom('reminders').selectAll().execute()).map(({ id: _id, ...row }) => ({
        ...row,
        task_id: task(row.task_id),
      })),
    ),
    outbox: sorted(
      outbox.map(({ id: _id, message_id, payload, ...row }) => ({
        ...row,
        task_id: task(row.task_id),
        payload: withoutRandomParts(payload, message_id),
      })),
    ),
    invitations: sorted(
      (await db.selectFrom('mail_invitations').selectAll().execute()).map((row) => ({
        ...row,
        task_id: task(row.task_id),
      })),
    ),
    marks: sorted(
      (await db.selectFrom('task_sync_marks').selectAll().execute()).map((row) => ({
        ...row,
        task_id: task(row.task_id),
      })),
    ),
  };
}

function withoutRandomParts(payload: string, messageId: string | null): string {
  let text = messageId ? payload.split(messageId).join('<message-id>') : payload;
  for (const [, boundary] of payload.matchAll(/boundary="?([^";\r\n]+)/g))
    text = text.split(boundary as string).join('<boundary>');
  return text;
}

/** Everything tasks left in the store, removed behind the planning's back: a fresh start. */
async function clearTasks(ordo: Ordo): Promise<void> {
  const db = ordo.store.db;
  await db.deleteFrom('outbox').execute();
  await db.deleteFrom('mail_invitations').execute();
  await db.deleteFrom('task_sync_marks').execute();
  await db.deleteFrom('reminder_states').execute();
  await db.deleteFrom('reminders').execute();
  await db.deleteFrom('task_resources').execute();
  await db.deleteFrom('tasks').execute();
}

async function counts(ordo: Ordo): Promise<Record<string, number>> {
  const db = ordo.store.db;
  const count = async (
    table: 'tasks' | 'task_resources' | 'reminders' | 'outbox' | 'task_sync_marks',
  ) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    tasks: await count('tasks'),
    taskResources: await count('task_resources'),
    reminders: await count('reminders'),
    outbox: await count('outbox'),
    marks: await count('task_sync_marks'),
  };
}

/**
 * The sizes of the batches hooks are given from now on: a set-wise attempt that failed and was
 * replayed one task at a time would show as more batches (the replay leaves the same rows).
 */
function batchSizes(ordo: Ordo): number[] {
  const sizes: number[] = [];
  ordo.tasks.onChanges(async (changes) => void sizes.push(changes.length));
  return sizes;
}

/** What `work` returns and leaves in the store, its transaction rolled back afterwards. */
async function rolledBack<T>(
  ordo: Ordo,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<{ result: T | Error; stored: Record<string, string[]> }> {
  const rollback = new Error('rollback');
  let outcome: { result: T | Error; stored: Record<string, string[]> } | undefined;
  await ordo.store.db
    .transaction()
    .execute(async (trx) => {
      let result: T | Error;
      try {
        result = await work(trx);
      } catch (error) {
        result = error as Error;
      }
      outcome = { result, stored: await snapshot(ordo, trx) };
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return outcome as { result: T | Error; stored: Record<string, string[]> };
}

for (const dialect of ['sqlite', 'postgres'] as TestDialect[]) {
  describe(`creating tasks as a batch on ${dialect}`, () => {
    let ordo: Ordo | undefined;
    let available = true;

    beforeAll(async () => {
      if (dialect === 'postgres') available = await postgresAvailable();
    });

    afterEach(async () => {
      await ordo?.close();
      ordo = undefined;
    });

    async function open(): Promise<Planning | null> {
      if (!available) return null;
      ordo = await createTestOrdo({ dialect, clock: new ManualClock(T0) });
      await startReminders(ordo, { scheduler: false });
      await ordo.settings.set('company.timeZone', 'Europe/Paris');
      await configureSmtp(ordo, { host: '127.0.0.1', port: 2525 });
      await ordo.settings.set('mail.from.address', 'planning@ordo.example');
      await ordo.settings.set('mail.onCreate', true);
      await ordo.settings.set('task.reminderByDate', true);
      const zoe = await ordo.directory.createResource({
        name: 'Zoë Müller',
        email: 'zoe@example.org',
      });
      const garage = await ordo.directory.createDepartment('Garage');
      const van = await ordo.directory.createResource({
        name: 'Camion 3',
        kind: 'material',
        departmentId: garage.id,
      });
      const client = await ordo.directory.createClient({
        name: 'Dupont & Fils',
        email: 'contact@dupont.example',
      });
      const actorOf = async (login: string, extra: Partial<UserInput>) =>
        (await ordo!.users.actorFor(
          await ordo!.users.create({ login, password: 'correct horse', ...extra }),
        )) as UserActor;
      const planner = await actorOf('planner', { isAdmin: true });
      const alice = await actorOf('alice', { resourceId: zoe.id });
      const clerk = await actorOf('clerk', {
        defaultAccess: 'write',
        departmentAccess: { [garage.id]: 'read' },
      });
      const account = await syncOf(ordo).accounts.ensure(alice.user.id);
      return {
        ordo,
        planner,
        alice,
        clerk,
        zoe: zoe.id,
        van: van.id,
        client: client.id,
        accountId: account.id,
      };
    }

    function syncSide(p: Planning): SqlPlanningSide {
      return new SqlPlanningSide({
        ordo: p.ordo,
        accountId: p.accountId,
        actor: p.alice,
        carryReminders: true,
      });
    }

    it('stores what one-at-a-time creation stores: reminders, mails, invitations', async (ctx) => {
      const p = await open();
      if (!p) return ctx.skip();
      const items = Array.from({ length: 40 }, (_, i) => ({
        id: `task-${i}`,
        ...(i % 2 === 1 ? { uid: `task-${i}@ordo.example` } : {}),
        input: inputOf(p, i),
      }));

      const sizes = batchSizes(p.ordo);
      const created = await p.ordo.tasks.createMany({ actor: p.planner, items });
      expect(sizes).toEqual([40]);
      const batch = await snapshot(p.ordo);
      await clearTasks(p.ordo);
      const one: typeof created = [];
      for (const item of items) one.push(await p.ordo.tasks.create({ actor: p.planner, ...item }));

      expect(created).toEqual(one);
      expect(batch).toEqual(await snapshot(p.ordo));
      expect(batch.reminders?.length).toBeGreaterThan(10);
      expect(batch.outbox?.length).toBeGreaterThan(10);
      expect(batch.invitations?.length).toBe(batch.outbox?.length);
    });

    it('stores what the sync side stores creating one at a time, marks too', async (ctx) => {
      const p = await open();
      if (!p) return ctx.skip();
      const fields = Array.from({ length: MANY }, (_, i) => fieldsOf(i));

      const sizes = batchSizes(p.ordo);
      const views = await syncSide(p).createTasks(fields);
      expect(sizes).toEqual([MANY]);
      const batch = await snapshot(p.ordo);
      await clearTasks(p.ordo);
      const one = [];
      for (const f of fields) one.push(await syncSide(p).createTask(f));

      const withoutIds = (list: typeof views) => list.map(({ id: _id, ...view }) => view);
      expect(withoutIds(views)).toEqual(withoutIds(one));
      expect(batch).toEqual(await snapshot(p.ordo));
      expect(batch.tasks).toHaveLength(MANY);
      expect(batch.marks).toHaveLength(MANY);
      expect(batch.reminders?.length).toBeGreaterThan(MANY / 4);
      // Calendar syncs create tasks in bulk: no e-mail for them.
      expect(batch.outbox).toEqual([]);
    });

    it('stores nothing when one item of a batch is refused', async (ctx) => {
      const p = await open();
      if (!p) return ctx.skip();
      const items = (bad: Partial<TaskInput>, at = 3) =>
        Array.from({ length: 6 }, (_, i) => ({
          input: { ...inputOf(p, i), ...(i === at ? bad : {}) },
        }));
      const empty = await counts(p.ordo);

      await expect(
        p.ordo.tasks.createMany({
          actor: p.planner,
          items: items({ resourceIds: [p.zoe, 'gone'] }),
        }),
      ).rejects.toMatchObject({
        code: 'RESOURCE_NOT_FOUND',
        details: { field: 'resourceIds', id: 'gone' },
      });
      await expect(
        p.ordo.tasks.createMany({ actor: p.planner, items: items({ clientId: 'gone' }) }),
      ).rejects.toMatchObject({ code: 'CLIENT_NOT_FOUND', details: { field: 'clientId' } });
      // The clerk may not write in the garage: the van's task is refused, the others not.
      const clerkItems = items({}).map(({ input }, i) => ({
        input: {
          ...input,
          resourceIds: i === 3 ? [p.van] : input.resourceIds.filter((id) => id !== p.van),
        },
      }));
      await expect(
        p.ordo.tasks.createMany({ actor: p.clerk, items: clerkItems }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      // Refused by a hook: reminders at a date are switched off.
      await p.ordo.settings.set('task.reminderByDate', false);
      await expect(
        p.ordo.tasks.createMany({
          actor: p.planner,
          items: items({ reminder: { kind: 'at', at: T0 + 10 * HOUR } }),
        }),
      ).rejects.toMatchObject({ code: 'REMINDER_BY_DATE_OFF' });
      expect(await counts(p.ordo)).toEqual(empty);

      const fields = Array.from({ length: 6 }, (_, i) => fieldsOf(i));
      fields[4] = { ...(fields[4] as SyncFields), timing: { allDay: false, start: 2, end: 1 } };
      await expect(syncSide(p).createTasks(fields)).rejects.toMatchObject({
        code: 'TASK_TIMING_INVALID',
      });
      expect(await counts(p.ordo)).toEqual(empty);
    });

    it('fails on the item the one-at-a-time loop refused first', async (ctx) => {
      const p = await open();
      if (!p) return ctx.skip();
      await p.ordo.settings.set('task.reminderByDate', false);
      const byDate = { reminder: { kind: 'at', at: T0 + 10 * HOUR } as Reminder };
      const noClient = { clientId: 'gone' };
      const batch = (...bad: Partial<TaskInput>[]) =>
        p.ordo.tasks.createMany({
          actor: p.planner,
          items: [{}, ...bad].map((over, i) => ({ input: { ...inputOf(p, 4 * i), ...over } })),
        });

      // The references of every item are read first, the hooks run later: the one-at-a-time
      // loop met the second item's hook before the third item's missing client.
      await expect(batch(byDate, noClient)).rejects.toMatchObject({
        code: 'REMINDER_BY_DATE_OFF',
      });
      await expect(batch(noClient, byDate)).rejects.toMatchObject({ code: 'CLIENT_NOT_FOUND' });
      expect((await counts(p.ordo)).tasks).toBe(0);

      // In a transaction the caller goes on with, what the loop had stored before the
      // refused item stays, as it did.
      await p.ordo.tasks.inTransaction(undefined, async (trx) => {
        await expect(
          p.ordo.tasks.createMany({
            actor: p.planner,
            trx,
            items: [{}, {}, noClient].map((over, i) => ({
              id: `kept-${i}`,
              input: { ...inputOf(p, 4 * i), ...over },
            })),
          }),
        ).rejects.toMatchObject({ code: 'CLIENT_NOT_FOUND' });
      });
      const kept = await p.ordo.store.db.selectFrom('tasks').select('id').execute();
      expect(kept.map((t) => t.id).sort()).toEqual(['kept-0', 'kept-1']);
    });

    it('gives a batch hook all changes at once, a per-change hook each in turn', async (ctx) => {
      const p = await open();
      if (!p) return ctx.skip();
      const calls: { hook: string; ids: string[]; trx: unknown }[] = [];
      const record = (hook: string, changes: readonly TaskChange[]) =>
        calls.push({
          hook,
          ids: changes.map((c) => c.after?.id ?? ''),
          trx: changes[0]?.trx,
        });
      p.ordo.tasks.onChange(async (change) => void record('one', [change]));
      p.ordo.tasks.onChanges(async (changes) => void record('batch', changes));

      const items = Array.from({ length: 3 }, (_, i) => ({ id: `t${i}`, input: inputOf(p, i) }));
      await p.ordo.tasks.createMany({ actor: p.planner, items });
      expect(calls.map(({ hook, ids }) => ({ hook, ids }))).toEqual([
        { hook: 'one', ids: ['t0'] },
        { hook: 'one', ids: ['t1'] },
        { hook: 'one', ids: ['t2'] },
        { hook: 'batch', ids: ['t0', 't1', 't2'] },
      ]);
      expect(new Set(calls.map((c) => c.trx)).size).toBe(1);

      // An empty batch still runs `prepare`, and gives the hooks nothing.
      calls.length = 0;
      let prepared = false;
      await p.ordo.tasks.createMany({
        actor: p.planner,
        items: [],
        prepare: async () => void (prepared = true),
      });
      expect(prepared).toBe(true);
      expect(calls).toEqual([]);

      // A refused batch is given to the hooks again one change at a time, up to the refusal.
      calls.length = 0;
      await expect(
        p.ordo.tasks.createMany({
          actor: p.planner,
          items: [0, 1, 2].map((i) => ({
            id: `u${i}`,
            input: { ...inputOf(p, i), ...(i === 1 ? { clientId: 'gone' } : {}) },
          })),
        }),
      ).rejects.toMatchObject({ code: 'CLIENT_NOT_FOUND' });
      expect(calls.map(({ hook, ids }) => ({ hook, ids }))).toEqual([
        { hook: 'one', ids: ['u0'] },
        { hook: 'batch', ids: ['u0'] },
      ]);
    });

    /** Tasks created by a planner with e-mail on creation: updates may send follow-ups. */
    async function planned(p: Planning, count: number) {
      return p.ordo.tasks.createMany({
        actor: p.planner,
        items: Array.from({ length: count }, (_, i) => ({ id: `task-${i}`, input: inputOf(p, i) })),
      });
    }

    /** Update `i` of a varied set: moved, renamed, other people, reminders, client, private. */
    function updateOf(p: Planning, i: number): TaskUpdate {
      const patches: TaskUpdate['patch'][] = [
        { timing: { allDay: false, start: T0 + (i + 50) * HOUR, end: T0 + (i + 51) * HOUR } },
        { label: `Renamed ${i}`, remark: 'Changed' },
        { resourceIds: i % 2 ? [p.van] : [p.van, p.zoe] },
        { reminder: { kind: 'before', minutes: 30 } },
        { reminder: { kind: 'none' }, private: true },
        { clientId: i % 2 ? null : p.client, location: 'Ailleurs' },
        { timing: { allDay: true, startDate: '2026-10-25', endDate: '2026-10-26' } },
      ];
      return { id: `task-${i}`, patch: patches[i % patches.length] as TaskUpdate['patch'] };
    }

    it('changes what one-at-a-time updates change: reminders, follow-ups', async (ctx) => {
      const p = await open();
      if (!p) return ctx.skip();
      await planned(p, 30);
      const updates = Array.from({ length: 24 }, (_, i) => updateOf(p, i + 3));

      const sizes = batchSizes(p.ordo);
      const batch = await rolledBack(p.ordo, (trx) =>
        p.ordo.tasks.updateMany({ actor: p.planner, updates, trx }),
      );
      expect(sizes).toEqual([24]);
      const one = await rolledBack(p.ordo, async (trx) => {
        const updated = [];
        for (const { id, patch } of updates)
          updated.push(await p.ordo.tasks.update({ actor: p.planner, id, patch, trx }));
        return updated;
      });

      expect(batch.result).toEqual(one.result);
      expect(batch.stored).toEqual(one.stored);
      const before = await snapshot(p.ordo);
      expect(batch.stored.tasks).not.toEqual(before.tasks);
      expect(batch.stored.outbox?.length).toBeGreaterThan(before.outbox?.length ?? 0);
    });

    it('changes a task named twice as two updates one after the other do', async (ctx) => {
      const p = await open();
      if (!p) return ctx.skip();
      await planned(p, 4);
      const updates = [updateOf(p, 1), updateOf(p, 2), { ...updateOf(p, 0), id: 'task-1' }];
      const batch = await rolledBack(p.ordo, (trx) =>
        p.ordo.tasks.updateMany({ actor: p.planner, updates, trx }),
      );
      const one = await rolledBack(p.ordo, async (trx) => {
        const updated = [];
        for (const { id, patch } of updates)
          updated.push(await p.ordo.tasks.update({ actor: p.planner, id, patch, trx }));
        return updated;
      });
      expect(batch).toEqual(one);
      expect((batch.result as { sequence: number }[]).map((t) => t.sequence)).toEqual([1, 0, 2]);
    });

    it('changes nothing when one update is refused, failing as one at a time', async (ctx) => {
      const p = await open();
      if (!p) return ctx.skip();
      await planned(p, 8);
      await p.ordo.settings.set('task.reminderByDate', false);
      const untouched = await snapshot(p.ordo);
      const byDate = { reminder: { kind: 'at', at: T0 + 10 * HOUR } as Reminder };
      const cases: { actor?: UserActor; bad: TaskUpdate[]; code: string }[] = [
        { bad: [{ id: 'gone', patch: { label: 'x' } }], code: 'TASK_NOT_FOUND' },
        { bad: [{ id: 'task-5', patch: { resourceIds: ['gone'] } }], code: 'RESOURCE_NOT_FOUND' },
        { bad: [{ id: 'task-5', patch: { clientId: 'gone' } }], code: 'CLIENT_NOT_FOUND' },
        {
          bad: [{ id: 'task-5', patch: { timing: { allDay: false, start: 2, end: 1 } } }],
          code: 'TASK_TIMING_INVALID',
        },
        { bad: [{ id: 'task-5', patch: byDate }], code: 'REMINDER_BY_DATE_OFF' },
        // The clerk may not write in the garage, where task 2 is (it has the van).
        { actor: p.clerk, bad: [{ id: 'task-2', patch: { label: 'x' } }], code: 'FORBIDDEN' },
        // The hook refusing the second update comes before the third's missing resource.
        {
          bad: [
            { id: 'task-4', patch: byDate },
            { id: 'task-5', patch: { resourceIds: ['gone'] } },
          ],
          code: 'REMINDER_BY_DATE_OFF',
        },
      ];
      for (const { actor = p.planner, bad, code } of cases) {
        const updates = [{ id: 'task-1', patch: { label: 'Changed' } }, ...bad, updateOf(p, 7)];
        await expect(p.ordo.tasks.updateMany({ actor, updates })).rejects.toMatchObject({ code });
        expect(await snapshot(p.ordo)).toEqual(untouched);

        // In a transaction the caller goes on with, the updates before the refused one stay.
        const batch = await rolledBack(p.ordo, (trx) =>
          p.ordo.tasks.updateMany({ actor, updates, trx }),
        );
        const one = await rolledBack(p.ordo, async (trx) => {
          for (const { id, patch } of updates) await p.ordo.tasks.update({ actor, id, patch, trx });
        });
        expect(batch.result).toMatchObject({ code });
        expect(batch.stored).toEqual(one.stored);
        expect(one.result).toMatchObject({ code });
      }
    });
  });
}
