import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { INTEROP_CALENDARS, splitByUid } from '../../test-support/ics-objects.js';
import { contractFields } from '../provider-contract.js';
import type { SyncFields } from '../provider.js';
import { carryOver } from './carry-over.js';
import { fromICalendar, isMappingProblem, toICalendar } from './ical-mapping.js';

const OPTIONS = { timeZone: 'Europe/Paris', now: Date.UTC(2030, 0, 1) };
const MAPPED =
  /^(UID|DTSTAMP|LAST-MODIFIED|DTSTART|DTEND|DUE|DURATION|SUMMARY|DESCRIPTION|CLASS)[;:]/i;

function calendar(...lines: string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    ...lines,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function fieldsOf(text: string): SyncFields {
  const object = fromICalendar(text, OPTIONS);
  if (isMappingProblem(object)) throw new Error(object.problem);
  return object.fields;
}

/** The object's content lines, unfolded. */
function unfolded(text: string): string[] {
  return text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean);
}

const COMPLETED_TASK = calendar(
  'BEGIN:VTODO',
  'UID:t',
  'DTSTAMP:20300101T000000Z',
  'SEQUENCE:4',
  'DUE:20300107T100000Z',
  'SUMMARY:Call the supplier',
  'STATUS:COMPLETED',
  'COMPLETED:20300106T120000Z',
  'PERCENT-COMPLETE:100',
  'CATEGORIES:Work,Phone',
  'X-APPLE-SORT-ORDER:12',
  'END:VTODO',
);

describe('what a sync write keeps of the object it replaces', () => {
  it("keeps a to-do's completion and other clients' properties, and its SEQUENCE", () => {
    const fields = contractFields({ uid: 't', kind: 'todo', label: 'Call the supplier again' });
    const merged = carryOver(toICalendar(fields, OPTIONS), COMPLETED_TASK, {
      reminderWritten: true,
    });
    expect(fieldsOf(merged)).toEqual(fields);
    const lines = unfolded(merged);
    for (const kept of [
      'STATUS:COMPLETED',
      'COMPLETED:20300106T120000Z',
      'PERCENT-COMPLETE:100',
      'CATEGORIES:Work,Phone',
      'X-APPLE-SORT-ORDER:12',
    ]) {
      expect(lines).toContain(kept);
    }
    expect(lines.filter((line) => line.startsWith('SEQUENCE'))).toEqual(['SEQUENCE:4']);
    expect(lines).not.toContain('SUMMARY:Call the supplier');
  });

  it('keeps every alarm when reminders are not synchronized, else all but the reminder', () => {
    // ... and none when the task has no reminder: any alarm left would read as one.
    const replaced = calendar(
      'BEGIN:VEVENT',
      'UID:e',
      'DTSTAMP:20300101T000000Z',
      'DTSTART:20300107T090000Z',
      'DTEND:20300107T100000Z',
      'SUMMARY:Meeting',
      'BEGIN:VALARM',
      'ACTION:EMAIL',
      'TRIGGER:-P1D',
      'END:VALARM',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'TRIGGER:-PT15M',
      'END:VALARM',
      'END:VEVENT',
    );
    const kept = (reminder: SyncFields['reminder']) => {
      const fields = contractFields({ uid: 'e', label: 'Meeting', reminder });
      const merged = carryOver(toICalendar(fields, OPTIONS), replaced, {
        reminderWritten: reminder !== null,
      });
      if (reminder !== null) expect(fieldsOf(merged).reminder).toEqual(reminder);
      return unfolded(merged).filter((line) => line.startsWith('TRIGGER'));
    };
    expect(kept(null)).toEqual(['TRIGGER:-P1D', 'TRIGGER:-PT15M']);
    // The display alarm is the reminder: Ordo's own replaces it.
    expect(kept({ kind: 'before', minutes: 30 })).toEqual(['TRIGGER:-PT30M', 'TRIGGER:-P1D']);
    expect(kept({ kind: 'none' })).toEqual([]);
  });

  it('brings the time zone a kept property names, and only that one', () => {
    const zone = (tzid: string) => [
      'BEGIN:VTIMEZONE',
      `TZID:${tzid}`,
      'BEGIN:STANDARD',
      'DTSTART:19701025T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'END:STANDARD',
      'END:VTIMEZONE',
    ];
    const replaced = calendar(
      ...zone('Europe/Paris'),
      ...zone('Custom Zone'),
      'BEGIN:VEVENT',
      'UID:e',
      'DTSTAMP:20300101T000000Z',
      'DTSTART;TZID=Europe/Paris:20300107T090000',
      'DTEND;TZID=Europe/Paris:20300107T100000',
      'SUMMARY:Visit',
      'X-ORIGINAL-START;TZID="Custom Zone":20300107T090000',
      'END:VEVENT',
    );
    const fields = contractFields({ uid: 'e', label: 'Visit' });
    const merged = carryOver(toICalendar(fields, OPTIONS), replaced, { reminderWritten: true });
    const lines = unfolded(merged);
    expect(lines).toContain('TZID:Custom Zone');
    expect(lines).not.toContain('TZID:Europe/Paris');
    expect(fieldsOf(merged)).toEqual(fields);
  });

  it('leaves a series as Ordo wrote it: it is not one item', () => {
    const series = calendar(
      'BEGIN:VEVENT',
      'UID:s',
      'DTSTAMP:20300101T000000Z',
      'DTSTART:20300107T090000Z',
      'RRULE:FREQ=WEEKLY',
      'SUMMARY:Weekly',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:s',
      'DTSTAMP:20300101T000000Z',
      'RECURRENCE-ID:20300114T090000Z',
      'DTSTART:20300114T110000Z',
      'SUMMARY:Moved',
      'END:VEVENT',
    );
    const written = toICalendar(contractFields({ uid: 's' }), OPTIONS);
    expect(carryOver(written, series, { reminderWritten: true })).toBe(written);
  });

  // Objects as real clients wrote them (fixtures/interop): Outlook zones, long folded lines
  // with surrogate pairs, escapes, alarms of every kind.

  const objects = INTEROP_CALENDARS.flatMap((fixture) =>
    splitByUid(
      readFileSync(new URL(`../../../fixtures/interop/${fixture}.ics`, import.meta.url), 'utf8'),
    ).map((object) => ({ name: `${fixture}: ${object.name}`, ics: object.ics })),
  ).filter((object) => !isMappingProblem(fromICalendar(object.ics, OPTIONS)));

  it.each(objects)(
    '$name: keeps every property Ordo does not write, reads as Ordo wrote it',
    ({ ics }) => {
      const before = fieldsOf(ics);
      const fields = { ...before, label: `${before.label} (moved)`, reminder: null };
      const merged = carryOver(toICalendar(fields, OPTIONS), ics, { reminderWritten: false });
      expect(fieldsOf(merged)).toEqual({ ...fields, reminder: fieldsOf(merged).reminder });
      const lines = unfolded(merged);
      const item = unfolded(ics);
      const from = item.findIndex((line) => /^BEGIN:(VEVENT|VTODO)$/.test(line));
      const to = item.findIndex((line) => /^END:(VEVENT|VTODO)$/.test(line));
      for (const line of item.slice(from + 1, to)) {
        if (!MAPPED.test(line)) expect(lines).toContain(line);
      }
    },
  );
});
