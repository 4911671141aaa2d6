/**
 * The SQL planning side's batch update, as the sync engine's pulls use it: every update in one
 * transaction, all stored or none, each through the task service (rights, hooks, validation);
 * and its "changed since" check against writes that commit late.
 */
import { expect, it } from 'vitest';

import type { Ordo } from '../app/ordo.js';
import { SYSTEM, type Actor } from '../planning/actor.js';
import { ManualClock } from '../shared/clock.js';
import { describeOnDialects } from '../test-support/dialects.js';
import { syncOf } from './capability.js';
import type { SyncFields } from './provider.js';
import { SqlPlanningSide } from './sql-planning-side.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const HOUR = 3_600_000;

function fields(i: number, label = `Visite ${i}`): SyncFields {
  const start = T0 + (24 + i) * HOUR;
  return {
    kind: 'event',
    uid: `item-${i}@calendar.example`,
    label,
    timing: { allDay: false, start, end: start + HOUR },
    remark: '',
    reminder: { kind: 'before', minutes: 15 },
    private: false,
    recurring: false,
  };
}

describeOnDialects('SQL planning side updates', ({ open }) => {
  let opened: { ordo: Ordo; clock: ManualClock } | null = null;

  async function side(): Promise<SqlPlanningSide | null> {
    const clock = new ManualClock(T0);
    const ordo = await open({ clock });
    opened = ordo ? { ordo, clock } : null;
    if (!ordo) return null;
    const resource = await ordo.directory.createResource({ name: 'Alice Martin' });
    const user = await ordo.users.create({
      login: 'alice',
      password: 'correct horse',
      resourceId: resource.id,
    });
    const account = await syncOf(ordo).accounts.ensure(user.id);
    const actor = (await ordo.users.actorFor(user)) as Extract<Actor, { kind: 'user' }>;
    return new SqlPlanningSide({ ordo, accountId: account.id, actor, carryReminders: true });
  }

  it('updates several tasks at once, in the order asked', async (ctx) => {
    const planning = await side();
    if (!planning) return ctx.skip();
    const created = await planning.createTasks([fields(0), fields(1), fields(2)]);
    const ids = created.map((task) => task.id);

    const updated = await planning.updateTasks([
      { taskId: ids[2]!, fields: fields(2, 'Visite 2, déplacée') },
      { taskId: ids[0]!, fields: { ...fields(0, 'Visite 0, annulée'), reminder: null } },
    ]);
    expect(updated.map((task) => [task.id, task.fields.label])).toEqual([
      [ids[2], 'Visite 2, déplacée'],
      [ids[0], 'Visite 0, annulée'],
    ]);
    // `reminder: null` keeps the task's own reminder.
    expect(updated[1]?.fields.reminder).toEqual({ kind: 'before', minutes: 15 });
    const found = await planning.lookupTasks(ids);
    const labels = ids.map((id) => {
      const task = found.get(id);
      return task && 'fields' in task ? task.fields.label : null;
    });
    expect(labels).toEqual(['Visite 0, annulée', 'Visite 1', 'Visite 2, déplacée']);
  });

  it('stores none of a batch when one update is refused', async (ctx) => {
    const planning = await side();
    if (!planning) return ctx.skip();
    const created = await planning.createTasks([fields(0), fields(1)]);
    const ids = created.map((task) => task.id);

    const backwards = { ...fields(1, 'Visite 1, à l’envers') };
    backwards.timing = { allDay: false, start: T0 + 5 * HOUR, end: T0 + 4 * HOUR };
    await expect(
      planning.updateTasks([
        { taskId: ids[0]!, fields: fields(0, 'Visite 0, déplacée') },
        { taskId: ids[1]!, fields: backwards },
      ]),
    ).rejects.toMatchObject({ code: 'TASK_TIMING_INVALID' });
    await expect(
      planning.updateTasks([
        { taskId: ids[0]!, fields: fields(0, 'Visite 0, déplacée') },
        { taskId: 'no-such-task', fields: fields(1) },
      ]),
    ).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });

    const found = await planning.lookupTasks(ids);
    const labels = ids.map((id) => {
      const task = found.get(id);
      return task && 'fields' in task ? task.fields.label : null;
    });
    expect(labels).toEqual(['Visite 0', 'Visite 1']);
  });

  it('counts a write stamped before a mark but committed after it (PostgreSQL)', async (ctx) => {
    const planning = await side();
    if (!planning || !opened) return ctx.skip();
    const { ordo, clock } = opened;
    if (ordo.store.dialect === 'sqlite') {
      // One connection: a check waits for any open write, which stamps inside it.
      expect(await planning.snapshot()).toBeNull();
      return;
    }
    const [task] = await planning.createTasks([fields(0)]);
    clock.advance(1000);

    // A planner's edit, stamped now, whose transaction commits only after the run's check.
    let commit = () => {};
    let stamped = () => {};
    const written = new Promise<void>((resolve) => (stamped = resolve));
    const editing = ordo.store.db.transaction().execute(async (trx) => {
      await ordo.tasks.update({ actor: SYSTEM, id: task!.id, patch: { label: 'Moved' }, trx });
      stamped();
      await new Promise<void>((resolve) => (commit = resolve));
    });
    await written;
    clock.advance(1000);
    const snapshot = await planning.snapshot();
    const settledAt = clock.now();
    expect(await planning.changedSince(settledAt, undefined, snapshot)).toBe(false);
    commit();
    await editing;

    // By its stamp alone the edit predates the mark: only the snapshot tells it came later.
    expect(await planning.changedSince(settledAt)).toBe(false);
    expect(await planning.changedSince(settledAt, undefined, snapshot)).toBe(true);
    // A mark taken once it committed no longer counts it.
    clock.advance(1000);
    const later = await planning.snapshot();
    // The run then saves its cursor on the account row: no change of the planning.
    await ordo.store.db
      .updateTable('sync_accounts')
      .set({ sync_cursor: 'after the run' })
      .execute();
    expect(await planning.changedSince(clock.now(), undefined, later)).toBe(false);
  });
});
