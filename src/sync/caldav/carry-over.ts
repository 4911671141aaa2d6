/**
 * What a sync write keeps of the calendar object it replaces. Ordo maps a few properties of an
 * item (SPEC 3: label, times, remark, privacy, the first reminder); the rest of what the item
 * holds is the user's: its location, attendees, categories, a to-do's completion, its other
 * alarms, what other clients put there. The object Ordo writes takes those from the object it
 * replaces, content line for content line as they were written, so nothing is lost to a
 * round trip through Ordo's fields.
 */
import { unfoldText } from '../../ical/text.js';

/** Properties Ordo writes itself: the replaced object's copies of these go. */
const WRITTEN = new Set([
  'UID',
  'DTSTAMP',
  'LAST-MODIFIED',
  'DTSTART',
  'DTEND',
  'DUE',
  'DURATION',
  'SUMMARY',
  'DESCRIPTION',
  'CLASS',
  // Another form of the description, and Outlook's all-day flag: both would contradict what
  // Ordo wrote once the remark or the times change.
  'X-ALT-DESC',
  'X-MICROSOFT-CDO-ALLDAYEVENT',
]);

/** One content line: its physical lines as written (a folded line keeps its folds). */
type ContentLine = string[];

/**
 * `written` (one VEVENT or VTODO, as Ordo writes it) with what `replaced` held besides Ordo's
 * fields. `reminderWritten`: Ordo wrote the item's reminder, so the alarm it was read from
 * (the first display alarm, else the first alarm) is not kept, and none is when the reminder is
 * "none"; otherwise every alarm is. A replaced object that is not one single item (a series
 * with overrides, or unreadable) gives `written` as it is.
 */
export function carryOver(
  written: string,
  replaced: string,
  options: { reminderWritten: boolean },
): string {
  const item = soleItem(contentLines(replaced));
  if (!item) return written;
  const lines = contentLines(written);
  // Without a reminder of Ordo's, any alarm kept would read as the item's reminder.
  const writesAlarm = lines.some((line) => componentOf(line, 'BEGIN') === 'VALARM');
  const alarms = !options.reminderWritten ? 'all' : writesAlarm ? 'all-but-reminder' : 'none';
  const kept = keptOf(item.lines, alarms);
  if (kept.properties.length === 0 && kept.components.length === 0) return written;

  const zones = zonesFor([...kept.properties, ...kept.components], item.zones);
  const keepsSequence = kept.properties.some((line) => nameOf(line) === 'SEQUENCE');
  const out: ContentLine[] = [];
  let inItem = false;
  let propertiesPlaced = false;
  for (const line of lines) {
    const begins = componentOf(line, 'BEGIN');
    const ends = componentOf(line, 'END');
    if (begins === 'VEVENT' || begins === 'VTODO') {
      out.push(...zones);
      inItem = true;
    } else if (inItem && !propertiesPlaced && (begins !== null || ends !== null)) {
      // RFC 5545 §3.6.1: an item's properties come before its alarms.
      out.push(...kept.properties);
      propertiesPlaced = true;
    }
    if (ends === 'VEVENT' || ends === 'VTODO') {
      out.push(...kept.components);
      inItem = false;
    }
    // The replaced object's SEQUENCE goes on: a client may compare it with what it knew.
    if (keepsSequence && nameOf(line) === 'SEQUENCE') continue;
    out.push(line);
  }
  return out.flat().join('\r\n') + '\r\n';
}

/** The content lines of a text, continuation lines (RFC 5545 §3.1) joined to their line. */
function contentLines(text: string): ContentLine[] {
  const lines: ContentLine[] = [];
  for (const physical of text.split(/\r\n|\n|\r/)) {
    const last = lines[lines.length - 1];
    if ((physical.startsWith(' ') || physical.startsWith('\t')) && last) last.push(physical);
    else if (physical !== '') lines.push([physical]);
  }
  return lines;
}

function unfold(line: ContentLine): string {
  return unfoldText(line.join('\r\n'));
}

/** The property name of a content line, upper case. */
function nameOf(line: ContentLine): string {
  const text = unfold(line);
  const end = text.search(/[;:]/);
  return (end < 0 ? text : text.slice(0, end)).toUpperCase();
}

function componentOf(line: ContentLine, marker: 'BEGIN' | 'END'): string | null {
  const match = new RegExp(`^${marker}:(.+)$`, 'i').exec(unfold(line));
  return match?.[1] ? match[1].trim().toUpperCase() : null;
}

/** The lines inside the object's one VEVENT or VTODO, and its VTIMEZONE components. */
function soleItem(
  lines: ContentLine[],
): { lines: ContentLine[]; zones: Map<string, ContentLine[]> } | null {
  const items: ContentLine[][] = [];
  const zones = new Map<string, ContentLine[]>();
  let depth = 0;
  let current: ContentLine[] | null = null;
  for (const line of lines) {
    const begins = componentOf(line, 'BEGIN');
    const ends = componentOf(line, 'END');
    if (begins) depth += 1;
    // Depth 2: the components of the VCALENDAR.
    if (begins && depth === 2) current = [];
    if (current) current.push(line);
    if (ends && depth === 2 && current) {
      if (ends === 'VEVENT' || ends === 'VTODO') items.push(current);
      if (ends === 'VTIMEZONE') {
        const tzid = current.find((inner) => nameOf(inner) === 'TZID');
        if (tzid) zones.set(valueOf(tzid), current);
      }
      current = null;
    }
    if (ends) depth -= 1;
  }
  const [only, ...others] = items;
  if (!only || others.length > 0) return null;
  return { lines: only.slice(1, -1), zones };
}

function valueOf(line: ContentLine): string {
  const text = unfold(line);
  return text.slice(text.indexOf(':') + 1);
}

/**
 * What of the item's lines stays: unmapped properties, other components, and of the alarms all,
 * none, or all but the one Ordo's reminder replaces.
 */
function keptOf(
  lines: ContentLine[],
  alarms: 'all' | 'all-but-reminder' | 'none',
): { properties: ContentLine[]; components: ContentLine[] } {
  const properties: ContentLine[] = [];
  const components: ContentLine[][] = [];
  let depth = 0;
  for (const line of lines) {
    const begins = componentOf(line, 'BEGIN');
    const ends = componentOf(line, 'END');
    if (begins) {
      if (depth === 0) components.push([]);
      depth += 1;
    }
    if (depth > 0) components[components.length - 1]?.push(line);
    else if (!WRITTEN.has(nameOf(line))) properties.push(line);
    if (ends) depth -= 1;
  }
  const found = components.filter(isAlarm);
  const mapped =
    alarms === 'all-but-reminder' ? (found.find(isDisplayAlarm) ?? found[0]) : undefined;
  const others = components.filter(
    (component) => component !== mapped && (alarms !== 'none' || !isAlarm(component)),
  );
  return { properties, components: others.flat() };
}

function isAlarm(component: ContentLine[]): boolean {
  const first = component[0];
  return first !== undefined && componentOf(first, 'BEGIN') === 'VALARM';
}

function isDisplayAlarm(component: ContentLine[]): boolean {
  return component.some(
    (line) => nameOf(line) === 'ACTION' && valueOf(line).trim().toUpperCase() === 'DISPLAY',
  );
}

/** The replaced object's VTIMEZONE components that the kept lines name by TZID. */
function zonesFor(kept: ContentLine[], zones: Map<string, ContentLine[]>): ContentLine[] {
  const named = new Set<string>();
  for (const line of kept) {
    const text = unfold(line);
    const head = text.slice(0, text.indexOf(':') < 0 ? text.length : text.indexOf(':'));
    const match = /;TZID=("?)([^";:]+)\1/i.exec(head);
    if (match?.[2]) named.add(match[2]);
  }
  return [...named].flatMap((tzid) => zones.get(tzid) ?? []);
}
