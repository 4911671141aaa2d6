import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { cachedBlockCount, parseGrammar } from './grammar.js';

const UNREAD = ['DTSTAMP', 'PRODID', 'VERSION', 'PRIORITY', 'CATEGORIES', 'RRULE', 'X-*'];
/** What may be left out with UNREAD (and every x-): CATEGORIES and RRULE never are. */
const LEFT_OUT = new Set(['dtstamp', 'prodid', 'version', 'priority']);

const PARIS = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

function object(...lines: string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    ...PARIS,
    'BEGIN:VEVENT',
    'UID:1',
    'DTSTAMP:20260101T080000Z',
    'DTSTART;TZID=Europe/Paris:20260329T023000',
    'SUMMARY:Chantier\\, Lyon',
    'X-MICROSOFT-CDO-BUSYSTATUS:BUSY',
    ...lines,
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');
}

type Outcome = { value: unknown } | { error: string };

function outcome(read: () => unknown): Outcome {
  try {
    return { value: read() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** The jCal without the properties that may be left out. */
function withoutLeftOut(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (typeof value[0] !== 'string') return value.map(withoutLeftOut);
  const [name, properties, children] = value as [string, unknown[][], unknown[]];
  return [
    name,
    properties.filter((property) => {
      const propertyName = property[0] as string;
      return !LEFT_OUT.has(propertyName) && !propertyName.startsWith('x-');
    }),
    children.map(withoutLeftOut),
  ];
}

function expectSameAsIcalJs(text: string): void {
  const expected = outcome(() => ICAL.parse(text));
  // Twice: the second read takes known VTIMEZONE blocks from the cache.
  for (let i = 0; i < 2; i += 1) {
    expect(outcome(() => parseGrammar(text))).toStrictEqual(expected);
    const reduced = outcome(() => withoutLeftOut(parseGrammar(text, { unread: UNREAD })));
    if ('error' in expected) expect(reduced).toStrictEqual(expected);
    else expect(reduced).toStrictEqual({ value: withoutLeftOut(expected.value) });
  }
}

describe('parseGrammar', () => {
  it('gives what ical.js gives for a CalDAV object, VTIMEZONE read once', () => {
    expectSameAsIcalJs(object());
    expectSameAsIcalJs(object('BEGIN:VALARM', 'TRIGGER:-PT15M', 'END:VALARM'));
  });

  it('leaves out the lines of unread properties, and only those', () => {
    const read = parseGrammar(object('PRIORITY:5', 'CATEGORIES:a,b'), { unread: UNREAD });
    const [, properties, components] = read as [string, unknown[][], unknown[][]];
    expect(properties).toStrictEqual([]);
    const event = components[1] as [string, unknown[][]];
    expect(event[1].map((property) => property[0])).toStrictEqual([
      'uid',
      'dtstart',
      'summary',
      'categories',
    ]);
    const zone = components[0] as [string, unknown[][], unknown[]];
    expect(zone[0]).toBe('vtimezone');
    expect(zone[1]).toStrictEqual([['tzid', {}, 'text', 'Europe/Paris']]);
  });

  it.each([
    ['a lower-case block', object().replace('BEGIN:VTIMEZONE', 'begin:vtimezone')],
    ['a block as the last lines', PARIS.join('\r\n')],
    ['a block before the calendar', [...PARIS, ...object().split('\r\n')].join('\r\n')],
    ['a block inside the event', object(...PARIS)],
    ['two blocks', object().replace('BEGIN:VEVENT', `${PARIS.join('\r\n')}\r\nBEGIN:VEVENT`)],
    ['a block missing an END', object().replace('END:STANDARD\r\n', '')],
    ['a block with an END too many', object().replace('END:STANDARD', 'END:STANDARD\r\nEND:X')],
    ['a block closing the calendar', object().replace('END:VTIMEZONE', 'END:X\r\nEND:VTIMEZONE')],
    ['an END line continued', object().replace('END:VTIMEZONE', 'END:VTIMEZONE\r\n X')],
    ['a BEGIN line continued', object().replace('BEGIN:VTIMEZONE', 'BEGIN:VTIME\r\n ZONE')],
    [
      'a vCard in the block',
      object().replace('BEGIN:STANDARD', 'BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\nBEGIN:STANDARD'),
    ],
    ['a vCard after it', object('BEGIN:VCARD', 'FN:A', 'DTSTAMP:1', 'END:VCARD')],
    ['a vCard first', `BEGIN:VCARD\r\nVERSION:3.0\r\n${object()}`],
    [
      'a placeholder name in the text',
      object('BEGIN:X-ORDO-CACHED-VTIMEZONE-0', 'END:X-ORDO-CACHED-VTIMEZONE-0'),
    ],
    [
      'a property after the calendar',
      `${object()}\r\nDTSTAMP:20260101T080000Z\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR`,
    ],
    ['an END too many, then properties', object('END:VEVENT', 'END:VCALENDAR', 'END:X', 'X-A:1')],
    ['an unread line continued', object('X-LONG:a', ' b', 'PRIORITY:1', '\tc')],
    ['unread lines with parameters', object('DTSTAMP;VALUE=TEXT:x', 'X-A;B=C:d')],
    ['a line without colon', object('not a property')],
    ['bare LF line ends', object().replace(/\r\n/g, '\n')],
    ['blank lines', object().replace(/\r\n/g, '\r\n\r\n')],
    ['leading spaces', `  \t${object()}`],
    ['a bad RRULE in the block', object().replace('BYMONTH=3;', 'BYMONTH=3;FREQ=NO;')],
    ['nothing', ''],
  ])('gives what ical.js gives (or throws) for %s', (_name, text) => {
    expectSameAsIcalJs(text);
  });

  it('gives what ical.js gives for any arrangement of lines', () => {
    const line = fc.constantFrom(
      'BEGIN:VCALENDAR',
      'END:VCALENDAR',
      'BEGIN:VEVENT',
      'begin:vevent',
      'End:VEVENT',
      'BEGIN:VALARM',
      'END:VALARM',
      PARIS.join('\r\n'),
      PARIS.slice(0, 9).join('\n'),
      'BEGIN:VTIMEZONE',
      'END:VTIMEZONE',
      'BEGIN:STANDARD',
      'END:STANDARD',
      'BEGIN:VCARD',
      'END:VCARD',
      'BEGIN:X-ORDO-CACHED-VTIMEZONE-0',
      'BEGIN:VCARD3',
      'END:X',
      'end:vtimezone',
      'BEGIN;X=1:VEVENT',
      'BEGIN :VEVENT',
      'TZID:Europe/Paris',
      'DTSTART:19700329T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'RRULE:FREQ=SOMETIMES',
      'TZOFFSETFROM:+0100',
      'DTSTAMP:20260101T080000Z',
      'dtstamp:x',
      'DTSTAMP;X-A=1:20260101T080000Z',
      'X-FOO:bar',
      'x-lower:1',
      'PRODID:-//x//',
      'VERSION:4.0',
      'PRIORITY:high',
      'CATEGORIES:a,b',
      'SUMMARY:Bonjour\\, été',
      'DESCRIPTION;LANGUAGE=fr:a',
      'UID:1',
      'FN:Alice',
      'X-ORDO-AFTER:1',
      'no colon',
      '',
      ' continued',
      '\tcontinued',
    );
    const text = fc
      .tuple(
        fc.boolean(),
        fc.array(fc.tuple(line, fc.constantFrom('\r\n', '\n')), { maxLength: 30 }),
      )
      .map(([calendar, lines]) => {
        const body = lines.map(([content, end]) => content + end).join('');
        return calendar ? `BEGIN:VCALENDAR\r\n${body}END:VCALENDAR` : body;
      });
    fc.assert(
      fc.property(text, (input) => expectSameAsIcalJs(input)),
      { numRuns: 3000 },
    );
  });

  it('keeps a bounded number of VTIMEZONE blocks', () => {
    for (let i = 0; i < 100; i += 1) {
      const text = object().replace('TZID:Europe/Paris', `TZID:Zone ${i}`);
      expect(parseGrammar(text)).toStrictEqual(ICAL.parse(text));
    }
    expect(cachedBlockCount()).toBeLessThanOrEqual(32);
  });

  it('reads a block too long to keep with the rest', () => {
    const rdates = Array.from({ length: 800 }, (_, i) => `RDATE:${1900 + (i % 200)}0101T000000`);
    expectSameAsIcalJs(
      object().replace('BEGIN:STANDARD', `BEGIN:STANDARD\r\n${rdates.join('\r\n')}`),
    );
  });
});
