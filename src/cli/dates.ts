/**
 * Dates and times typed on the command line: an ISO instant with an offset, a local
 * date-time (read in the company's time zone), or a date.
 */
import { DateTime } from 'luxon';
import { addDays, isCalendarDate, startOfDate } from '../planning/time.js';
import { OrdoError } from '../shared/errors.js';

export type CliMoment = { date: string } | { instant: number };

export function parseMoment(text: string, timeZone: string, field: string): CliMoment {
  if (isCalendarDate(text)) return { date: text };
  const dt = DateTime.fromISO(text, { zone: timeZone, setZone: false });
  if (!dt.isValid) {
    throw new OrdoError('VALIDATION', {
      message: `${field}: expected a date (2026-03-02) or a date-time (2026-03-02T08:00), got ${text}`,
      details: { field },
    });
  }
  if (!hasOffset(text) && !sameWallClock(dt, text)) {
    throw new OrdoError('VALIDATION', {
      message: `${field}: ${text} does not exist in ${timeZone} (the clocks go forward at that hour)`,
      details: { field },
    });
  }
  return { instant: dt.toMillis() };
}

function hasOffset(text: string): boolean {
  return /(?:z|[+-]\d{2}(?::?\d{2})?)$/i.test(text);
}

/**
 * Whether the zone shows the time that was typed. Luxon moves a time inside a
 * daylight-saving gap forward by the gap's length; taking it silently would turn a task
 * typed as 02:30-03:30 into an empty one.
 */
function sameWallClock(dt: DateTime, text: string): boolean {
  const typed = DateTime.fromISO(text, { zone: 'utc' });
  const format = "yyyy-MM-dd'T'HH:mm:ss.SSS";
  return dt.toFormat(format) === typed.toFormat(format);
}

/** A range for listing: a date `--to` includes that whole day. */
export function parseRange(
  from: string,
  to: string,
  timeZone: string,
): { from: number; to: number } {
  const start = parseMoment(from, timeZone, 'from');
  const end = parseMoment(to, timeZone, 'to');
  const range = {
    from: 'date' in start ? startOfDate(start.date, timeZone) : start.instant,
    to: 'date' in end ? startOfDate(addDays(end.date, 1), timeZone) : end.instant,
  };
  if (range.to <= range.from) {
    throw new OrdoError('VALIDATION', {
      message: '--to must come after --from',
      details: { field: 'to' },
    });
  }
  return range;
}
