/**
 * The conversion between the engine's SyncFields and one CalDAV object (a VEVENT or VTODO,
 * with its overrides when it is a series), on Ordo's iCalendar module: zones (Windows names
 * included), folding and escaping are decided there once for every use.
 */
import { DateTime } from 'luxon';

import { parseCalendar, writeCalendar } from '../../ical/index.js';
import type { TaskTiming } from '../../planning/types.js';
import { isOrdoError } from '../../shared/errors.js';
import type { SyncFields, SyncWindow } from '../provider.js';

export interface MappingOptions {
  /** The IANA zone floating times are read in. */
  timeZone: string;
  /** DTSTAMP of written items (epoch ms); now when not given. */
  now?: number;
}

/** Why an object cannot become SyncFields; the item is reported as unreadable. */
export interface MappingProblem {
  problem: string;
}

const PRODID = '-//Ordo//Ordo calendar sync//EN';

export function isMappingProblem(value: CalendarObject | MappingProblem): value is MappingProblem {
  return 'problem' in value;
}

export function toICalendar(fields: SyncFields, options: MappingOptions): string {
  return writeCalendar({
    prodId: PRODID,
    timeZone: options.timeZone,
    items: [
      {
        uid: fields.uid,
        kind: fields.kind,
        label: fields.label,
        remark: fields.remark,
        location: '',
        categories: [],
        timing: fields.timing,
        reminder: fields.reminder ?? { kind: 'none' },
        private: fields.private,
        // Sync writes are not invitations: nobody compares SEQUENCE on them.
        sequence: 0,
        dtstamp: options.now ?? Date.now(),
        // No LAST-MODIFIED (RFC 5545 makes it optional): a client that edits the item without
        // rewriting it would leave Ordo's date there, and its change would look older than it
        // is. The next edit is dated by its client, or when the sync first sees it.
      },
    ],
  });
}

/** What a calendar object says for the sync: its fields, and LAST-MODIFIED when it has one. */
export interface CalendarObject {
  fields: SyncFields;
  /** The object's LAST-MODIFIED (epoch ms), which its client sets on each change. */
  lastModified: number | null;
}

export function fromICalendar(
  text: string,
  options: MappingOptions,
): CalendarObject | MappingProblem {
  let parsed: ReturnType<typeof parseCalendar>;
  try {
    parsed = parseCalendar(text, { timeZone: options.timeZone });
  } catch (error) {
    if (!isOrdoError(error)) throw error;
    return { problem: `${error.code}: ${error.message}` };
  }

  // One CalDAV object holds one UID: a single item, or a series master with its overrides.
  const [first, ...others] = parsed.items;
  if (!first) {
    const reason = parsed.problems[0]?.reason ?? 'no VEVENT or VTODO';
    return { problem: reason };
  }
  const fields: SyncFields = {
    kind: first.kind,
    uid: first.uid,
    label: first.label,
    timing: first.timing,
    remark: first.remark,
    reminder: first.reminder,
    private: first.private,
    recurring: others.length > 0 || first.recurring,
  };
  return { fields, lastModified: first.lastModified };
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
