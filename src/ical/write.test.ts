import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCalendar } from './parse.js';
import type { WriteItem } from './types.js';
import { writeCalendar } from './write.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/interop/', import.meta.url));

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function task(overrides: Partial<WriteItem> = {}): WriteItem {
  return {
    uid: 'task-1@ordo.example',
    kind: 'event',
    label: 'Site visit',
    remark: '',
    location: '',
    categories: [],
    timing: {
      allDay: false,
      start: Date.parse('2024-03-31T07:00:00Z'),
      end: Date.parse('2024-03-31T09:00:00Z'),
    },
    reminder: { kind: 'none' },
    private: false,
    sequence: 0,
    dtstamp: Date.parse('2024-03-01T12:00:00Z'),
    ...overrides,
  };
}

function write(items: WriteItem[], extra: Partial<Parameters<typeof writeCalendar>[0]> = {}) {
  return writeCalendar({ timeZone: 'Europe/Paris', items, ...extra });
}

/** The physical lines, checking CRLF ends, the 75-octet limit and UTF-8 on the way. */
function physicalLines(ics: string): string[] {
  expect(ics.endsWith('\r\n')).toBe(true);
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const bytes = Buffer.from(ics, 'utf8');
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length - 1; i += 1) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 2;
    }
  }
  return lines.map((line) => {
    expect(line.length).toBeLessThanOrEqual(75);
    return strictUtf8.decode(line);
  });
}

/** Logical lines: unfolded. */
function contentLines(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .slice(0, -1);
}

describe('writeCalendar', () => {
  it('10: writes all-day dates as VALUE=DATE with an exclusive end, whatever the zone', () => {
    for (const timeZone of ['Europe/Paris', 'Pacific/Kiritimati', 'America/Adak', 'UTC']) {
      const ics = writeCalendar({
        timeZone,
        items: [task({ timing: { allDay: true, startDate: '2024-12-25', endDate: '2024-12-26' } })],
      });
      expect(contentLines(ics)).toContain('DTSTART;VALUE=DATE:20241225');
      expect(contentLines(ics)).toContain('DTEND;VALUE=DATE:20241226');
    }
    const fixture = readFileSync(`${FIXTURES}10-allday-single-day.ics`);
    const items = parseCalendar(fixture, { timeZone: 'America/Adak' }).items;
    const ics = write(items.map((parsed) => task({ uid: parsed.uid, timing: parsed.timing })));
    expect(contentLines(ics)).toEqual(
      expect.arrayContaining([
        'DTSTART;VALUE=DATE:20241225',
        'DTEND;VALUE=DATE:20241226',
        'DTSTART;VALUE=DATE:20181101',
        'DTEND;VALUE=DATE:20181105',
      ]),
    );
  });

  it('05: writes TEXT escapes back as the fixture has them, without escaping ":"', () => {
    const fixture = readFileSync(`${FIXTURES}05-text-escapes.ics`);
    const parsed = parseCalendar(fixture, { timeZone: 'UTC' }).items[0]!;
    const lines = contentLines(
      write([task({ label: parsed.label, remark: parsed.remark, location: parsed.location })]),
    );
    expect(lines).toContain('SUMMARY:Review C:\\\\new\\\\reports\\, draft\\; v2');
    expect(lines).toContain('DESCRIPTION:Line1\\n\\\\n\\nLine3');
    expect(lines).toContain('LOCATION:Room 4\\, Building B\\\\nNorth');
  });

  it('04: folds at 75 octets without splitting the emoji, and reads back intact', () => {
    const fixture = readFileSync(`${FIXTURES}04-fold-surrogate-pair.ics`);
    const label = parseCalendar(fixture, { timeZone: 'UTC' }).items[0]!.label;
    const ics = write([task({ label })]);
    physicalLines(ics);
    expect(parseCalendar(ics, { timeZone: 'UTC' }).items[0]!.label).toBe(label);
  });

  it('folds every line within 75 octets for 1- to 4-byte characters at every offset', () => {
    for (const char of ['a', 'é', '€', '中', '📞', '👩‍💻']) {
      for (let pad = 0; pad < 80; pad += 1) {
        const label = 'x'.repeat(pad) + char.repeat(60);
        const ics = write([task({ label, remark: label + label })]);
        const lines = physicalLines(ics);
        expect(lines.filter((line) => line.startsWith(' ')).length).toBeGreaterThan(0);
        const parsed = parseCalendar(ics, { timeZone: 'UTC' }).items[0]!;
        expect(parsed.label).toBe(label);
        expect(parsed.remark).toBe(label + label);
      }
    }
  });

  it('writes exactly 75 octets on a line that fits, and folds the 76th', () => {
    const fits = 'SUMMARY:'.length;
    const exact = contentLines(write([task({ label: 'y'.repeat(75 - fits) })]));
    expect(physicalLines(write([task({ label: 'y'.repeat(75 - fits) })]))).toContain(
      `SUMMARY:${'y'.repeat(75 - fits)}`,
    );
    expect(exact).toContain(`SUMMARY:${'y'.repeat(75 - fits)}`);
    const folded = physicalLines(write([task({ label: 'y'.repeat(76 - fits) })]));
    expect(folded).toContain(`SUMMARY:${'y'.repeat(75 - fits)}`);
    expect(folded).toContain(' y');
  });

  it('lets no CR or LF escape from any value', () => {
    const evil = 'x\r\nATTENDEE:mailto:evil@example.org\rEND:VEVENT\nBEGIN:VEVENT';
    const ics = write(
      [
        task({
          uid: `uid${evil}`,
          label: evil,
          remark: evil,
          location: evil,
          categories: [evil, 'b'],
          organizer: { name: `Org${evil}`, email: 'org@example.org\r\nX-EVIL:1' },
          attendees: [{ name: `"Doe${evil}"`, email: `a@example.org${evil}`, rsvp: true }],
        }),
      ],
      { method: 'REQUEST', prodId: `-//Ordo${evil}//EN` },
    );
    const lines = contentLines(ics);
    expect(lines.filter((line) => line.startsWith('BEGIN:VEVENT'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('END:VEVENT'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('ATTENDEE'))).toHaveLength(1);
    expect(lines.some((line) => line.startsWith('X-EVIL'))).toBe(false);
    physicalLines(ics);

    const parsed = parseCalendar(ics, { timeZone: 'UTC' });
    expect(parsed.problems).toEqual([]);
    expect(parsed.items[0]!.label).toBe(evil.replace(/\r\n|\r/g, '\n'));
    expect(parsed.items[0]!.uid).toBe(`uid${evil}`.replace(/\r\n|\r/g, '\n'));
  });

  it('quotes parameter values that hold ":", ";" or ","', () => {
    const lines = contentLines(
      write(
        [
          task({
            organizer: { name: 'Doe, Alice', email: 'alice@example.org' },
            attendees: [
              { name: 'Bob; Jr.', email: 'bob@example.org', rsvp: true },
              { name: 'Carol: CEO', email: 'carol@example.org' },
              { name: 'Dave', email: 'dave@example.org' },
              { name: 'Eve "the" Planner', email: 'eve@example.org' },
            ],
          }),
        ],
        { method: 'REQUEST' },
      ),
    );
    expect(lines).toContain('ORGANIZER;CN="Doe, Alice":mailto:alice@example.org');
    expect(lines).toContain(
      'ATTENDEE;CN="Bob; Jr.";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org',
    );
    expect(lines).toContain(
      'ATTENDEE;CN="Carol: CEO";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:carol@example.org',
    );
    expect(lines).toContain(
      'ATTENDEE;CN=Dave;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:dave@example.org',
    );
    expect(lines).toContain(
      "ATTENDEE;CN=Eve 'the' Planner;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:eve@example.org",
    );
  });

  it('writes an invitation, its update and its cancellation (RFC 5546)', () => {
    const organizer = { name: 'Planning', email: 'planning@example.org' };
    const request = contentLines(write([task({ organizer, sequence: 2 })], { method: 'REQUEST' }));
    expect(request).toEqual(
      expect.arrayContaining(['METHOD:REQUEST', 'SEQUENCE:2', 'UID:task-1@ordo.example']),
    );
    const cancel = contentLines(write([task({ organizer, sequence: 3 })], { method: 'CANCEL' }));
    expect(cancel).toEqual(expect.arrayContaining(['METHOD:CANCEL', 'STATUS:CANCELLED']));
    expect(() => write([task()], { method: 'REQUEST' })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
    expect(contentLines(write([task()], { method: 'PUBLISH' }))).toContain('METHOD:PUBLISH');
  });

  it('writes the calendar frame, UTC times, and instant events without DTEND', () => {
    const lines = contentLines(
      write([
        task({
          timing: {
            allDay: false,
            start: Date.parse('2024-02-17T10:00:00Z'),
            end: Date.parse('2024-02-17T10:00:00Z'),
          },
          lastModified: Date.parse('2024-02-01T08:00:00.750Z'),
          private: true,
          status: 'CONFIRMED',
          categories: ['Work', 'Client, big', ' '],
        }),
      ]),
    );
    expect(lines.slice(0, 4)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Ordo//Ordo planning//EN',
      'CALSCALE:GREGORIAN',
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        'X-WR-TIMEZONE:Europe/Paris',
        'DTSTART:20240217T100000Z',
        'DTSTAMP:20240301T120000Z',
        'LAST-MODIFIED:20240201T080000Z',
        'CLASS:PRIVATE',
        'STATUS:CONFIRMED',
        'CATEGORIES:Work',
        'CATEGORIES:Client\\, big',
      ]),
    );
    expect(lines.some((line) => line.startsWith('DTEND'))).toBe(false);
    expect(lines.at(-1)).toBe('END:VCALENDAR');
  });

  it('writes a VTODO with DUE, and reminders as one DISPLAY alarm', () => {
    const todo = contentLines(
      write([task({ kind: 'todo', reminder: { kind: 'before', minutes: 90 } })]),
    );
    expect(todo).toEqual(
      expect.arrayContaining([
        'BEGIN:VTODO',
        'DTSTART:20240331T070000Z',
        'DUE:20240331T090000Z',
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        'DESCRIPTION:Site visit',
        'TRIGGER:-PT90M',
        'END:VTODO',
      ]),
    );
    expect(todo.some((line) => line.startsWith('DTEND'))).toBe(false);
    const at = contentLines(
      write([
        task({ label: '', reminder: { kind: 'at', at: Date.parse('2024-03-30T18:00:00Z') } }),
      ]),
    );
    expect(at).toEqual(
      expect.arrayContaining(['DESCRIPTION:Reminder', 'TRIGGER;VALUE=DATE-TIME:20240330T180000Z']),
    );
    expect(contentLines(write([task({ reminder: { kind: 'before', minutes: 0 } })]))).toContain(
      'TRIGGER:PT0M',
    );
  });

  it('refuses an item that ends before it starts, bad values and an unknown zone', () => {
    const backwards = task({ timing: { allDay: false, start: 2_000, end: 1_000 } });
    expect(() => write([backwards])).toThrowError(
      expect.objectContaining({ code: 'TASK_TIMING_INVALID' }),
    );
    const empty = task({
      timing: { allDay: true, startDate: '2024-01-02', endDate: '2024-01-02' },
    });
    expect(() => write([empty])).toThrowError(
      expect.objectContaining({ code: 'TASK_TIMING_INVALID' }),
    );
    for (const bad of [
      task({ uid: ' ' }),
      task({ dtstamp: Number.NaN }),
      task({ timing: { allDay: false, start: Number.NaN, end: Number.NaN } }),
      task({ timing: { allDay: true, startDate: '2024-12-25T00:00', endDate: '2024-12-26' } }),
      task({ reminder: { kind: 'at', at: Infinity } }),
    ]) {
      expect(() => write([bad])).toThrowError(expect.objectContaining({ code: 'VALIDATION' }));
    }
    expect(() => writeCalendar({ timeZone: 'Nowhere/Else', items: [] })).toThrowError(
      expect.objectContaining({ code: 'TIMEZONE_UNKNOWN' }),
    );
  });
});
