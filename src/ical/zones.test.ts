import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseCalendar } from './parse.js';
import { ianaZone, localAsUtc, localToInstant, type LocalDateTime } from './zones.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// DST in both hemispheres, half-hour and 30-minute DST, a day skipped (Apia 2011), DST
// suspended each Ramadan (Casablanca), negative DST (Dublin), a zone without DST since 2022.
const ZONES = [
  'Europe/Paris',
  'America/New_York',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Asia/Tehran',
  'Pacific/Apia',
  'America/St_Johns',
  'Africa/Casablanca',
  'Europe/Dublin',
  'America/Mexico_City',
];

/** Luxon's offset, asked each time: what the cached rules must give. */
function luxonOffset(zone: string, instant: number): number {
  return IANAZone.create(zone).offset(instant);
}

/** Every transition of a zone from 2005 to 2035, found day by day and then to the ms. */
function transitions(zone: string): number[] {
  const found: number[] = [];
  for (let day = Date.UTC(2005, 0, 1); day < Date.UTC(2035, 0, 1); day += DAY) {
    if (luxonOffset(zone, day) === luxonOffset(zone, day + DAY)) continue;
    let low = day;
    let high = day + DAY;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (luxonOffset(zone, middle) === luxonOffset(zone, day)) low = middle;
      else high = middle;
    }
    found.push(high);
  }
  return found;
}

const TRANSITIONS = new Map(ZONES.map((zone) => [zone, transitions(zone)]));

/** A zone, and an instant near one of its transitions (within two days) or anywhere. */
const nearTransition = fc
  .tuple(
    fc.constantFrom(...ZONES),
    fc.nat(),
    fc.integer({ min: -2 * DAY, max: 2 * DAY }),
    fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
    fc.boolean(),
  )
  .map(([zone, pick, delta, anywhere, near]) => {
    const list = TRANSITIONS.get(zone)!;
    const instant = near && list.length > 0 ? list[pick % list.length]! + delta : anywhere;
    return { zone, instant };
  });

function wallOf(instant: number, zone: string): LocalDateTime {
  const { year, month, day, hour, minute, second } = DateTime.fromMillis(instant, { zone });
  return { year, month, day, hour, minute, second };
}

describe('IANA zone rules', () => {
  it('finds transitions to test against', () => {
    for (const zone of ZONES.filter((name) => name !== 'America/Mexico_City')) {
      expect(TRANSITIONS.get(zone)!.length, zone).toBeGreaterThan(0);
    }
  });

  it('give the offset Luxon gives, at any instant, around transitions above all', () => {
    fc.assert(
      fc.property(nearTransition, ({ zone, instant }) => {
        expect(ianaZone(zone)!.offsetAt(instant)).toBe(luxonOffset(zone, instant));
      }),
      { numRuns: 20_000 },
    );
  });

  it('give the offset Luxon gives in every minute of a transition hour', () => {
    for (const [zone, list] of TRANSITIONS) {
      for (const at of list.slice(0, 6)) {
        for (let instant = at - HOUR; instant <= at + HOUR; instant += MINUTE - 1) {
          expect(ianaZone(zone)!.offsetAt(instant), `${zone} ${instant}`).toBe(
            luxonOffset(zone, instant),
          );
        }
      }
    }
  });
});

describe('ianaZone', () => {
  it('tells IANA names from others, before and after many unknown names were asked', () => {
    expect(ianaZone('Europe/Paris')?.offsetAt(Date.UTC(2025, 0, 1))).toBe(60);
    for (let i = 0; i < 1100; i += 1) expect(ianaZone(`Nowhere/Zone ${i}`)).toBeNull();
    expect(ianaZone('Nowhere/Zone 3')).toBeNull();
    expect(ianaZone('Romance Standard Time')).toBeNull();
    expect(ianaZone('europe/PARIS')?.offsetAt(Date.UTC(2025, 6, 1))).toBe(120);
    expect(ianaZone('Europe/Paris')?.offsetAt(Date.UTC(2025, 6, 1))).toBe(120);
  });
});

describe('localToInstant in an IANA zone', () => {
  // The expected instants are searched with Luxon's offsets. Luxon's own DateTime.fromObject
  // is no oracle: it starts from today's offset and can land an hour off in a zone whose
  // offset changed by more than a DST step (Apia, 2010), and picks either instant of an
  // ambiguous time depending on the season it runs in.
  it('gives the instant of a time: the first when repeated, in a gap with the prior offset', () => {
    fc.assert(
      fc.property(
        nearTransition,
        fc.integer({ min: -180, max: 180 }),
        ({ zone, instant }, minutes) => {
          // A wall-clock time near the transition, which may fall in its gap or overlap.
          const local = wallOf(instant + minutes * MINUTE, zone);
          const ours = localToInstant(local, ianaZone(zone)!);

          // Every offset the zone has within 27 hours, and the instants they give.
          const wall = localAsUtc(local);
          const offsets = [
            ...new Set(
              Array.from({ length: 19 }, (_, k) => luxonOffset(zone, wall + (k - 9) * 3 * HOUR)),
            ),
          ];
          const occurrences = offsets
            .map((offset) => wall - offset * MINUTE)
            .filter((candidate) => localAsUtc(wallOf(candidate, zone)) === wall);
          // RFC 5545 3.3.5; in a gap the offset grows, so the one before is the smaller.
          const expected =
            occurrences.length > 0
              ? Math.min(...occurrences)
              : wall - Math.min(...offsets) * MINUTE;
          expect(ours).toBe(expected);
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('reads the Paris spring gap and autumn overlap as RFC 5545 says', () => {
    const paris = ianaZone('Europe/Paris')!;
    const at = (hour: number, minute: number, day: number, month: number) =>
      localToInstant({ year: 2025, month, day, hour, minute, second: 0 }, paris);
    expect(at(2, 30, 30, 3)).toBe(Date.UTC(2025, 2, 30, 1, 30));
    expect(at(2, 30, 26, 10)).toBe(Date.UTC(2025, 9, 26, 0, 30));
    expect(at(3, 0, 26, 10)).toBe(Date.UTC(2025, 9, 26, 2, 0));
  });
});

describe('zones defined by a VTIMEZONE', () => {
  const zone = (name: string) => [
    'BEGIN:VTIMEZONE',
    'TZID:Customized Time Zone',
    'BEGIN:STANDARD',
    'DTSTART:16010101T030000',
    'TZOFFSETFROM:+0200',
    'TZOFFSETTO:+0100',
    `TZNAME:${name}`,
    'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
    'END:STANDARD',
    'BEGIN:DAYLIGHT',
    'DTSTART:16010101T020000',
    'TZOFFSETFROM:+0100',
    'TZOFFSETTO:+0200',
    'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
    'END:DAYLIGHT',
    'END:VTIMEZONE',
  ];
  const object = (name: string, start: string) =>
    [
      'BEGIN:VCALENDAR',
      ...zone(name),
      'BEGIN:VEVENT',
      'UID:1',
      `DTSTART;TZID=Customized Time Zone:${start}`,
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
  const starts = ['20900326T023000', '19901028T023000', '20250330T023000', '16500101T120000'];

  it('read alike whatever was asked of the same VTIMEZONE before', () => {
    const startOf = (name: string, start: string) => {
      const timing = parseCalendar(object(name, start), { timeZone: 'UTC' }).items[0]!.timing;
      return timing.allDay ? null : timing.start;
    };
    // Two texts of the same zone: each kept once, asked in opposite orders.
    const forward = starts.map((start) => startOf('A', start));
    const backward = [...starts].reverse().map((start) => startOf('B', start));
    expect(forward).toStrictEqual(backward.reverse());
    expect(forward[2]).toBe(Date.UTC(2025, 2, 30, 1, 30));
  });
});
