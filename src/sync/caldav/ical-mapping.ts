/**
 * The minimal conversion between the engine's SyncFields and one VEVENT or VTODO in an
 * iCalendar object, built on ical.js. It stands in until src/ical offers parseCalendar and
 * writeCalendar: both functions keep their signatures when they switch over.
 *
 * Choices: instants are written in UTC (no VTIMEZONE to get wrong); all-day items are
 * DATE values with an exclusive end (RFC 5545 §3.6.1) and never pass through UTC; floating
 * times are read in the calendar's time zone.
 */
import ICAL from 'ical.js';
import { DateTime } from 'luxon';

import type { Reminder, TaskTiming } from '../../planning/types.js';
import type { SyncFields, SyncWindow } from '../provider.js';

type Component = InstanceType<typeof ICAL.Component>;
type Property = InstanceType<typeof ICAL.Property>;
type Time = InstanceType<typeof ICAL.Time>;
type Duration = InstanceType<typeof ICAL.Duration>;

export interface MappingOptions {
  /** The IANA zone floating times and all-day dates are read in. */
  timeZone: string;
  /** DTSTAMP of written items (epoch ms); now when not given. */
  now?: number;
}

/** Why an object cannot become SyncFields; the item is reported as skipped. */
export interface MappingProblem {
  problem: string;
}

const PRODID = '-//Ordo//Ordo calendar sync//EN';

export function isMappingProblem(value: SyncFields | MappingProblem): value is MappingProblem {
  return 'problem' in value;
}

export function toICalendar(fields: SyncFields, options: MappingOptions): string {
  const calendar = new ICAL.Component(['vcalendar', [], []]);
  calendar.updatePropertyWithValue('version', '2.0');
  calendar.updatePropertyWithValue('prodid', PRODID);

  const item = new ICAL.Component(fields.kind === 'event' ? 'vevent' : 'vtodo');
  item.updatePropertyWithValue('uid', fields.uid);
  item.updatePropertyWithValue('dtstamp', utcTime(options.now ?? Date.now()));
  writeTiming(item, fields);
  item.updatePropertyWithValue('summary', fields.label);
  if (fields.remark !== '') item.updatePropertyWithValue('description', fields.remark);
  if (fields.private) item.updatePropertyWithValue('class', 'PRIVATE');
  if (fields.reminder && fields.reminder.kind !== 'none') {
    item.addSubcomponent(writeAlarm(fields.reminder, fields.label));
  }

  calendar.addSubcomponent(item);
  return calendar.toString() + '\r\n';
}

export function fromICalendar(text: string, options: MappingOptions): SyncFields | MappingProblem {
  let calendar: Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (error) {
    return { problem: `unreadable iCalendar: ${(error as Error).message}` };
  }

  const items = [
    ...calendar.getAllSubcomponents('vevent'),
    ...calendar.getAllSubcomponents('vtodo'),
  ];
  const master = items.find((item) => !item.hasProperty('recurrence-id')) ?? items[0];
  if (!master) return { problem: 'no VEVENT or VTODO' };

  const uid = master.getFirstPropertyValue('uid');
  if (typeof uid !== 'string' || uid === '') return { problem: 'no UID' };

  const zones = { calendar, timeZone: options.timeZone };
  const timing = readTiming(master, zones);
  if ('problem' in timing) return timing;

  return {
    kind: master.name === 'vevent' ? 'event' : 'todo',
    uid,
    label: textValue(master, 'summary'),
    timing,
    remark: textValue(master, 'description'),
    reminder: readReminder(master, timing, zones),
    private: ['PRIVATE', 'CONFIDENTIAL'].includes(textValue(master, 'class').toUpperCase()),
    recurring:
      items.length > 1 || ['rrule', 'rdate', 'recurrence-id'].some((p) => master.hasProperty(p)),
  };
}

/** Whether the item touches the window (end exclusive; an instant item counts at its start). */
export function overlapsWindow(timing: TaskTiming, window: SyncWindow, timeZone: string): boolean {
  const { start, end } = timingInstants(timing, timeZone);
  if (end <= start) return start >= window.from && start < window.to;
  return start < window.to && end > window.from;
}

function timingInstants(timing: TaskTiming, timeZone: string): { start: number; end: number } {
  if (!timing.allDay) return { start: timing.start, end: timing.end };
  const day = (date: string) => DateTime.fromISO(date, { zone: timeZone }).toMillis();
  return { start: day(timing.startDate), end: day(timing.endDate) };
}

function writeTiming(item: Component, fields: SyncFields): void {
  const endName = fields.kind === 'event' ? 'dtend' : 'due';
  const timing = fields.timing;
  if (timing.allDay) {
    item.updatePropertyWithValue('dtstart', ICAL.Time.fromDateString(timing.startDate));
    item.updatePropertyWithValue(endName, ICAL.Time.fromDateString(timing.endDate));
    return;
  }
  item.updatePropertyWithValue('dtstart', utcTime(timing.start));
  item.updatePropertyWithValue(endName, utcTime(timing.end));
}

function writeAlarm(reminder: Exclude<Reminder, { kind: 'none' }>, label: string): Component {
  const alarm = new ICAL.Component('valarm');
  alarm.updatePropertyWithValue('action', 'DISPLAY');
  alarm.updatePropertyWithValue('description', label === '' ? 'Reminder' : label);
  if (reminder.kind === 'before') {
    const duration = ICAL.Duration.fromSeconds(-reminder.minutes * 60);
    alarm.updatePropertyWithValue('trigger', duration);
  } else {
    const trigger = alarm.updatePropertyWithValue('trigger', utcTime(reminder.at));
    trigger.setParameter('value', 'DATE-TIME');
  }
  return alarm;
}

function utcTime(epochMs: number): Time {
  return ICAL.Time.fromJSDate(new Date(Math.floor(epochMs / 1000) * 1000), true);
}

interface Zones {
  calendar: Component;
  timeZone: string;
}

type Moment = { date: string } | { instant: number };

function readTiming(item: Component, zones: Zones): TaskTiming | MappingProblem {
  const start = readMoment(item.getFirstProperty('dtstart'), zones);
  const endName = item.name === 'vevent' ? 'dtend' : 'due';
  const end = readMoment(item.getFirstProperty(endName), zones);
  const duration = item.getFirstPropertyValue('duration') as Duration | null;

  if (!start && !end) return { problem: `no DTSTART or ${endName.toUpperCase()}` };
  const first = (start ?? end) as Moment;
  const last =
    end ?? (duration ? addDuration(first, duration, zones.timeZone) : implicitEnd(item, first));

  if ('date' in first && 'date' in last) {
    const endDate = last.date > first.date ? last.date : first.date;
    return { allDay: true, startDate: first.date, endDate };
  }
  const from = instantOf(first, zones.timeZone);
  return { allDay: false, start: from, end: Math.max(from, instantOf(last, zones.timeZone)) };
}

/** RFC 5545 §3.6.1: a DATE start without end lasts one day; a DATE-TIME start, no time. */
function implicitEnd(item: Component, start: Moment): Moment {
  if (item.name === 'vevent' && 'date' in start) {
    return { date: DateTime.fromISO(start.date).plus({ days: 1 }).toISODate() as string };
  }
  return start;
}

function addDuration(start: Moment, duration: Duration, timeZone: string): Moment {
  if ('date' in start && duration.hours === 0 && duration.minutes === 0 && duration.seconds === 0) {
    const days = duration.weeks * 7 + duration.days;
    const date = DateTime.fromISO(start.date).plus({ days: duration.isNegative ? -days : days });
    return { date: date.toISODate() as string };
  }
  return { instant: instantOf(start, timeZone) + duration.toSeconds() * 1000 };
}

function instantOf(moment: Moment, timeZone: string): number {
  if ('instant' in moment) return moment.instant;
  return DateTime.fromISO(moment.date, { zone: timeZone }).toMillis();
}

function readMoment(property: Property | null, zones: Zones): Moment | null {
  const time = property?.getFirstValue() as Time | null | undefined;
  if (!property || !time || typeof time !== 'object' || !('isDate' in time)) return null;
  if (time.isDate) return { date: isoDate(time) };
  if (time.zone?.tzid === 'UTC') return { instant: time.toUnixTime() * 1000 };

  const tzid = property.getParameter('tzid');
  return { instant: zonedInstant(time, typeof tzid === 'string' ? tzid : null, zones) };
}

function zonedInstant(time: Time, tzid: string | null, zones: Zones): number {
  const parts = {
    year: time.year,
    month: time.month,
    day: time.day,
    hour: time.hour,
    minute: time.minute,
    second: time.second,
  };
  if (tzid) {
    const iana = DateTime.fromObject(parts, { zone: tzid });
    if (iana.isValid) return iana.toMillis();

    const definition = zones.calendar
      .getAllSubcomponents('vtimezone')
      .find((zone) => zone.getFirstPropertyValue('tzid') === tzid);
    if (definition) {
      const local = time.clone();
      local.zone = new ICAL.Timezone(definition);
      return local.toUnixTime() * 1000;
    }
    // TODO(src/ical lands): map Windows zone names (Outlook) to IANA instead of the
    // calendar's zone; the iCalendar module owns that table.
  }
  return DateTime.fromObject(parts, { zone: zones.timeZone }).toMillis();
}

function readReminder(item: Component, timing: TaskTiming, zones: Zones): Reminder {
  const alarm = item.getFirstSubcomponent('valarm');
  const trigger = alarm?.getFirstProperty('trigger');
  const value = trigger?.getFirstValue() as Time | Duration | null | undefined;
  if (!trigger || !value || typeof value !== 'object') return { kind: 'none' };

  if (value instanceof ICAL.Time) return { kind: 'at', at: value.toUnixTime() * 1000 };

  const seconds = (value as Duration).toSeconds();
  const related = String(trigger.getParameter('related') ?? 'START').toUpperCase();
  if (related === 'START' && seconds <= 0 && seconds % 60 === 0) {
    return { kind: 'before', minutes: -seconds / 60 };
  }
  const { start, end } = timingInstants(timing, zones.timeZone);
  return { kind: 'at', at: (related === 'END' ? end : start) + seconds * 1000 };
}

function textValue(item: Component, name: string): string {
  const value = item.getFirstPropertyValue(name);
  return typeof value === 'string' ? value : '';
}

function isoDate(time: Time): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(time.year, 4)}-${pad(time.month)}-${pad(time.day)}`;
}
