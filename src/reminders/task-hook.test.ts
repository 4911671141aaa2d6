/**
 * The reminder hook given several changes at once leaves the reminders, the cancellations it
 * announces and the due times it tells the scheduler as the same changes given one at a time
 * would, the same task coming twice and deletions included.
 */
import { expect, it } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { SYSTEM } from '../planning/actor.js';
import type { TaskChange } from '../planning/tasks.js';
import type { Reminder, Task } from '../planning/types.js';
import { ManualClock } from '../shared/clock.js';
import { describeOnDialects } from '../test-support/dialects.js';
import type { ReminderBus, ReminderEvent } from './bus.js';
import { ReminderStore } from './reminder-store.js';
import { startReminders } from './reminders.js';
import { createReminderHook } from './task-hook.js';
import { HOUR, MINUTE, T0, taskInput } from './test-fixture.js';

/** What one way of running the hook left: rows by task label, events and due times told. */
interface Outcome {
  reminders: { task: string; dueAt: number }[];
  closed: string[];
  scheduled: number[];
}

describeOnDialects('reminder hook with batches', ({ open }) => {
  /** Runs `changes` through a hook of its own, in `batches`, then undoes what it wrote. */
  async function run(
    o: Ordo,
    changes: Omit<TaskChange, 'trx'>[],
    batches: number[][],
  ): Promise<Outcome> {
    const events: ReminderEvent[] = [];
    const bus: ReminderBus = {
      publish: async (event) => void events.push(event),
      subscribe: () => () => {},
      start: async () => {},
      close: async () => {},
    };
    const scheduled: number[] = [];
    const store = new ReminderStore({ db: o.store.db, dialect: o.store.dialect });
    const hook = createReminderHook({
      store,
      bus,
      clock: o.clock,
      secrets: o.secrets,
      onScheduled: (dueAt) => scheduled.push(dueAt),
    });
    let outcome: Outcome | undefined;
    const rollback = new Error('rollback');
    await o.store.db
      .transaction()
      .execute(async (trx) => {
        const before = await trx.selectFrom('reminders').select(['id', 'task_id']).execute();
        const labels = new Map(
          (await trx.selectFrom('tasks').select(['id', 'label']).execute()).map((t) => [
            t.id,
            t.label,
          ]),
        );
        for (const batch of batches) await hook(batch.map((i) => ({ ...changes[i]!, trx })));
        const rows = await trx.selectFrom('reminders').select(['task_id', 'due_at']).execute();
        const ownerOf = new Map(before.map((r) => [r.id, labels.get(r.task_id) ?? '']));
        outcome = {
          reminders: rows
            .map((r) => ({ task: labels.get(r.task_id) ?? '', dueAt: Number(r.due_at) }))
            .sort((a, b) => a.task.localeCompare(b.task)),
          closed: events.map((e) =>
            e.kind === 'closed' ? (ownerOf.get(e.reminderId) ?? 'new') : e.kind,
          ),
          scheduled: [...scheduled].sort((x, y) => x - y),
        };
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    return outcome as Outcome;
  }

  it('leaves what the changes one at a time leave', async (ctx) => {
    const ordo = await open({ clock: new ManualClock(T0) });
    if (!ordo) return ctx.skip();
    await startReminders(ordo, { scheduler: false });
    const create = async (label: string, reminder: Reminder) =>
      ordo.tasks.create({ actor: SYSTEM, input: taskInput({ label, reminder }) });
    const a = await create('A', { kind: 'before', minutes: 15 });
    const b = await create('B', { kind: 'before', minutes: 30 });
    const c = await create('C', { kind: 'none' });
    const d = await create('D', { kind: 'before', minutes: 60 });
    const withReminder = (task: Task, reminder: Reminder): Task => ({ ...task, reminder });
    const change = (type: TaskChange['type'], before: Task | null, after: Task | null) => ({
      type,
      before,
      after,
      actor: SYSTEM,
      origin: 'sync' as const,
    });
    const a2 = withReminder(a, { kind: 'before', minutes: 45 });
    const changes = [
      change('updated', a, a2),
      change('deleted', b, null),
      change('created', null, withReminder(c, { kind: 'before', minutes: 5 })),
      change('updated', a2, withReminder(a, { kind: 'at', at: T0 + HOUR })),
      change('updated', d, withReminder(d, { kind: 'before', minutes: 60 })),
      // Already past: the stored one is cancelled, none replaces it.
      change('updated', d, withReminder(d, { kind: 'at', at: T0 - MINUTE })),
    ];

    const oneByOne = await run(ordo, changes, [[0], [1], [2], [3], [4], [5]]);
    expect(oneByOne).toEqual({
      reminders: [
        { task: 'A', dueAt: T0 + HOUR },
        { task: 'C', dueAt: T0 + 2 * HOUR - 5 * MINUTE },
      ],
      closed: ['A', 'B', 'new', 'D'],
      scheduled: [T0 + HOUR, T0 + 2 * HOUR - 45 * MINUTE, T0 + 2 * HOUR - 5 * MINUTE],
    });
    expect(await run(ordo, changes, [[0, 1, 2, 3, 4, 5]])).toEqual(oneByOne);
    expect(await run(ordo, changes, [[0, 1], [2, 3, 4], [5]])).toEqual(oneByOne);
  });
});
