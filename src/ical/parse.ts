/**
 * Reads an iCalendar file (RFC 5545) into Ordo's items. ical.js reads the grammar (see
 * grammar.ts); dates, durations and time zones are read here (see dates.ts and zones.ts).
 */
import type { Reminder, TaskTiming } from '../planning/types.js';
import { OrdoError, isOrdoError, type ErrorCode } from '../shared/errors.js';
import {
  UTC,
  addDays,
  addDuration,
  exactMs,
  momentAt,
  parseDateTimeValue,
  parseDateValue,
  parseDuration,
  startOfDate,
  type Duration,
  type Moment,
} from './dates.js';
import { parseGrammar } from './grammar.js';
import { unfoldText } from './text.js';
import type { ParseOptions, ParseResult, ParsedItem } from './types.js';
import {
  ZoneResolver,
  ianaZone,
  localAsUtc,
  type JCalComponent,
  type JCalProperty,
  type ZoneRules,
} from './zones.js';

export type { ParseOptions, ParseProblem, ParseResult, ParsedItem } from './types.js';

interface ItemContext {
  zones: ZoneResolver;
  floating: ZoneRules;
}

/**
 * Reads every VEVENT and VTODO of an iCalendar file. An item that cannot be read is listed
 * in `problems` with its UID and the reason, and the rest of the file is still read.
 *
 * @throws OrdoError `ICS_UNREADABLE` when the input is not an iCalendar file (or is cut
 *   short), `TIMEZONE_UNKNOWN` when `options.timeZone` is not an IANA zone.
 */
export function parseCalendar(input: Buffer | string, options: ParseOptions): ParseResult {
  const floating = ianaZone(options.timeZone);
  if (!floating) {
    throw new OrdoError('TIMEZONE_UNKNOWN', { details: { timeZone: options.timeZone } });
  }

  const result: ParseResult = { items: [], problems: [] };
  for (const calendar of readCalendars(input)) {
    const children = calendar[2];
    const context = {
      zones: new ZoneResolver(children.filter((child) => child[0] === 'vtimezone')),
      floating,
    };
    for (const component of children) {
      if (component[0] !== 'vevent' && component[0] !== 'vtodo') continue;
      readInto(result, component, context);
    }
  }
  return result;
}

function readInto(result: ParseResult, component: JCalComponent, context: ItemContext): void {
  try {
    result.items.push(readItem(component, context));
  } catch (error) {
    if (!isOrdoError(error)) throw error;
    const uid = textValue(component, 'uid') || null;
    result.problems.push({ uid, reason: error.message, code: error.code });
  }
}

function readCalendars(input: Buffer | string): JCalComponent[] {
  const text = unfoldText(input).replace(/^\uFEFF/, '');
  if (!/^\s*BEGIN:VCALENDAR[ \t]*\r?\n/i.test(text)) {
    throw unreadable('The file does not start with BEGIN:VCALENDAR');
  }

  let parsed: unknown;
  try {
    parsed = parseGrammar(withoutBlankLines(text).trimEnd(), { unread: UNREAD });
  } catch (error) {
    throw unreadable(`The file is not valid iCalendar: ${(error as Error).message}`, error);
  }
  const components = (
    typeof (parsed as unknown[])[0] === 'string' ? [parsed] : parsed
  ) as JCalComponent[];
  const calendars = components.filter((component) => component[0] === 'vcalendar');
  if (calendars.length === 0) throw unreadable('The file holds no VCALENDAR');
  return calendars;
}

/**
 * Properties nothing here reads, common enough to be worth sparing ical.js (see
 * parseGrammar), and every X- property: their lines may not reach the jCal at all, so one
 * that comes to be read here must leave this list. A name missing here is only read for
 * nothing.
 */
const UNREAD = [
  'DTSTAMP',
  'CREATED',
  'PRODID',
  'VERSION',
  'CALSCALE',
  'METHOD',
  'TRANSP',
  'PRIORITY',
  'TZNAME',
  'X-*',
];

/** Blank lines are not content lines (RFC 5545 3.1); some producers add them. */
function withoutBlankLines(text: string): string {
  // Most files have none: testing is cheaper than replacing.
  return BLANK_LINE.test(text) ? text.replace(BLANK_LINES, '$1') : text;
}

const BLANK_LINE = /\n[ \t]*\r?\n/;
const BLANK_LINES = /(\r?\n)(?:[ \t]*\r?\n)+/g;

function unreadable(message: string, cause?: unknown): OrdoError {
  return new OrdoError('ICS_UNREADABLE', { message, cause });
}

function invalid(reason: string, code: ErrorCode = 'ICS_ITEM_INVALID'): OrdoError {
  return new OrdoError(code, { message: reason });
}

function readItem(component: JCalComponent, context: ItemContext): ParsedItem {
  const uid = textValue(component, 'uid');
  if (!uid) throw invalid('The item has no UID');

  const timing =
    component[0] === 'vtodo' ? todoTiming(component, context) : eventTiming(component, context);
  const alarms = readAlarms(component, timing, context);
  return {
    uid,
    kind: component[0] === 'vtodo' ? 'todo' : 'event',
    label: textValue(component, 'summary'),
    remark: textValue(component, 'description'),
    location: textValue(component, 'location'),
    categories: categories(component),
    timing,
    reminder: alarms.reminder,
    alarms: alarms.instants,
    private: ['PRIVATE', 'CONFIDENTIAL'].includes(textValue(component, 'class').toUpperCase()),
    recurring: ['rrule', 'rdate', 'recurrence-id'].some((name) => property(component, name)),
    sequence: sequence(component),
    lastModified: lastModified(component),
    status: textValue(component, 'status').toUpperCase() || null,
  };
}

function property(component: JCalComponent, name: string): JCalProperty | undefined {
  return component[1].find((candidate) => candidate[0] === name);
}

function textValue(component: JCalComponent, name: string): string {
  const found = property(component, name);
  if (!found || found[3] === undefined || found[3] === null) return '';
  return String(found[3]);
}

// TODO(ical.js splits multi-values correctly): a comma after an escaped backslash (`a\\,b`)
// is read as escaped, so such a line gives one category instead of two.
function categories(component: JCalComponent): string[] {
  return component[1]
    .filter((candidate) => candidate[0] === 'categories')
    .flatMap((candidate) => candidate.slice(3).map((value) => String(value).trim()))
    .filter((value) => value !== '');
}

function sequence(component: JCalComponent): number {
  const value = Number(property(component, 'sequence')?.[3] ?? 0);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

function lastModified(component: JCalComponent): number | null {
  const found = property(component, 'last-modified');
  const parsed = found ? parseDateTimeValue(String(found[3])) : null;
  // RFC 5545 3.8.7.3: LAST-MODIFIED is always UTC.
  return parsed ? localAsUtc(parsed.local) : null;
}

/** A DATE or DATE-TIME property as a moment, its zone resolved. */
function readMoment(found: JCalProperty, context: ItemContext): Moment {
  const name = found[0].toUpperCase();
  const value = String(found[3]);
  if (found[2] === 'date' || value.endsWith('T::')) {
    const date = parseDateValue(value);
    if (!date) throw invalid(`${name} is not a valid date: ${asWritten(value)}`);
    return { kind: 'date', date };
  }

  const parsed = found[2] === 'date-time' ? parseDateTimeValue(value) : null;
  if (!parsed) throw invalid(`${name} is not a valid date-time: ${asWritten(value)}`);
  return momentAt(parsed.local, zoneOf(found, parsed.utc, context));
}

/** A value as the file wrote it, for messages: ical.js adds jCal's `-`, `T` and `:`. */
function asWritten(value: string): string {
  return value.replace(/[-:]/g, '').replace(/T$/, '');
}

function zoneOf(found: JCalProperty, utc: boolean, context: ItemContext): ZoneRules {
  if (utc) return UTC;
  const tzid = found[1]['tzid'];
  if (typeof tzid !== 'string' || tzid.trim() === '') return context.floating;
  const zone = context.zones.resolve(tzid);
  if (!zone) {
    const name = found[0].toUpperCase();
    throw invalid(`${name} names an unknown time zone: ${tzid}`, 'TIMEZONE_UNKNOWN');
  }
  return zone;
}

function readDuration(found: JCalProperty): Duration {
  const duration = parseDuration(String(found[3]));
  if (!duration) throw invalid(`${found[0].toUpperCase()} is not a valid duration: ${found[3]}`);
  return duration;
}

function optionalMoment(
  component: JCalComponent,
  name: string,
  context: ItemContext,
): Moment | null {
  const found = property(component, name);
  return found ? readMoment(found, context) : null;
}

/**
 * RFC 5545 3.6.1: DTEND, or DURATION, or neither (a date lasts a day, a date-time is an instant).
 */
function eventTiming(component: JCalComponent, context: ItemContext): TaskTiming {
  const start = optionalMoment(component, 'dtstart', context);
  if (!start) throw invalid('The event has no DTSTART');
  const end = endFrom(component, start, 'dtend', context);
  return timingOf(start, end, 'DTEND');
}

/** RFC 5545 3.6.2: DUE, or DTSTART with DURATION; a task with only DUE is an instant at DUE. */
function todoTiming(component: JCalComponent, context: ItemContext): TaskTiming {
  const start = optionalMoment(component, 'dtstart', context);
  const due = optionalMoment(component, 'due', context);
  if (due) return timingOf(start ?? due, due, 'DUE');
  if (!start) throw invalid('The task has neither DTSTART nor DUE');
  return timingOf(start, endFrom(component, start, 'due', context), 'DUE');
}

function endFrom(
  component: JCalComponent,
  start: Moment,
  endName: string,
  context: ItemContext,
): Moment {
  const end = optionalMoment(component, endName, context);
  if (end) return end;
  const durationProperty = property(component, 'duration');
  if (durationProperty) {
    const shifted = addDuration(start, readDuration(durationProperty));
    if (!shifted) throw invalid('DURATION has a time part but DTSTART is a date');
    return shifted;
  }
  return start.kind === 'date' ? { kind: 'date', date: addDays(start.date, 1) } : start;
}

function timingOf(start: Moment, end: Moment, endName: string): TaskTiming {
  if (start.kind === 'date' && end.kind === 'date') {
    if (end.date < start.date) throw invalid(`${endName} is before DTSTART`);
    // Some producers write DTEND equal to DTSTART for a one-day item; RFC 5545 makes the
    // end exclusive, so an empty range can only mean that one day.
    const endDate = end.date === start.date ? addDays(start.date, 1) : end.date;
    return { allDay: true, startDate: start.date, endDate };
  }
  if (start.kind === 'instant' && end.kind === 'instant') {
    if (end.instant < start.instant) throw invalid(`${endName} is before DTSTART`);
    return { allDay: false, start: start.instant, end: end.instant };
  }
  throw invalid(`DTSTART and ${endName} must both be dates or both be date-times`);
}

interface Alarms {
  reminder: Reminder;
  instants: number[];
}

interface ReadAlarm {
  display: boolean;
  reminder: Reminder;
  instant: number;
}

function readAlarms(component: JCalComponent, timing: TaskTiming, context: ItemContext): Alarms {
  const bounds = timing.allDay
    ? {
        start: startOfDate(timing.startDate, context.floating),
        end: startOfDate(timing.endDate, context.floating),
      }
    : { start: timing.start, end: timing.end };
  const alarms = component[2]
    .filter((child) => child[0] === 'valarm')
    .map((alarm) => readAlarm(alarm, bounds, context));
  const chosen = alarms.find((alarm) => alarm.display) ?? alarms[0];
  return {
    reminder: chosen ? chosen.reminder : { kind: 'none' },
    instants: alarms.map((alarm) => alarm.instant),
  };
}

/**
 * One VALARM (RFC 5545 3.8.6.3). A relative trigger counts from the start, or from the end
 * with RELATED=END; its days are counted as 24 hours, as calendar programs show "1 day
 * before". A reminder is "N minutes before the start" only when it falls at or before the
 * start on a whole minute; any other alarm becomes a reminder at its instant.
 */
function readAlarm(
  alarm: JCalComponent,
  bounds: { start: number; end: number },
  context: ItemContext,
): ReadAlarm {
  const display = textValue(alarm, 'action').toUpperCase() === 'DISPLAY';
  const trigger = property(alarm, 'trigger');
  if (!trigger) throw invalid('An alarm has no TRIGGER');

  if (trigger[2] === 'date-time' || trigger[2] === 'date') {
    const moment = readMoment(trigger, context);
    const instant =
      moment.kind === 'instant' ? moment.instant : startOfDate(moment.date, context.floating);
    return { display, reminder: { kind: 'at', at: instant }, instant };
  }

  const related = String(trigger[1]['related'] ?? 'START').toUpperCase();
  const base = related === 'END' ? bounds.end : bounds.start;
  const instant = base + exactMs(readDuration(trigger));
  const beforeStart = bounds.start - instant;
  const reminder: Reminder =
    beforeStart >= 0 && beforeStart % 60_000 === 0
      ? { kind: 'before', minutes: beforeStart / 60_000 }
      : { kind: 'at', at: instant };
  return { display, reminder, instant };
}
