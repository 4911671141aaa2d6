import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isOrdoError } from '../shared/errors.js';
import { parseCalendar } from './parse.js';
import type { ParsedItem, ParseResult } from './types.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/interop/', import.meta.url));

function fixture(name: string): Buffer {
  return readFileSync(FIXTURES + name);
}

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

function event(uid: string, ...lines: string[]): string[] {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', ...lines, 'END:VEVENT'];
}

function item(result: ParseResult, uid: string): ParsedItem {
  const found = result.items.find((candidate) => candidate.uid === uid);
  if (!found) throw new Error(`no item ${uid}: ${JSON.stringify(result.problems)}`);
  return found;
}

function iso(instant: number): string {
  return new Date(instant).toISOString().replace('.000Z', 'Z');
}

function span(parsed: ParsedItem): [string, string] {
  if (parsed.timing.allDay) throw new Error('expected a timed item');
  return [iso(parsed.timing.start), iso(parsed.timing.end)];
}

function startOf(ics: string, timeZone = 'UTC'): string {
  const result = parseCalendar(ics, { timeZone });
  expect(result.problems).toEqual([]);
  return span(result.items[0]!)[0];
}

describe('interop fixtures', () => {
  it('01: Windows zone names, quoted or bare, with or without a VTIMEZONE', () => {
    const result = parseCalendar(fixture('01-outlook-undefined-windows-tzid.ics'), {
      timeZone: 'America/New_York',
    });
    expect(result.problems).toEqual([]);
    expect(span(item(result, 'case01-a@example.org'))).toEqual([
      '2023-03-07T07:15:00Z',
      '2023-03-07T08:15:00Z',
    ]);
    expect(span(item(result, 'case01-b@example.org'))).toEqual([
      '2023-07-04T06:15:00Z',
      '2023-07-04T07:15:00Z',
    ]);
    expect(span(item(result, 'case01-c@example.org'))[0]).toBe('2023-03-07T07:15:00Z');
  });

  it('04: a line folded just before a 4-byte character', () => {
    const result = parseCalendar(fixture('04-fold-surrogate-pair.ics'), { timeZone: 'UTC' });
    expect(item(result, 'case04@example.org').label).toBe(`${'0123456789ABCDEF'.repeat(4)}:📞`);
  });

  it('05: TEXT escapes', () => {
    const result = parseCalendar(fixture('05-text-escapes.ics'), { timeZone: 'UTC' });
    const parsed = item(result, 'case05-escapes@example.org');
    expect(parsed.label).toBe('Review C:\\new\\reports, draft; v2');
    expect(parsed.remark.split('\n')).toEqual(['Line1', '\\n', 'Line3']);
    expect(parsed.location).toBe('Room 4, Building B\\nNorth');
    expect(parsed.location.includes('\n')).toBe(false);
  });

  it('06: DURATION instead of DTEND, and no end at all', () => {
    const result = parseCalendar(fixture('06-duration-no-dtend.ics'), { timeZone: 'Asia/Tokyo' });
    expect(result.problems).toEqual([]);
    expect(span(item(result, 'case06-duration@example.org'))[1]).toBe('2024-02-15T09:15:00Z');
    expect(item(result, 'case06-allday-no-end@example.org').timing).toEqual({
      allDay: true,
      startDate: '2024-02-16',
      endDate: '2024-02-17',
    });
    expect(span(item(result, 'case06-instant@example.org'))).toEqual([
      '2024-02-17T10:00:00Z',
      '2024-02-17T10:00:00Z',
    ]);
    const todo = item(result, 'case06-todo@example.org');
    expect(todo.kind).toBe('todo');
    expect(span(todo)[1]).toBe('2024-02-19T10:00:00Z');
  });

  it('08: alarm triggers: zero offset, RELATED=END, absolute', () => {
    const result = parseCalendar(fixture('08-valarm-triggers.ics'), { timeZone: 'Europe/Paris' });
    const parsed = item(result, 'case08@example.org');
    expect(parsed.alarms.map(iso)).toEqual([
      '2022-02-02T15:00:00Z',
      '2022-02-02T15:55:00Z',
      '2022-02-02T16:30:00Z',
    ]);
    expect(parsed.reminder).toEqual({ kind: 'before', minutes: 0 });
    expect(parsed.recurring).toBe(false);

    const todo = item(result, 'case08-todo@example.org');
    expect(todo.recurring).toBe(true);
    expect(todo.alarms.map(iso)).toEqual(['2022-02-02T16:30:00Z']);
    expect(todo.reminder).toEqual({ kind: 'at', at: Date.parse('2022-02-02T16:30:00Z') });
  });

  it('10: all-day dates never pass through UTC, whatever the zone', () => {
    for (const timeZone of ['UTC', 'Pacific/Kiritimati', 'America/Adak', 'Europe/Paris']) {
      const result = parseCalendar(fixture('10-allday-single-day.ics'), { timeZone });
      expect(item(result, 'case10-xmas@example.org').timing).toEqual({
        allDay: true,
        startDate: '2024-12-25',
        endDate: '2024-12-26',
      });
      expect(item(result, 'case10-multi@example.org').timing).toEqual({
        allDay: true,
        startDate: '2018-11-01',
        endDate: '2018-11-05',
      });
    }
  });
});

describe('unfolding bytes', () => {
  const prefix = Buffer.from(
    calendar(...event('fold', 'DTSTART:20240101T100000Z', 'SUMMARY:@@')).split('@@')[0]!,
  );
  const suffix = Buffer.from(
    calendar(...event('fold', 'DTSTART:20240101T100000Z', 'SUMMARY:@@')).split('@@')[1]!,
  );

  for (const [size, char] of [
    [2, 'é'],
    [3, '€'],
    [3, '中'],
    [4, '📞'],
  ] as const) {
    it(`reads a fold inside a ${size}-byte character (${char}), CRLF and LF`, () => {
      const bytes = Buffer.from(`ab${char}cd`);
      for (let cut = 3; cut < 2 + size; cut += 1) {
        for (const lineEnd of ['\r\n ', '\n ', '\r\n\t']) {
          const folded = Buffer.concat([
            prefix,
            bytes.subarray(0, cut),
            Buffer.from(lineEnd),
            bytes.subarray(cut),
            suffix,
          ]);
          const result = parseCalendar(folded, { timeZone: 'UTC' });
          expect(item(result, 'fold').label).toBe(`ab${char}cd`);
        }
      }
    });
  }

  it('accepts LF-only files', () => {
    const ics = calendar(...event('lf', 'DTSTART:20240101T100000Z', 'SUMMARY:Plain')).replace(
      /\r\n/g,
      '\n',
    );
    expect(item(parseCalendar(ics, { timeZone: 'UTC' }), 'lf').label).toBe('Plain');
  });

  it('reads a file that is not UTF-8 as Windows-1252 instead of failing', () => {
    const ics = calendar(...event('latin', 'DTSTART:20240101T100000Z', 'SUMMARY:Caf\u00e9'));
    const result = parseCalendar(Buffer.from(ics, 'latin1'), { timeZone: 'UTC' });
    expect(item(result, 'latin').label).toBe('Café');
  });
});

describe('time zones', () => {
  it.each([
    ['W. Europe Standard Time', '2024-01-15T09:00:00Z'],
    ['"W. Europe Standard Time"', '2024-01-15T09:00:00Z'],
    ['Romance Standard Time', '2024-01-15T09:00:00Z'],
    ['GMT Standard Time', '2024-01-15T10:00:00Z'],
    ['Eastern Standard Time', '2024-01-15T15:00:00Z'],
    ['Pacific Standard Time', '2024-01-15T18:00:00Z'],
    ['India Standard Time', '2024-01-15T04:30:00Z'],
    ['Tokyo Standard Time', '2024-01-15T01:00:00Z'],
    ['AUS Eastern Standard Time', '2024-01-14T23:00:00Z'],
    ['Nepal Standard Time', '2024-01-15T04:15:00Z'],
    ['UTC', '2024-01-15T10:00:00Z'],
    ['"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"', '2024-01-15T09:00:00Z'],
    ['"(UTC-05:00) Eastern Time (US & Canada)"', '2024-01-15T15:00:00Z'],
    ['/mozilla.org/20050126_1/Europe/Paris', '2024-01-15T09:00:00Z'],
    ['/softwarestudio.org/Olson_20011030_5/America/New_York', '2024-01-15T15:00:00Z'],
    ['/citadel.org/20190914_1/Asia/Kolkata', '2024-01-15T04:30:00Z'],
    ['America/Argentina/Buenos_Aires', '2024-01-15T13:00:00Z'],
  ])('TZID=%s without a VTIMEZONE', (tzid, expected) => {
    const ics = calendar(...event('tz', `DTSTART;TZID=${tzid}:20240115T100000`));
    expect(startOf(ics)).toBe(expected);
  });

  it.each([
    // RFC 5545 3.3.5: a time in the spring gap takes the offset before the gap; an
    // ambiguous time in the fall overlap is its first occurrence.
    ['America/New_York', '20240310T023000', '2024-03-10T07:30:00Z'],
    ['America/New_York', '20240310T013000', '2024-03-10T06:30:00Z'],
    ['America/New_York', '20240310T030000', '2024-03-10T07:00:00Z'],
    ['America/New_York', '20241103T013000', '2024-11-03T05:30:00Z'],
    ['America/New_York', '20241103T020000', '2024-11-03T07:00:00Z'],
    ['America/New_York', '20241103T005959', '2024-11-03T04:59:59Z'],
    ['Europe/Paris', '20240331T023000', '2024-03-31T01:30:00Z'],
    ['Europe/Paris', '20240331T030000', '2024-03-31T01:00:00Z'],
    ['Europe/Paris', '20241027T023000', '2024-10-27T00:30:00Z'],
    ['Europe/Paris', '20241027T030000', '2024-10-27T02:00:00Z'],
    ['Eastern Standard Time', '20240310T023000', '2024-03-10T07:30:00Z'],
    ['Romance Standard Time', '20241027T023000', '2024-10-27T00:30:00Z'],
  ])('DST edge in %s at %s', (tzid, local, expected) => {
    expect(startOf(calendar(...event('dst', `DTSTART;TZID=${tzid}:${local}`)))).toBe(expected);
  });

  it('reads floating times in the zone of the options, DST edges included', () => {
    const ics = (local: string) => calendar(...event('f', `DTSTART:${local}`));
    expect(startOf(ics('20240701T100000'), 'Europe/Paris')).toBe('2024-07-01T08:00:00Z');
    expect(startOf(ics('20240331T023000'), 'Europe/Paris')).toBe('2024-03-31T01:30:00Z');
    expect(startOf(ics('20241103T013000'), 'America/New_York')).toBe('2024-11-03T05:30:00Z');
  });

  const customZone = [
    'BEGIN:VTIMEZONE',
    'TZID:Head Office',
    'BEGIN:STANDARD',
    'DTSTART:19701025T030000',
    'TZOFFSETFROM:+0200',
    'TZOFFSETTO:+0100',
    'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    'END:STANDARD',
    'BEGIN:DAYLIGHT',
    'DTSTART:19700329T020000',
    'TZOFFSETFROM:+0100',
    'TZOFFSETTO:+0200',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    'END:DAYLIGHT',
    'END:VTIMEZONE',
  ];

  it.each([
    ['20240115T100000', '2024-01-15T09:00:00Z'],
    ['20240715T100000', '2024-07-15T08:00:00Z'],
    ['20240331T013000', '2024-03-31T00:30:00Z'],
    ['20240331T023000', '2024-03-31T01:30:00Z'],
    ['20240331T030000', '2024-03-31T01:00:00Z'],
    ['20241027T023000', '2024-10-27T00:30:00Z'],
    ['20241027T030000', '2024-10-27T02:00:00Z'],
    ['20380101T120000', '2038-01-01T11:00:00Z'],
    ['21500701T120000', '2150-07-01T10:00:00Z'],
  ])('reads a zone known only from its VTIMEZONE at %s', (local, expected) => {
    const ics = calendar(...customZone, ...event('custom', `DTSTART;TZID=Head Office:${local}`));
    expect(startOf(ics)).toBe(expected);
  });

  it('reads an Outlook "Customized Time Zone" whose rules start in 1601', () => {
    const outlook = fixture('01-outlook-undefined-windows-tzid.ics')
      .toString('utf8')
      .replace(/W\. Europe Standard Time/g, 'Customized Time Zone');
    const result = parseCalendar(outlook, { timeZone: 'UTC' });
    expect(result.problems).toEqual([]);
    expect(span(item(result, 'case01-c@example.org'))).toEqual([
      '2023-03-07T07:15:00Z',
      '2023-03-07T08:15:00Z',
    ]);
    const summer = calendar(
      ...outlook.split('\r\n').slice(5, 20),
      ...event('s', 'DTSTART;TZID=Customized Time Zone:20230704T081500'),
      ...event('gap', 'DTSTART;TZID=Customized Time Zone:20230326T023000'),
      ...event('overlap', 'DTSTART;TZID=Customized Time Zone:20231029T023000'),
    );
    const parsed = parseCalendar(summer, { timeZone: 'UTC' });
    expect(parsed.problems).toEqual([]);
    expect(span(item(parsed, 's'))[0]).toBe('2023-07-04T06:15:00Z');
    expect(span(item(parsed, 'gap'))[0]).toBe('2023-03-26T01:30:00Z');
    expect(span(item(parsed, 'overlap'))[0]).toBe('2023-10-29T00:30:00Z');
  });

  it('reads a southern-hemisphere VTIMEZONE and one with RDATE onsets', () => {
    const southern = [
      'BEGIN:VTIMEZONE',
      'TZID:Down Under',
      'BEGIN:STANDARD',
      'DTSTART:20080406T030000',
      'TZOFFSETFROM:+1100',
      'TZOFFSETTO:+1000',
      'RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:20081005T020000',
      'TZOFFSETFROM:+1000',
      'TZOFFSETTO:+1100',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
      'BEGIN:VTIMEZONE',
      'TZID:Listed',
      'BEGIN:STANDARD',
      'DTSTART:20000101T000000',
      'TZOFFSETFROM:+0300',
      'TZOFFSETTO:+0300',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:20240601T000000',
      'TZOFFSETFROM:+0300',
      'TZOFFSETTO:+0400',
      'RDATE:20250601T000000',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'DTSTART:20240901T000000',
      'TZOFFSETFROM:+0400',
      'TZOFFSETTO:+0300',
      'RDATE:20250901T000000',
      'END:STANDARD',
      'END:VTIMEZONE',
    ];
    const result = parseCalendar(
      calendar(
        ...southern,
        ...event('jan', 'DTSTART;TZID=Down Under:20240115T100000'),
        ...event('jul', 'DTSTART;TZID=Down Under:20240715T100000'),
        ...event('l1', 'DTSTART;TZID=Listed:20250715T100000'),
        ...event('l2', 'DTSTART;TZID=Listed:20251015T100000'),
      ),
      { timeZone: 'UTC' },
    );
    expect(result.problems).toEqual([]);
    expect(span(item(result, 'jan'))[0]).toBe('2024-01-14T23:00:00Z');
    expect(span(item(result, 'jul'))[0]).toBe('2024-07-15T00:00:00Z');
    expect(span(item(result, 'l1'))[0]).toBe('2025-07-15T06:00:00Z');
    expect(span(item(result, 'l2'))[0]).toBe('2025-10-15T07:00:00Z');
  });

  it('prefers the IANA database to a VTIMEZONE that reuses an IANA name', () => {
    const wrong = customZone.map((line) =>
      line === 'TZID:Head Office' ? 'TZID:America/New_York' : line,
    );
    const ics = calendar(
      ...wrong,
      ...event('iana', 'DTSTART;TZID=America/New_York:20240115T100000'),
    );
    expect(startOf(ics)).toBe('2024-01-15T15:00:00Z');
  });

  it('adds nominal days of a DURATION in local time across a DST change', () => {
    const ics = calendar(
      ...event('d', 'DTSTART;TZID=Europe/Paris:20240330T100000', 'DURATION:P1DT1H'),
    );
    const parsed = parseCalendar(ics, { timeZone: 'UTC' }).items[0]!;
    expect(span(parsed)).toEqual(['2024-03-30T09:00:00Z', '2024-03-31T09:00:00Z']);
  });
});

describe('fields', () => {
  it('reads categories, class, status, sequence, last-modified and recurrence', () => {
    const result = parseCalendar(
      calendar(
        ...event(
          'a',
          'DTSTART:20240101T100000Z',
          'CATEGORIES:Work,Client\\, big',
          'CATEGORIES:Urgent',
          'CLASS:CONFIDENTIAL',
          'STATUS:cancelled',
          'SEQUENCE:4',
          'LAST-MODIFIED:20240102T030405Z',
        ),
        ...event('b', 'DTSTART:20240101T100000Z', 'CLASS:PUBLIC', 'RDATE:20240105T100000Z'),
        ...event('c', 'DTSTART:20240101T100000Z', 'RECURRENCE-ID:20240101T100000Z'),
        ...event('d', 'DTSTART:20240101T100000Z', 'CLASS:private'),
      ),
      { timeZone: 'UTC' },
    );
    const a = item(result, 'a');
    expect(a.categories).toEqual(['Work', 'Client, big', 'Urgent']);
    expect(a.private).toBe(true);
    expect(a.status).toBe('CANCELLED');
    expect(a.sequence).toBe(4);
    expect(a.lastModified).toBe(Date.parse('2024-01-02T03:04:05Z'));
    expect(a.recurring).toBe(false);
    expect(item(result, 'b')).toMatchObject({ private: false, recurring: true, status: null });
    expect(item(result, 'b').lastModified).toBeNull();
    expect(item(result, 'c').recurring).toBe(true);
    expect(item(result, 'd').private).toBe(true);
  });

  it('picks the first DISPLAY alarm as the reminder and lists every alarm', () => {
    const result = parseCalendar(
      calendar(
        ...event(
          'r',
          'DTSTART:20240101T100000Z',
          'DTEND:20240101T120000Z',
          'BEGIN:VALARM',
          'ACTION:AUDIO',
          'TRIGGER:-PT5M',
          'END:VALARM',
          'BEGIN:VALARM',
          'ACTION:DISPLAY',
          'DESCRIPTION:x',
          'TRIGGER;RELATED=END:-PT2H30M',
          'END:VALARM',
        ),
        ...event(
          'after',
          'DTSTART:20240101T100000Z',
          'BEGIN:VALARM',
          'ACTION:DISPLAY',
          'DESCRIPTION:x',
          'TRIGGER:PT10M',
          'END:VALARM',
        ),
        ...event(
          'audio',
          'DTSTART:20240101T100000Z',
          'BEGIN:VALARM',
          'ACTION:AUDIO',
          'TRIGGER:-P1DT1H',
          'END:VALARM',
        ),
      ),
      { timeZone: 'UTC' },
    );
    const r = item(result, 'r');
    expect(r.reminder).toEqual({ kind: 'before', minutes: 30 });
    expect(r.alarms.map(iso)).toEqual(['2024-01-01T09:55:00Z', '2024-01-01T09:30:00Z']);
    expect(item(result, 'after').reminder).toEqual({
      kind: 'at',
      at: Date.parse('2024-01-01T10:10:00Z'),
    });
    expect(item(result, 'audio').reminder).toEqual({ kind: 'before', minutes: 1500 });
  });

  it('counts an all-day reminder from midnight in the zone of the options', () => {
    const ics = calendar(
      ...event(
        'ad',
        'DTSTART;VALUE=DATE:20240701',
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        'DESCRIPTION:x',
        'TRIGGER:-PT15H',
        'END:VALARM',
      ),
    );
    const parsed = parseCalendar(ics, { timeZone: 'Europe/Paris' }).items[0]!;
    expect(parsed.reminder).toEqual({ kind: 'before', minutes: 900 });
    expect(parsed.alarms.map(iso)).toEqual(['2024-06-30T07:00:00Z']);
  });

  it('reads VTODO timing: DUE only, DTSTART and DUE, DTSTART only, all-day DUE', () => {
    const result = parseCalendar(
      calendar(
        'BEGIN:VTODO',
        'UID:due',
        'DUE:20240101T100000Z',
        'END:VTODO',
        'BEGIN:VTODO',
        'UID:both',
        'DTSTART:20240101T080000Z',
        'DUE:20240101T100000Z',
        'END:VTODO',
        'BEGIN:VTODO',
        'UID:start',
        'DTSTART:20240101T080000Z',
        'END:VTODO',
        'BEGIN:VTODO',
        'UID:date',
        'DUE;VALUE=DATE:20240105',
        'END:VTODO',
      ),
      { timeZone: 'UTC' },
    );
    expect(span(item(result, 'due'))).toEqual(['2024-01-01T10:00:00Z', '2024-01-01T10:00:00Z']);
    expect(span(item(result, 'both'))).toEqual(['2024-01-01T08:00:00Z', '2024-01-01T10:00:00Z']);
    expect(span(item(result, 'start'))).toEqual(['2024-01-01T08:00:00Z', '2024-01-01T08:00:00Z']);
    expect(item(result, 'date').timing).toEqual({
      allDay: true,
      startDate: '2024-01-05',
      endDate: '2024-01-06',
    });
  });

  it('reads an all-day item whose DTEND equals DTSTART as one day', () => {
    const ics = calendar(
      ...event('same', 'DTSTART;VALUE=DATE:20240229', 'DTEND;VALUE=DATE:20240229'),
    );
    expect(parseCalendar(ics, { timeZone: 'UTC' }).items[0]!.timing).toEqual({
      allDay: true,
      startDate: '2024-02-29',
      endDate: '2024-03-01',
    });
  });
});

describe('bad input', () => {
  function unreadable(input: Buffer | string): void {
    let caught: unknown;
    try {
      parseCalendar(input, { timeZone: 'UTC' });
    } catch (error) {
      caught = error;
    }
    expect(isOrdoError(caught, 'ICS_UNREADABLE')).toBe(true);
  }

  it('refuses what is not iCalendar', () => {
    unreadable('');
    unreadable('hello world');
    unreadable('<html><body>Not found</body></html>');
    unreadable(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]));
    unreadable('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alice\r\nEND:VCARD\r\n');
    unreadable('BEGIN:VCALENDAR\r\nthis line has no colon\r\nEND:VCALENDAR\r\n');
  });

  it('refuses a truncated file rather than reading part of it as the whole', () => {
    const whole = fixture('06-duration-no-dtend.ics').toString('utf8');
    for (const cut of [40, 200, whole.indexOf('END:VTODO'), whole.length - 15]) {
      unreadable(whole.slice(0, cut));
    }
  });

  it('refuses an unknown zone in the options', () => {
    expect(() => parseCalendar(calendar(), { timeZone: 'Mars/Olympus' })).toThrowError(
      expect.objectContaining({ code: 'TIMEZONE_UNKNOWN' }),
    );
  });

  it('reports bad items with their UID and reads the rest', () => {
    const result = parseCalendar(
      calendar(
        'BEGIN:VEVENT',
        'DTSTART:20240101T100000Z',
        'SUMMARY:No UID',
        'END:VEVENT',
        ...event('good-1', 'DTSTART:20240101T100000Z'),
        ...event('unknown-zone', 'DTSTART;TZID=Mars/Olympus Mons:20240101T100000'),
        ...event('backwards', 'DTSTART:20240101T100000Z', 'DTEND:20240101T090000Z'),
        ...event('backwards-date', 'DTSTART;VALUE=DATE:20240105', 'DTEND;VALUE=DATE:20240104'),
        ...event('no-start', 'SUMMARY:Nothing'),
        ...event('bad-date', 'DTSTART:20241345T100000Z'),
        ...event('bad-value', 'DTSTART:tomorrow'),
        ...event('mixed', 'DTSTART;VALUE=DATE:20240101', 'DTEND:20240102T100000Z'),
        ...event('bad-duration', 'DTSTART:20240101T100000Z', 'DURATION:soon'),
        ...event('date-hours', 'DTSTART;VALUE=DATE:20240101', 'DURATION:PT3H'),
        ...event(
          'bad-alarm',
          'DTSTART:20240101T100000Z',
          'BEGIN:VALARM',
          'ACTION:DISPLAY',
          'TRIGGER:whenever',
          'END:VALARM',
        ),
        'BEGIN:VTODO',
        'UID:todo-without-dates',
        'END:VTODO',
        ...event('good-2', 'DTSTART:20240102T100000Z'),
      ),
      { timeZone: 'UTC' },
    );
    expect(result.items.map((parsed) => parsed.uid)).toEqual(['good-1', 'good-2']);
    const byUid = Object.fromEntries(result.problems.map((problem) => [problem.uid, problem]));
    expect(result.problems).toHaveLength(12);
    expect(byUid['null']).toMatchObject({
      code: 'ICS_ITEM_INVALID',
      reason: 'The item has no UID',
    });
    expect(byUid['unknown-zone']).toMatchObject({ code: 'TIMEZONE_UNKNOWN' });
    expect(byUid['unknown-zone']!.reason).toContain('Mars/Olympus Mons');
    expect(byUid['bad-value']!.reason).toBe('DTSTART is not a valid date: tomorrow');
    expect(byUid['bad-date']!.reason).toBe('DTSTART is not a valid date-time: 20241345T100000Z');
    expect(byUid['backwards']).toMatchObject({ reason: 'DTEND is before DTSTART' });
    expect(byUid['backwards-date']).toMatchObject({ reason: 'DTEND is before DTSTART' });
    for (const uid of [
      'no-start',
      'bad-date',
      'bad-value',
      'mixed',
      'bad-duration',
      'date-hours',
      'bad-alarm',
      'todo-without-dates',
    ]) {
      expect(byUid[uid], uid).toMatchObject({ code: 'ICS_ITEM_INVALID' });
    }
  });
});

describe('speed', () => {
  it('parses 10,000 zoned events with alarms in well under 2 s', () => {
    const zones = ['Europe/Paris', 'W. Europe Standard Time', 'America/New_York'];
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      const month = String(1 + (i % 12)).padStart(2, '0');
      lines.push(
        ...event(
          `event-${i}@example.org`,
          `SUMMARY:Meeting ${i} — réunion, d'équipe`,
          'DESCRIPTION:First line\\nSecond line\\, with a comma',
          `DTSTART;TZID="${zones[i % 3]}":2024${month}${day}T${String(8 + (i % 10)).padStart(2, '0')}3000`,
          `DTEND;TZID="${zones[i % 3]}":2024${month}${day}T190000`,
          'BEGIN:VALARM',
          'ACTION:DISPLAY',
          'DESCRIPTION:Reminder',
          'TRIGGER:-PT15M',
          'END:VALARM',
        ),
      );
    }
    const ics = Buffer.from(calendar(lines.join('\r\n')));
    const started = performance.now();
    const result = parseCalendar(ics, { timeZone: 'Europe/Paris' });
    const elapsed = performance.now() - started;
    console.log(
      `parsed 10,000 events (${(ics.length / 1e6).toFixed(1)} MB) in ${elapsed.toFixed(0)} ms`,
    );
    expect(result.problems).toEqual([]);
    expect(result.items).toHaveLength(10_000);
    expect(elapsed).toBeLessThan(2_000);
  });
});
