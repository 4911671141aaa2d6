import { describe, expect, it } from 'vitest';
import { isOrdoError } from '../shared/errors.js';
import { parseMoment } from './dates.js';

const PARIS = 'Europe/Paris';

describe('parseMoment', () => {
  it('reads a local date-time in the company zone, and an offset as given', () => {
    expect(parseMoment('2026-03-02T08:00', PARIS, 'start')).toEqual({
      instant: Date.parse('2026-03-02T07:00:00Z'),
    });
    expect(parseMoment('2026-03-29T02:30+02:00', PARIS, 'start')).toEqual({
      instant: Date.parse('2026-03-29T00:30:00Z'),
    });
    expect(parseMoment('2026-03-29T02:30Z', PARIS, 'start')).toEqual({
      instant: Date.parse('2026-03-29T02:30:00Z'),
    });
    expect(parseMoment('2026-03-02', PARIS, 'start')).toEqual({ date: '2026-03-02' });
  });

  it('refuses a local time the clocks skip, rather than moving it silently', () => {
    // On 29 March 2026 Paris goes from 02:00 CET straight to 03:00 CEST: 02:30 never happens.
    // Shifting it to 03:30 turned a one-hour task 02:30-03:30 into an empty one.
    let error: unknown;
    try {
      parseMoment('2026-03-29T02:30', PARIS, 'start');
    } catch (e) {
      error = e;
    }
    expect(isOrdoError(error, 'VALIDATION')).toBe(true);
    expect((error as Error).message).toMatch(
      /start: 2026-03-29T02:30 does not exist in Europe\/Paris/,
    );
    expect(parseMoment('2026-03-29T03:30', PARIS, 'end')).toEqual({
      instant: Date.parse('2026-03-29T01:30:00Z'),
    });
  });
});
