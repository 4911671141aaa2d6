/**
 * When a task's reminder falls due. An offset counts exact minutes back from the start; an
 * all-day task starts at local midnight in the company's zone, found through the zone's
 * rules so the days around a daylight-saving change are right.
 */
import { instantsOf } from '../planning/time.js';
import type { Reminder, TaskTiming } from '../planning/types.js';

const MINUTE = 60_000;

/** The reminder offsets the task window offers, in minutes; any other count is accepted too. */
export const REMINDER_PRESETS = [5, 10, 15, 30, 60, 120, 1440, 2880] as const;

export function dueAtOf(reminder: Reminder, timing: TaskTiming, zone: string): number | null {
  if (reminder.kind === 'none') return null;
  if (reminder.kind === 'at') return reminder.at;
  return instantsOf(timing, zone).start - reminder.minutes * MINUTE;
}
