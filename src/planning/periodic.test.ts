import { describe, expect, it } from 'vitest';
import { isOrdoError } from '../shared/errors.js';
import { MAX_OCCURRENCES, occurrenceTimings, parseRule } from './periodic.js';

describe('periodic task occurrences', () => {
  it('repeats all-day tasks by date, keeping their length in days', () => {
    const timings = occurrenceTimings({
      rule: parseRule('FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3'),
      timing: { allDay: true, startDate: '2026-03-02', endDate: '2026-03-04' },
      zone: 'Europe/Paris',
      until: '2027-01-01',
    });
    expect(timings).toEqual([
      { allDay: true, startDate: '2026-03-02', endDate: '2026-03-04' },
      { allDay: true, startDate: '2026-03-04', endDate: '2026-03-06' },
      { allDay: true, startDate: '2026-03-09', endDate: '2026-03-11' },
    ]);
  });

  it('keeps the wall-clock time across a daylight-saving change and stops at until', () => {
    const start = Date.parse('2026-03-27T08:00:00Z'); // 09:00 in Paris, winter time
    const timings = occurrenceTimings({
      rule: parseRule('RRULE:FREQ=DAILY'),
      timing: { allDay: false, start, end: start + 3600_000 },
      zone: 'Europe/Paris',
      until: '2026-03-30',
    });
    expect(timings.map((t) => (t.allDay ? '' : new Date(t.start).toISOString()))).toEqual([
      '2026-03-27T08:00:00.000Z',
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });

  it('caps the number of occurrences', () => {
    const start = Date.parse('2026-03-02T08:00:00Z');
    const timings = occurrenceTimings({
      rule: parseRule('FREQ=HOURLY'),
      timing: { allDay: false, start, end: start + 60_000 },
      zone: 'UTC',
      until: '2030-01-01',
    });
    expect(timings).toHaveLength(MAX_OCCURRENCES);
  });

  it('refuses rules ical.js cannot read and rules by the minute', () => {
    const rules = ['', 'FREQ=NEVER', 'INTERVAL=2', 'FREQ=DAILY;BYDAY=ZZ', 'FREQ=SECONDLY'];
    // ical.js reads INTERVAL=0 or -2 as 1, while the stored rule would still say 0.
    rules.push('FREQ=DAILY;INTERVAL=0', 'FREQ=WEEKLY;INTERVAL=-2');
    for (const rule of rules) {
      let error: unknown;
      try {
        parseRule(rule);
      } catch (e) {
        error = e;
      }
      expect(isOrdoError(error, 'PERIODIC_RULE_INVALID'), rule).toBe(true);
    }
  });
});
