import { describe, expect, it } from 'vitest';
import { timeOrderedIds } from './ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const T0 = Date.parse('2026-03-02T08:00:00Z');

/** The milliseconds an id carries in its first 48 bits. */
function millisecondsOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('time-ordered ids', () => {
  it('are UUIDs version 7 (RFC 9562) carrying the time they were made at', () => {
    const next = timeOrderedIds();
    const id = next(T0);
    expect(id).toMatch(UUID_V7);
    expect(millisecondsOf(id)).toBe(T0);
    expect(millisecondsOf(next(T0 + 5))).toBe(T0 + 5);
  });

  it('each sort after the one before, within a millisecond and past its counter', () => {
    const next = timeOrderedIds();
    const ids = Array.from({ length: 10_000 }, () => next(T0));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    // 4,096 counter values at most per millisecond: the rest borrow the next ones.
    expect(millisecondsOf(ids.at(-1) as string)).toBeGreaterThan(T0);
    expect(millisecondsOf(ids.at(-1) as string)).toBeLessThan(T0 + 5);
  });

  it('keep increasing when the clock goes back', () => {
    const next = timeOrderedIds();
    const later = next(T0 + 60_000);
    const earlier = next(T0);
    expect(earlier > later).toBe(true);
    expect(millisecondsOf(earlier)).toBe(T0 + 60_000);
  });
});
