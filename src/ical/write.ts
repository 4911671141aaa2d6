/**
 * Writes Ordo's tasks as an iCalendar file (RFC 5545), for export, feeds and e-mail
 * invitations (RFC 5546 METHOD). The text is written here rather than through ical.js so
 * that folding and escaping are exact.
 *
 * Timed items are written in UTC: always exact, and every client shows them in its own
 * zone. All-day items are DATE values and never pass through a zone.
 */
import type { Reminder, TaskTiming } from '../planning/types.js';
import { OrdoError } from '../shared/errors.js';
import { escapeText, foldLine, formatParamValue } from './text.js';
import type { Person, WriteItem, WriteOptions } from './types.js';
import { ianaZone } from './zones.js';

export type { Person, WriteItem, WriteOptions } from './types.js';

const DEFAULT_PRODID = '-//Ordo//Ordo planning//EN';

type Params = [string, string][];

/**
 * The iCalendar text for `items`: CRLF line ends, lines folded at 75 octets.
 *
 * @throws OrdoError `TIMEZONE_UNKNOWN` for an unknown `timeZone`, `TASK_TIMING_INVALID`
 *   for an item that ends before it starts, `VALIDATION` for an invitation without an
 *   organizer.
 */
export function writeCalendar(options: WriteOptions): string {
  if (!ianaZone(options.timeZone)) {
    throw new OrdoError('TIMEZONE_UNKNOWN', { details: { timeZone: options.timeZone } });
  }
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    contentLine('PRODID', [], escapeText(options.prodId ?? DEFAULT_PRODID)),
    'CALSCALE:GREGORIAN',
    ...(options.method ? [`METHOD:${options.method}`] : []),
    contentLine('X-WR-TIMEZONE', [], escapeText(options.timeZone)),
    ...options.items.flatMap((item) => itemLines(item, options.method)),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

function contentLine(name: string, params: Params, value: string): string {
  const paramText = params.map(([key, paramValue]) => `;${key}=${formatParamValue(paramValue)}`);
  return `${name}${paramText.join('')}:${value}`;
}

function itemLines(item: WriteItem, method: WriteOptions['method']): string[] {
  checkItem(item, method);
  const component = item.kind === 'todo' ? 'VTODO' : 'VEVENT';
  const status = item.status ?? (method === 'CANCEL' ? 'CANCELLED' : undefined);
  return [
    `BEGIN:${component}`,
    contentLine('UID', [], escapeText(item.uid)),
    `DTSTAMP:${formatInstant(item.dtstamp)}`,
    ...(item.lastModified === undefined
      ? []
      : [`LAST-MODIFIED:${formatInstant(item.lastModified)}`]),
    `SEQUENCE:${Math.max(0, Math.trunc(item.sequence))}`,
    ...timingLines(item.kind, item.timing),
    contentLine('SUMMARY', [], escapeText(item.label)),
    ...optionalText('DESCRIPTION', item.remark),
    ...optionalText('LOCATION', item.location),
    ...categoryLines(item.categories),
    ...(item.private ? ['CLASS:PRIVATE'] : []),
    ...(status ? [`STATUS:${status}`] : []),
    ...(item.organizer ? [personLine('ORGANIZER', item.organizer, [])] : []),
    ...(item.attendees ?? []).map((attendee) =>
      personLine('ATTENDEE', attendee, [
        ['ROLE', 'REQ-PARTICIPANT'],
        ['PARTSTAT', 'NEEDS-ACTION'],
        ...(attendee.rsvp ? ([['RSVP', 'TRUE']] as Params) : []),
      ]),
    ),
    ...alarmLines(item.reminder, item.label),
    `END:${component}`,
  ];
}

function checkItem(item: WriteItem, method: WriteOptions['method']): void {
  checkValues(item);
  const timing = item.timing;
  const backwards = timing.allDay ? timing.endDate <= timing.startDate : timing.end < timing.start;
  if (backwards) {
    throw new OrdoError('TASK_TIMING_INVALID', { details: { uid: item.uid } });
  }
  // RFC 5546 3.2.2 and 3.2.5: a REQUEST or CANCEL names its organizer.
  if ((method === 'REQUEST' || method === 'CANCEL') && !item.organizer) {
    throw new OrdoError('VALIDATION', {
      message: 'An invitation needs an organizer',
      details: { uid: item.uid },
    });
  }
}

/** Values that would otherwise be written as broken text: a bad date, NaN, an empty UID. */
function checkValues(item: WriteItem): void {
  const timing = item.timing;
  const instants = [
    item.dtstamp,
    ...(item.lastModified === undefined ? [] : [item.lastModified]),
    ...(timing.allDay ? [] : [timing.start, timing.end]),
    ...(item.reminder.kind === 'at' ? [item.reminder.at] : []),
  ];
  const dates = timing.allDay ? [timing.startDate, timing.endDate] : [];
  const bad =
    item.uid.trim() === '' ||
    instants.some((instant) => !Number.isFinite(new Date(instant).getTime())) ||
    dates.some((date) => !/^\d{4}-\d{2}-\d{2}$/.test(date)) ||
    (item.reminder.kind === 'before' && !Number.isFinite(item.reminder.minutes));
  if (bad) {
    throw new OrdoError('VALIDATION', {
      message: 'The item has an empty UID, or a date or time that is not valid',
      details: { uid: item.uid },
    });
  }
}

/**
 * DTSTART with DTEND (events) or DUE (tasks). An instant event has no DTEND: RFC 5545 3.6.1
 * makes it end when it starts. All-day ends are exclusive, as in Ordo.
 */
function timingLines(kind: WriteItem['kind'], timing: TaskTiming): string[] {
  const endName = kind === 'todo' ? 'DUE' : 'DTEND';
  if (timing.allDay) {
    return [
      `DTSTART;VALUE=DATE:${formatDate(timing.startDate)}`,
      `${endName};VALUE=DATE:${formatDate(timing.endDate)}`,
    ];
  }
  const start = `DTSTART:${formatInstant(timing.start)}`;
  if (kind === 'event' && timing.end === timing.start) return [start];
  return [start, `${endName}:${formatInstant(timing.end)}`];
}

function optionalText(name: string, value: string): string[] {
  return value === '' ? [] : [contentLine(name, [], escapeText(value))];
}

/**
 * One CATEGORIES line per category (allowed by RFC 5545 3.8.1.2): ical.js splits a
 * multi-valued line at a comma that follows an escaped backslash (`\\,`), so a category
 * ending in a backslash would not survive a comma-joined list.
 */
function categoryLines(categories: string[]): string[] {
  return categories
    .filter((category) => category.trim() !== '')
    .map((category) => `CATEGORIES:${escapeText(category)}`);
}

function personLine(name: string, person: Person, extra: Params): string {
  const params: Params = person.name.trim() === '' ? [] : [['CN', person.name]];
  // An address is a URI: whitespace and control characters have no place in it.
  // eslint-disable-next-line no-control-regex
  const email = person.email.replace(/[\s\x00-\x1f\x7f"]/g, '');
  return contentLine(name, [...params, ...extra], `mailto:${email}`);
}

/** One DISPLAY alarm (RFC 5545 3.6.6), which requires a DESCRIPTION. */
function alarmLines(reminder: Reminder, label: string): string[] {
  if (reminder.kind === 'none') return [];
  const trigger =
    reminder.kind === 'before'
      ? `TRIGGER:${reminder.minutes > 0 ? '-' : ''}PT${Math.abs(Math.round(reminder.minutes))}M`
      : `TRIGGER;VALUE=DATE-TIME:${formatInstant(reminder.at)}`;
  return [
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    contentLine('DESCRIPTION', [], escapeText(label === '' ? 'Reminder' : label)),
    trigger,
    'END:VALARM',
  ];
}

/** `20240215T090000Z`. Sub-second parts are dropped: iCalendar has none. */
function formatInstant(instant: number): string {
  return new Date(instant)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function formatDate(date: string): string {
  return date.replace(/-/g, '');
}
