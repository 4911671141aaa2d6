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

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: from then on toISOString writes six-digit years. */
const YEAR_10000 = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** `YYYY-MM-DDT` by day since the epoch; bounded, as a long-running server sees many days. */
const datePrefixes = new Map<number, string>();

/**
 * An instant as ISO 8601 in UTC, as the API and the command line write it: the text of
 * `Date#toISOString`, built without a Date for the instants a planning holds, since a
 * month's answer writes three per task.
 */
export function isoInstant(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = datePrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (datePrefixes.size >= 4096) datePrefixes.clear();
    datePrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
}
