/**
 * Keeps the stored reminder of a task in step with the task, inside the task's own
 * transaction: created, moved, its reminder changed, or deleted, whatever the change's
 * origin (the planning, an import, a calendar sync).
 */
import type { TaskChange, TaskHook } from '../planning/tasks.js';
import type { Reminder } from '../planning/types.js';
import type { SecretBox } from '../security/secrets.js';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import { Settings } from '../settings/settings.js';
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

export function createReminderHook(options: ReminderHookOptions): TaskHook {
  return async (change) => {
    const cancelledId = change.after
      ? await reschedule(options, change)
      : await options.store.deleteForTask(change.trx, change.before?.id ?? '');
    if (cancelledId) {
      await options.bus.publish(
        { kind: 'closed', reminderId: cancelledId, userId: null },
        change.trx,
      );
    }
  };
}

async function reschedule(
  options: ReminderHookOptions,
  change: TaskChange,
): Promise<string | null> {
  const task = change.after;
  if (!task) return null;
  // Read through the transaction: on SQLite it holds the only connection.
  const settings = new Settings(change.trx, options.secrets);
  if (change.origin === 'planning' && reminderChanged(change))
    await assertAllowed(settings, task.reminder);

  // TODO(when the company time zone can change on a live planning): all-day reminders keep
  // the due time computed with the zone of their last change; recompute them on a change.
  const zone = await settings.get('company.timeZone');
  const { cancelledId, scheduledAt } = await options.store.replaceForTask(change.trx, {
    taskId: task.id,
    dueAt: dueAtOf(task.reminder, task.timing, zone),
    now: options.clock.now(),
  });
  if (scheduledAt !== null) options.onScheduled(scheduledAt);
  return cancelledId;
}

function reminderChanged(change: TaskChange): boolean {
  return JSON.stringify(change.before?.reminder) !== JSON.stringify(change.after?.reminder);
}

/** A reminder at a date is offered only when the company turned the option on. */
async function assertAllowed(settings: Settings, reminder: Reminder): Promise<void> {
  if (reminder.kind !== 'at') return;
  if (await settings.get('task.reminderByDate')) return;
  throw new OrdoError('REMINDER_BY_DATE_OFF', { details: { field: 'reminder' } });
}
