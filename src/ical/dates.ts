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

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z?)$/;
// A DATE, also as ical.js renders a date written without VALUE=DATE (`2024-01-01T::`).
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T::)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isValidDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function parseDateValue(value: string): CalendarDate | null {
  const match = DATE.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isValidDate(year, month, day) ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/** A DATE-TIME value: its wall-clock time and whether it is UTC (`Z`). */
export function parseDateTimeValue(value: string): { local: LocalDateTime; utc: boolean } | null {
  const match = DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isValidDate(year, month, day) || hour > 23 || minute > 59 || second > 60) return null;
  // A leap second (60) is read as the last second of the minute: epoch time has none.
  const local = { year, month, day, hour, minute, second: Math.min(second, 59) };
  return { local, utc: match[7] === 'Z' };
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
