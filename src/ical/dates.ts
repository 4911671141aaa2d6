/**
 * Reading iCalendar DATE, DATE-TIME and DURATION values (RFC 5545 3.3.4-3.3.6) into instants
 * and calendar dates. ical.js hands values over in jCal form (`2024-02-15T09:00:00Z`)
 * without checking them, so every value is checked here.
 */
import type { CalendarDate } from '../planning/types.js';
import { localAsUtc, localToInstant, type LocalDateTime, type ZoneRules } from './zones.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export const UTC: ZoneRules = { name: 'UTC', offsetAt: () => 0 };

/** A DATE, or a DATE-TIME with the zone it was read in (needed for nominal durations). */
export type Moment =
  | { kind: 'date'; date: CalendarDate }
  | { kind: 'instant'; instant: number; local: LocalDateTime; zone: ZoneRules };

/** A DURATION: whole days (nominal, RFC 5545 3.3.6) and an exact time part, both signed. */
export interface Duration {
  days: number;
  ms: number;
}

/**
 * Days in a month, as `Date.UTC` counts them: it reads the years 0 to 99 as 1900 to 1999, so
 * February 0000 has 28 days here, as it always had in this module.
 */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  const full = year <= 99 ? year + 1900 : year;
  return (full % 4 === 0 && full % 100 !== 0) || full % 400 === 0 ? 29 : 28;
}

function isValidDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The number written with `count` ASCII digits at `at`; -1 when one is not a digit. */
function digitsAt(value: string, at: number, count: number): number {
  let number = 0;
  for (let i = at; i < at + count; i += 1) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

/** `YYYY-MM-DD`, the calendar part of jCal's DATE and DATE-TIME; -1s when it is not that. */
function datePart(value: string): [number, number, number] {
  if (value[4] !== '-' || value[7] !== '-') return [-1, -1, -1];
  return [digitsAt(value, 0, 4), digitsAt(value, 5, 2), digitsAt(value, 8, 2)];
}

/**
 * A DATE value (`2024-01-01`), also as ical.js renders a date written without VALUE=DATE
 * (`2024-01-01T::`).
 */
export function parseDateValue(value: string): CalendarDate | null {
  if (value.length !== 10 && !(value.length === 13 && value.endsWith('T::'))) return null;
  const [year, month, day] = datePart(value);
  if (year < 0 || month < 0 || day < 0) return null;
  return isValidDate(year, month, day) ? value.slice(0, 10) : null;
}

/** A DATE-TIME value: its wall-clock time and whether it is UTC (`Z`). */
export function parseDateTimeValue(value: string): { local: LocalDateTime; utc: boolean } | null {
  const utc = value.length === 20 && value[19] === 'Z';
  if (value.length !== 19 && !utc) return null;
  if (value[10] !== 'T' || value[13] !== ':' || value[16] !== ':') return null;
  const [year, month, day] = datePart(value);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  const second = digitsAt(value, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  if (!isValidDate(year, month, day) || hour > 23 || minute > 59 || second > 60) return null;
  // A leap second (60) is read as the last second of the minute: epoch time has none.
  const local = { year, month, day, hour, minute, second: Math.min(second, 59) };
  return { local, utc };
}

/** An instant as a moment in a zone. */
export function momentAt(local: LocalDateTime, zone: ZoneRules): Moment {
  const instant = zone === UTC ? localAsUtc(local) : localToInstant(local, zone);
  return { kind: 'instant', instant, local, zone };
}

const DURATION = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function parseDuration(value: string): Duration | null {
  const match = DURATION.exec(value.trim());
  if (!match || value.trim().replace(/^[+-]/, '') === 'P') return null;
  const [weeks, days, hours, minutes, seconds] = match.slice(2).map((part) => Number(part ?? 0));
  const sign = match[1] === '-' ? -1 : 1;
  return {
    days: sign * (weeks! * 7 + days!),
    ms: sign * ((hours! * 60 + minutes!) * MINUTE + seconds! * 1000),
  };
}

/** Duration in exact milliseconds, a day counted as 24 hours. */
export function exactMs(duration: Duration): number {
  return duration.days * DAY + duration.ms;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/**
 * A moment plus a duration: days are nominal (same wall-clock time, so 23 or 25 hours across
 * a DST change), the time part is exact (RFC 5545 3.3.6). `null` when a DATE would get a
 * time part.
 */
export function addDuration(moment: Moment, duration: Duration): Moment | null {
  if (moment.kind === 'date') {
    return duration.ms === 0 ? { kind: 'date', date: addDays(moment.date, duration.days) } : null;
  }
  const shifted =
    duration.days === 0
      ? moment
      : momentAt(shiftLocalDays(moment.local, duration.days), moment.zone);
  if (shifted.kind !== 'instant') return null;
  const instant = shifted.instant + duration.ms;
  return { kind: 'instant', instant, local: localOf(instant, moment.zone), zone: moment.zone };
}

function localOf(instant: number, zone: ZoneRules): LocalDateTime {
  const wall = new Date(instant + zone.offsetAt(instant) * MINUTE);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

function shiftLocalDays(local: LocalDateTime, days: number): LocalDateTime {
  const shifted = new Date(Date.UTC(local.year, local.month - 1, local.day + days));
  return {
    ...local,
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
}

/**
 * Midnight at the start of a calendar date in a zone: where an all-day item's alarms count from.
 */
export function startOfDate(date: CalendarDate, zone: ZoneRules): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return localToInstant({ year, month, day, hour: 0, minute: 0, second: 0 }, zone);
}
