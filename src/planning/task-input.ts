/**
 * The shape of a task as clients send it, validated once at the edge and shared by the
 * HTTP API, the command line and the importers. Instants are ISO 8601 strings with an
 * offset; all-day tasks use dates with an exclusive end.
 */
import { z } from 'zod';
import { isCalendarDate } from './time.js';
import type { Reminder, TaskTiming } from './types.js';

const instant = z.iso
  .datetime({ offset: true, message: 'an ISO 8601 date-time with offset, e.g. 2026-03-02T08:00Z' })
  .transform((v) => Date.parse(v));

const date = z.string().refine(isCalendarDate, 'a date YYYY-MM-DD');

export const timingSchema = z
  .union([
    z.object({ allDay: z.literal(false).optional(), start: instant, end: instant }),
    z.object({ allDay: z.literal(true), startDate: date, endDate: date }),
  ])
  .transform((t): TaskTiming => {
    if ('startDate' in t) return { allDay: true, startDate: t.startDate, endDate: t.endDate };
    return { allDay: false, start: t.start, end: t.end };
  })
  .refine((t) => (t.allDay ? t.endDate > t.startDate : t.end >= t.start), {
    message: 'the end must come after the start (all-day end dates are exclusive)',
  });

// Discriminated by `kind`, so a wrong value is reported on its own field, not as "invalid".
export const reminderSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({
      kind: z.literal('before'),
      minutes: z
        .number()
        .int('a whole number of minutes before the start')
        .min(0, 'a whole number of minutes before the start')
        .max(60 * 24 * 365, 'at most one year before the start'),
    }),
    z.object({ kind: z.literal('at'), at: instant }),
  ])
  .transform((r) => r as Reminder);

/** CRLF and lone CR become LF: iCalendar and the planning's copies only know LF. */
const lineBreaksAsLf = (v: string) => v.replace(/\r\n?/g, '\n');

const text = (max: number) => z.string().max(max).transform(lineBreaksAsLf);

/** The task's fields without defaults: a patch must leave unnamed fields as they are. */
const taskFieldSchemas = {
  label: z.string().trim().min(1, 'a task needs a label').max(500).transform(lineBreaksAsLf),
  timing: timingSchema,
  // A resource named twice is booked once: a second row would show the task twice on it.
  resourceIds: z
    .array(z.string().min(1))
    .max(50)
    .transform((ids) => [...new Set(ids)]),
  clientId: z.string().min(1).nullable(),
  remark: text(20_000),
  location: text(500),
  category: text(100),
  reminder: reminderSchema,
  private: z.boolean(),
};

export const taskInputSchema = z.object({
  ...taskFieldSchemas,
  resourceIds: taskFieldSchemas.resourceIds.default([]),
  clientId: taskFieldSchemas.clientId.default(null),
  remark: taskFieldSchemas.remark.default(''),
  location: taskFieldSchemas.location.default(''),
  category: taskFieldSchemas.category.default(''),
  reminder: taskFieldSchemas.reminder.default({ kind: 'none' }),
  private: taskFieldSchemas.private.default(false),
});

export type TaskInput = z.output<typeof taskInputSchema>;

/**
 * Every field optional and none defaulted: zod 4 applies a default even inside `.partial()`,
 * which would silently reset the fields a patch does not name.
 */
export const taskPatchSchema = z.object(taskFieldSchemas).partial();
export type TaskPatch = z.output<typeof taskPatchSchema>;
