import { describe, expect, it } from 'vitest';

import { contractFields } from '../provider-contract.js';
import { fromICalendar, overlapsWindow, toICalendar } from './ical-mapping.js';

const OPTIONS = { timeZone: 'Europe/Paris', now: Date.UTC(2030, 0, 1) };

const SERIES = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//EN',
  'BEGIN:VEVENT',
  'UID:series@example.org',
  'DTSTAMP:20300101T000000Z',
  'DTSTART:20300107T090000Z',
  'DTEND:20300107T100000Z',
  'SUMMARY:Weekly',
  'RRULE:FREQ=WEEKLY',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:series@example.org',
  'DTSTAMP:20300101T000000Z',
  'RECURRENCE-ID:20300114T090000Z',
  'DTSTART:20300114T110000Z',
  'DTEND:20300114T120000Z',
  'SUMMARY:Moved once',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('CalDAV iCalendar mapping', () => {
  it('round-trips the sync fields of an event and a todo', () => {
    for (const fields of [
      contractFields({ private: true, reminder: { kind: 'before', minutes: 30 } }),
      contractFields({ kind: 'todo', remark: 'two\nlines; a, b' }),
    ]) {
      const object = fromICalendar(toICalendar(fields, OPTIONS), OPTIONS);
      expect(object).toEqual({ fields, lastModified: null });
    }
  });

  it('reads a series with an override as one recurring item, from its master', () => {
    expect(fromICalendar(SERIES, OPTIONS)).toMatchObject({
      fields: { uid: 'series@example.org', label: 'Weekly', recurring: true },
      lastModified: null,
    });
  });

  it('names the problem of an object it cannot read instead of throwing', () => {
    expect(fromICalendar('not a calendar', OPTIONS)).toHaveProperty('problem');
  });

  it('places all-day dates in the calendar zone when comparing with the window', () => {
    const timing = { allDay: true as const, startDate: '2030-01-25', endDate: '2030-01-26' };
    // Midnight in Paris is 23:00 UTC the day before.
    const endsAtParisMidnight = { from: 0, to: Date.UTC(2030, 0, 24, 23, 0) };
    expect(overlapsWindow(timing, endsAtParisMidnight, 'Europe/Paris')).toBe(false);
    expect(
      overlapsWindow(
        timing,
        { ...endsAtParisMidnight, to: endsAtParisMidnight.to + 1 },
        'Europe/Paris',
      ),
    ).toBe(true);
  });
});
