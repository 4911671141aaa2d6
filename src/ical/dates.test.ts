import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateTimeValue, parseDateValue } from './dates.js';

// The readings by regular expression these functions replaced: what they must still give.
function daysInMonthByDate(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isValidByDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonthByDate(year, month);
}

function dateByRegex(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T::)?$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isValidByDate(year, month, day) ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

function dateTimeByRegex(value: string): ReturnType<typeof parseDateTimeValue> {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z?)$/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  if (!isValidByDate(year!, month!, day!) || hour! > 23 || minute! > 59 || second! > 60) {
    return null;
  }
  const local = { year: year!, month: month!, day: day!, hour: hour!, minute: minute! };
  return { local: { ...local, second: Math.min(second!, 59) }, utc: match[7] === 'Z' };
}

const digits = (count: number) =>
  fc
    .array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '9'), {
      minLength: count,
      maxLength: count,
    })
    .map((list) => list.join(''));

/** jCal-like values, most well formed, some with a character off. */
const value = fc
  .tuple(
    fc.oneof(digits(4), fc.constantFrom('0000', '0004', '1900', '2000', '2024', '2100')),
    digits(2),
    digits(2),
    digits(2),
    digits(2),
    digits(2),
    fc.constantFrom('', 'Z', 'z', 'T::', '+'),
    fc.constantFrom('-', ':', 'T', 'x'),
    fc.nat(20),
  )
  .map(([year, month, day, hour, minute, second, tail, odd, at]) => {
    const written = `${year}-${month}-${day}T${hour}:${minute}:${second}${tail}`;
    const dateOnly = `${year}-${month}-${day}${tail === 'T::' ? tail : ''}`;
    const chosen = at % 2 === 0 ? written : dateOnly;
    return at < 4 ? chosen.slice(0, at) + odd + chosen.slice(at + 1) : chosen;
  });

describe('DATE and DATE-TIME values', () => {
  it('read as the regular expressions read them', () => {
    fc.assert(
      fc.property(fc.oneof(value, fc.string({ maxLength: 22 })), (input) => {
        expect(parseDateTimeValue(input)).toStrictEqual(dateTimeByRegex(input));
        expect(parseDateValue(input)).toBe(dateByRegex(input));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2023-02-29', null],
    ['1900-02-29', null],
    ['2000-02-29', '2000-02-29'],
    // Date.UTC reads the years 0 to 99 as 1900 to 1999: 0000 is not a leap year here.
    ['0000-02-29', null],
    ['0004-02-29', '0004-02-29'],
    ['2024-04-31', null],
    ['2024-12-31T::', '2024-12-31'],
  ])('reads the date %s as %s', (input, expected) => {
    expect(parseDateValue(input)).toBe(expected);
  });

  it('reads a leap second as the last second of its minute', () => {
    expect(parseDateTimeValue('2016-12-31T23:59:60Z')).toStrictEqual({
      local: { year: 2016, month: 12, day: 31, hour: 23, minute: 59, second: 59 },
      utc: true,
    });
    expect(parseDateTimeValue('2016-12-31T24:00:00')).toBeNull();
  });
});
