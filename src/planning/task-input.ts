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

export const reminderSchema = z
  .union([
    z.object({ kind: z.literal('none') }),
    z.object({
      kind: z.literal('before'),
      minutes: z
        .number()
        .int()
        .min(0)
        .max(60 * 24 * 365),
    }),
    z.object({ kind: z.literal('at'), at: instant }),
  ])
  .transform((r) => r as Reminder);

const text = (max: number) => z.string().max(max);

export const taskInputSchema = z.object({
  label: z.string().trim().min(1, 'a task needs a label').max(500),
  timing: timingSchema,
  resourceIds: z.array(z.string().min(1)).max(50).default([]),
  clientId: z.string().min(1).nullable().default(null),
  remark: text(20_000).default(''),
  location: text(500).default(''),
  category: text(100).default(''),
  reminder: reminderSchema.default({ kind: 'none' }),
  private: z.boolean().default(false),
});

export type TaskInput = z.output<typeof taskInputSchema>;

export const taskPatchSchema = taskInputSchema.partial();
export type TaskPatch = z.output<typeof taskPatchSchema>;
