/**
 * Dates and instants in the company's time zone, through Luxon (the IANA database), so that
 * days across daylight-saving changes have their real length.
 */
import { DateTime, IANAZone } from 'luxon';
import { OrdoError } from '../shared/errors.js';
import type { CalendarDate, TaskTiming } from './types.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(text: string): boolean {
  return DATE.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
}

/** The instant a calendar date starts in `zone` (local midnight, or the first instant after). */
export function startOfDate(date: CalendarDate, zone: string): number {
  return DateTime.fromISO(date, { zone }).startOf('day').toMillis();
}

/** The calendar date an instant falls on in `zone`. */
export function dateOf(instant: number, zone: string): CalendarDate {
  return DateTime.fromMillis(instant, { zone }).toISODate() as CalendarDate;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as CalendarDate;
}

export function assertTimeZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) {
    throw new OrdoError('TIMEZONE_UNKNOWN', { message: `Unknown time zone ${zone}` });
  }
}

/** The instants a timing covers in `zone`: what range queries and reminders use. */
export function instantsOf(timing: TaskTiming, zone: string): { start: number; end: number } {
  if (!timing.allDay) return { start: timing.start, end: timing.end };
  return { start: startOfDate(timing.startDate, zone), end: startOfDate(timing.endDate, zone) };
}

export function assertTiming(timing: TaskTiming): void {
  const ok = timing.allDay
    ? isCalendarDate(timing.startDate) &&
      isCalendarDate(timing.endDate) &&
      timing.endDate > timing.startDate
    : Number.isFinite(timing.start) && Number.isFinite(timing.end) && timing.end >= timing.start;
  if (!ok) {
    throw new OrdoError('TASK_TIMING_INVALID', { details: { field: 'timing' } });
  }
}

/** An instant as ISO 8601 in UTC, as the API and the command line write it. */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}
