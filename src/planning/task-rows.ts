/** Conversions between task rows and domain tasks. */
import type { Insertable, Selectable } from 'kysely';
import type { TasksTable } from '../store/schema.js';
import { instantsOf } from './time.js';
import type { Reminder, Task, TaskTiming } from './types.js';

/** Tasks longer than this are found through their own index by range queries. */
export const LONG_SPAN_MS = 7 * 24 * 3600 * 1000;

/** The columns a task is read from (all but the bookkeeping ones). */
export type TaskRow = Omit<Selectable<TasksTable>, 'long_span' | 'created_by'>;

export function taskFromRow(row: TaskRow): Task {
  return {
    id: row.id,
    uid: row.uid,
    label: row.label,
    timing: timingFromRow(row),
    resourceIds: JSON.parse(row.resource_ids) as string[],
    clientId: row.client_id,
    remark: row.remark,
    location: row.location,
    category: row.category,
    reminder: reminderFromRow(row),
    private: row.private === 1,
    periodicTaskId: row.periodic_task_id,
    detachedFromPeriodicTaskId: row.detached_from_periodic_task_id,
    sequence: row.sequence,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
}

function timingFromRow(row: TaskRow): TaskTiming {
  if (row.all_day === 1 && row.start_date && row.end_date) {
    return { allDay: true, startDate: row.start_date, endDate: row.end_date };
  }
  return { allDay: false, start: row.start_at, end: row.end_at };
}

function reminderFromRow(row: TaskRow): Reminder {
  if (row.reminder_kind === 'before' && row.reminder_minutes !== null) {
    return { kind: 'before', minutes: row.reminder_minutes };
  }
  if (row.reminder_kind === 'at' && row.reminder_at !== null) {
    return { kind: 'at', at: row.reminder_at };
  }
  return { kind: 'none' };
}

export function taskToRow(
  task: Task,
  options: { timeZone: string; createdBy: string | null },
): Insertable<TasksTable> {
  const { start, end } = instantsOf(task.timing, options.timeZone);
  const reminder = task.reminder;
  return {
    id: task.id,
    uid: task.uid,
    label: task.label,
    all_day: task.timing.allDay ? 1 : 0,
    start_at: start,
    end_at: end,
    start_date: task.timing.allDay ? task.timing.startDate : null,
    end_date: task.timing.allDay ? task.timing.endDate : null,
    long_span: end - start > LONG_SPAN_MS ? 1 : 0,
    resource_ids: JSON.stringify(task.resourceIds),
    client_id: task.clientId,
    remark: task.remark,
    location: task.location,
    category: task.category,
    reminder_kind: reminder.kind,
    reminder_minutes: reminder.kind === 'before' ? reminder.minutes : null,
    reminder_at: reminder.kind === 'at' ? reminder.at : null,
    private: task.private ? 1 : 0,
    periodic_task_id: task.periodicTaskId,
    detached_from_periodic_task_id: task.detachedFromPeriodicTaskId,
    sequence: task.sequence,
    created_by: options.createdBy,
    created_at: task.createdAt,
    modified_at: task.modifiedAt,
  };
}
