import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoInstant } from './time.js';

describe('isoInstant', () => {
  it('writes what Date#toISOString writes, for any instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('writes the planning years, day edges and leap days exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
    for (const text of [
      '1970-01-01T00:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '2024-03-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '+010000-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
    ]) {
      expect(isoInstant(Date.parse(text))).toBe(text);
    }
  });

  it('keeps toISOString for fractions of a millisecond', () => {
    expect(isoInstant(1.5)).toBe(new Date(1.5).toISOString());
  });
});
