/**
 * Tasks as the API writes and reads them. The API's timing is flat (`allDay`, `start`,
 * `end`): instants in ISO 8601 for timed tasks, `YYYY-MM-DD` dates with an exclusive end
 * for all-day ones; the planning's is the `timing` union. The rest of a task's fields are
 * validated by the planning's own schema (planning/task-input.ts).
 */
import { z } from 'zod';
import { taskInputSchema, taskPatchSchema, type TaskInput } from '../planning/task-input.js';
import type { TaskView } from '../planning/tasks.js';
import { isCalendarDate, isoInstant, startOfDate } from '../planning/time.js';
import type { PeriodicTask, Reminder, Task, TaskTiming } from '../planning/types.js';
import { OrdoError } from '../shared/errors.js';

const instant = z.iso.datetime({ offset: true });

const flatTiming = {
  allDay: z.boolean().optional(),
  start: z.string().describe('ISO 8601 instant with offset, or YYYY-MM-DD when allDay'),
  end: z.string().describe('ISO 8601 instant with offset, or YYYY-MM-DD (exclusive) when allDay'),
};

const taskFields = taskInputSchema.omit({ timing: true });

export const taskBodySchema = taskFields.extend(flatTiming);
export const taskPatchBodySchema = taskPatchSchema.omit({ timing: true }).extend({
  allDay: flatTiming.allDay,
  start: flatTiming.start.optional(),
  end: flatTiming.end.optional(),
});

export type TaskBody = z.output<typeof taskBodySchema>;
export type TaskPatchBody = z.output<typeof taskPatchBodySchema>;

export interface FlatTiming {
  allDay?: boolean;
  start: string;
  end: string;
}

/** The planning's timing from the API's flat fields; VALIDATION naming `start` or `end`. */
export function timingFromFlat(flat: FlatTiming): TaskTiming {
  if (flat.allDay) {
    if (!isCalendarDate(flat.start)) throw invalid('start', 'a date YYYY-MM-DD');
    if (!isCalendarDate(flat.end)) throw invalid('end', 'a date YYYY-MM-DD');
    if (flat.end <= flat.start) {
      throw invalid('end', 'the end date must come after the start date (it is exclusive)');
    }
    return { allDay: true, startDate: flat.start, endDate: flat.end };
  }
  const example = 'an ISO 8601 date-time with offset, e.g. 2026-03-02T08:00:00Z';
  if (!instant.safeParse(flat.start).success) throw invalid('start', example);
  if (!instant.safeParse(flat.end).success) throw invalid('end', example);
  const start = Date.parse(flat.start);
  const end = Date.parse(flat.end);
  if (end < start) throw invalid('end', 'the end must come after the start');
  return { allDay: false, start, end };
}

export function taskInputFromBody(body: TaskBody): TaskInput {
  const { allDay, start, end, ...rest } = body;
  return { ...rest, timing: timingFromFlat({ allDay, start, end }) };
}

export function flatOf(timing: TaskTiming): Required<FlatTiming> {
  if (timing.allDay) return { allDay: true, start: timing.startDate, end: timing.endDate };
  return { allDay: false, start: isoInstant(timing.start), end: isoInstant(timing.end) };
}

/** An instant or a date of a query (`from`, `to`): dates start at midnight in `zone`. */
export function instantOfQuery(field: string, value: string, zone: string): number {
  if (isCalendarDate(value)) return startOfDate(value, zone);
  if (!instant.safeParse(value).success) {
    throw invalid(field, 'an ISO 8601 date-time with offset, or a date YYYY-MM-DD');
  }
  return Date.parse(value);
}

function reminderJson(reminder: Reminder) {
  if (reminder.kind === 'at') return { kind: 'at' as const, at: isoInstant(reminder.at) };
  return reminder;
}

type TemplateFields = Omit<PeriodicTask['template'], 'timing'> & { timing: TaskTiming };

function fieldsJson(task: TemplateFields) {
  return {
    label: task.label,
    ...flatOf(task.timing),
    resourceIds: task.resourceIds,
    clientId: task.clientId,
    remark: task.remark,
    location: task.location,
    category: task.category,
    reminder: reminderJson(task.reminder),
    private: task.private,
  };
}

/**
 * One object per task, built at once rather than from spreads of smaller ones: a month of a
 * busy planning is thousands of tasks in one answer. Same fields, in the same order, as
 * `fieldsJson` gives a periodic task's template.
 */
export function taskJson(task: TaskView | Task) {
  const { timing } = task;
  return {
    id: task.id,
    uid: task.uid,
    label: task.label,
    allDay: timing.allDay,
    start: timing.allDay ? timing.startDate : isoInstant(timing.start),
    end: timing.allDay ? timing.endDate : isoInstant(timing.end),
    resourceIds: task.resourceIds,
    clientId: task.clientId,
    remark: task.remark,
    location: task.location,
    category: task.category,
    reminder: reminderJson(task.reminder),
    private: task.private,
    masked: 'masked' in task ? task.masked : false,
    periodicTaskId: task.periodicTaskId,
    detachedFromPeriodicTaskId: task.detachedFromPeriodicTaskId,
    sequence: task.sequence,
    modifiedAt: isoInstant(task.modifiedAt),
  };
}

export function periodicTaskJson(periodic: PeriodicTask, masked: boolean) {
  const template = fieldsJson(periodic.template);
  const shown = masked
    ? { ...template, label: '', remark: '', location: '', category: '', clientId: null }
    : template;
  return {
    id: periodic.id,
    rule: periodic.rule,
    until: periodic.until,
    template: { ...shown, reminder: masked ? { kind: 'none' } : shown.reminder, masked },
  };
}

function invalid(field: string, message: string): OrdoError {
  return new OrdoError('VALIDATION', { message: `${field}: ${message}`, details: { field } });
}
