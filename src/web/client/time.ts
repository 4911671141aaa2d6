/**
 * Dates and times in the company's time zone, whatever the browser's own zone is: the
 * planning's days are the company's days. Calendar dates are `YYYY-MM-DD` strings; instants
 * travel as ISO 8601 strings. Luxon does the zone arithmetic (daylight-saving days have 23
 * or 25 hours); Intl.DateTimeFormat writes what the user reads.
 */
import { DateTime } from 'luxon';
import { locale } from './i18n.js';

export type CalendarDate = string;

export function today(zone: string): CalendarDate {
  return DateTime.now().setZone(zone).toISODate() ?? '1970-01-01';
}

function date(value: CalendarDate): DateTime {
  return DateTime.fromISO(value, { zone: 'UTC' });
}

export function addDays(value: CalendarDate, days: number): CalendarDate {
  return date(value).plus({ days }).toISODate() ?? value;
}

export function addMonths(value: CalendarDate, months: number): CalendarDate {
  return date(value).plus({ months }).toISODate() ?? value;
}

export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round(date(to).diff(date(from), 'days').days);
}

export function startOfWeek(value: CalendarDate): CalendarDate {
  return date(value).startOf('week').toISODate() ?? value;
}

export function startOfMonth(value: CalendarDate): CalendarDate {
  return date(value).startOf('month').toISODate() ?? value;
}

export function daysInMonth(value: CalendarDate): number {
  return date(value).daysInMonth ?? 30;
}

export function isoWeekNumber(value: CalendarDate): number {
  return date(value).weekNumber;
}

export function isWeekend(value: CalendarDate): boolean {
  return date(value).weekday >= 6;
}

/** The instant a company day starts, as an ISO string with offset. */
export function dayStart(value: CalendarDate, zone: string): string {
  return DateTime.fromISO(value, { zone }).startOf('day').toISO() ?? value;
}

/** Where an instant falls in the company's calendar: its date and minutes since midnight. */
export function zonedParts(instant: string, zone: string): { date: CalendarDate; minutes: number } {
  const dt = DateTime.fromISO(instant, { zone });
  return { date: dt.toISODate() ?? '', minutes: dt.hour * 60 + dt.minute };
}

/** The date and `HH:mm` of an instant in the zone, for date and time inputs. */
export function toInputs(instant: string, zone: string): { date: CalendarDate; time: string } {
  const dt = DateTime.fromISO(instant, { zone });
  return { date: dt.toISODate() ?? '', time: dt.toFormat('HH:mm') };
}

/** A date and `HH:mm` in the zone, as an ISO instant with the zone's offset; null if invalid. */
export function fromInputs(value: CalendarDate, time: string, zone: string): string | null {
  const dt = DateTime.fromISO(`${value}T${time || '00:00'}`, { zone });
  return dt.isValid ? dt.toISO() : null;
}

/** The same wall-clock time `days` later in the zone (keeps 09:00 across a DST change). */
export function shiftInstant(instant: string, days: number, zone: string): string {
  return DateTime.fromISO(instant, { zone }).plus({ days }).toISO() ?? instant;
}

/** Formatters are costly to build and a month of planning formats thousands of times. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale()}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale(), options);
    formatters.set(key, found);
  }
  return found;
}

export function formatTime(instant: string, zone: string): string {
  return formatter({ timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(
    new Date(instant),
  );
}

export function formatDateTime(instant: string, zone: string): string {
  return formatter({ timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(instant),
  );
}

/** A calendar date as words; formatted in UTC because the string names no instant. */
export function formatDate(
  value: CalendarDate,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' },
): string {
  return formatter({ ...options, timeZone: 'UTC' }).format(new Date(`${value}T12:00:00Z`));
}
