/**
 * Keeps the stored reminder of a task in step with the task, inside the task's own
 * transaction: created, moved, its reminder changed, or deleted, whatever the change's
 * origin (the planning, an import, a calendar sync). The changes of one call (a calendar's
 * first import is thousands of tasks) are handled together: the settings read once, the
 * reminders read, removed and written a few statements at a time.
 */
import type { Transaction } from 'kysely';
import type { TaskBatchHook, TaskChange } from '../planning/tasks.js';
import type { Reminder } from '../planning/types.js';
import type { SecretBox } from '../security/secrets.js';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import { Settings } from '../settings/settings.js';
import type { Database } from '../store/schema.js';
import type { ReminderBus } from './bus.js';
import { dueAtOf } from './due-time.js';
import type { ReminderStore } from './reminder-store.js';

export interface ReminderHookOptions {
  store: ReminderStore;
  bus: ReminderBus;
  clock: Clock;
  secrets: SecretBox;
  /** Told the due time of every reminder stored, to wake up in time. */
  onScheduled: (dueAt: number) => void;
}

export function createReminderHook(options: ReminderHookOptions): TaskBatchHook {
  return async (changes) => {
    for (const run of distinctTaskRuns(changes)) await applyRun(options, run);
  };
}

/**
 * Handles changes that each concern another task, so that none depends on another's
 * writes: refusals first, then the deletions and the replacements, then what is told.
 */
async function applyRun(options: ReminderHookOptions, changes: readonly TaskChange[]) {
  const trx = (changes[0] as TaskChange).trx;
  // Read through the transaction: on SQLite it holds the only connection.
  const settings = new Settings(trx, options.secrets);
  await assertAllowed(settings, changes);

  const deleted = changes.flatMap((c) => (c.after ? [] : [c.before?.id ?? '']));
  const cancelledByDeletion = await options.store.deleteForTasks(trx, deleted);
  const { cancelled, scheduled } = await reschedule(options, trx, settings, changes);

  for (const dueAt of scheduled) options.onScheduled(dueAt);
  for (const change of changes) {
    const id = change.after
      ? cancelled.get(change.after.id)
      : cancelledByDeletion.get(change.before?.id ?? '');
    if (id) await options.bus.publish({ kind: 'closed', reminderId: id, userId: null }, trx);
  }
}

/** Replaces the reminders of the tasks created or changed; their cancelled ids and new times. */
async function reschedule(
  options: ReminderHookOptions,
  trx: Transaction<Database>,
  settings: Settings,
  changes: readonly TaskChange[],
): Promise<{ cancelled: Map<string, string>; scheduled: number[] }> {
  const changed = changes.flatMap((c) =>
    c.after ? [{ task: c.after, created: c.type === 'created' }] : [],
  );
  if (changed.length === 0) return { cancelled: new Map(), scheduled: [] };

  // TODO(when the company time zone can change on a live planning): all-day reminders keep
  // the due time computed with the zone of their last change; recompute them on a change.
  const zone = await settings.get('company.timeZone');
  const results = await options.store.replaceForTasks(trx, {
    items: changed.map(({ task, created }) => ({
      taskId: task.id,
      dueAt: dueAtOf(task.reminder, task.timing, zone),
      created,
    })),
    now: options.clock.now(),
  });
  const cancelled = new Map<string, string>();
  const scheduled: number[] = [];
  results.forEach((result, index) => {
    const taskId = changed[index]?.task.id ?? '';
    if (result.cancelledId) cancelled.set(taskId, result.cancelledId);
    if (result.scheduledAt !== null) scheduled.push(result.scheduledAt);
  });
  return { cancelled, scheduled };
}

/** The changes cut where a task comes again, so that each run names a task once. */
function distinctTaskRuns(changes: readonly TaskChange[]): TaskChange[][] {
  const runs: TaskChange[][] = [];
  let run: TaskChange[] = [];
  let seen = new Set<string>();
  for (const change of changes) {
    const id = change.after?.id ?? change.before?.id ?? '';
    if (seen.has(id)) {
      runs.push(run);
      run = [];
      seen = new Set();
    }
    seen.add(id);
    run.push(change);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function reminderChanged(change: TaskChange): boolean {
  return JSON.stringify(change.before?.reminder) !== JSON.stringify(change.after?.reminder);
}

/** A reminder at a date is offered only when the company turned the option on. */
async function assertAllowed(settings: Settings, changes: readonly TaskChange[]): Promise<void> {
  let allowed: boolean | undefined;
  for (const change of changes) {
    const reminder: Reminder | undefined = change.after?.reminder;
    if (change.origin !== 'planning' || !reminderChanged(change) || reminder?.kind !== 'at')
      continue;
    allowed ??= await settings.get('task.reminderByDate');
    if (!allowed) throw new OrdoError('REMINDER_BY_DATE_OFF', { details: { field: 'reminder' } });
  }
}
