import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reminder, TaskTiming } from '../planning/types.js';
import { parseCalendar } from './parse.js';
import type { WriteItem } from './types.js';
import { writeCalendar } from './write.js';

const MINUTE = 60_000;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// Europe/Paris DST changes: the generated times cluster around them.
const PARIS_CHANGES = [
  '2023-03-26T01:00:00Z',
  '2023-10-29T01:00:00Z',
  '2024-03-31T01:00:00Z',
  '2024-10-27T01:00:00Z',
  '2025-03-30T01:00:00Z',
  '2025-10-26T01:00:00Z',
].map((iso) => Date.parse(iso));

const PIECES = [
  '\\',
  ';',
  ',',
  ':',
  '\n',
  '"',
  "'",
  ' ',
  '\t',
  'n',
  '\\n',
  '\\,',
  '<b>bold</b>',
  '&amp;',
  '<script>',
  'é',
  'ß',
  '€',
  '中文',
  '日本語',
  '한국어',
  '😀',
  '📞',
  '👩‍💻',
  '🇫🇷',
  'a',
  'Z',
  '0',
  'BEGIN:VEVENT',
  'END:VCALENDAR',
  '=',
  '^',
];

/** Text with every character that needs care, plus arbitrary Unicode. */
const text = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', maxLength: 6 })), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''))
  // Control characters other than tab and LF are not allowed in TEXT: the writer drops them.
  // eslint-disable-next-line no-control-regex
  .map((value) => value.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ''));

const category = text
  .map((value) => value.replace(/\n/g, ' ').trim())
  .filter((value) => value !== '');

const instant = fc
  .tuple(fc.constantFrom(...PARIS_CHANGES), fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }))
  .map(([change, minutes]) => change + minutes * MINUTE);

const timed: fc.Arbitrary<TaskTiming> = fc
  .tuple(instant, fc.integer({ min: 0, max: 3 * 24 * 60 }))
  .map(([start, minutes]) => ({ allDay: false, start, end: start + minutes * MINUTE }));

const allDay: fc.Arbitrary<TaskTiming> = fc
  .tuple(
    fc.constantFrom(...PARIS_CHANGES),
    fc.integer({ min: -3, max: 3 }),
    fc.integer({ min: 1, max: 10 }),
  )
  .map(([change, offset, days]) => ({
    allDay: true,
    startDate: new Date(change + offset * 86_400_000).toISOString().slice(0, 10),
    endDate: new Date(change + (offset + days) * 86_400_000).toISOString().slice(0, 10),
  }));

const reminder: fc.Arbitrary<Reminder> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc
    .integer({ min: 0, max: 14 * 24 * 60 })
    .map((minutes) => ({ kind: 'before' as const, minutes })),
  instant.map((at) => ({ kind: 'at' as const, at })),
);

const item: fc.Arbitrary<WriteItem> = fc.record({
  uid: fc.oneof(
    fc.uuid(),
    text.filter((value) => value.trim() !== '' && !value.includes('\n')),
  ),
  kind: fc.constantFrom('event' as const, 'todo' as const),
  label: text,
  remark: text,
  location: text,
  categories: fc.array(category, { maxLength: 4 }),
  timing: fc.oneof(timed, allDay),
  reminder,
  private: fc.boolean(),
  sequence: fc.nat({ max: 1000 }),
  dtstamp: instant,
});

describe('writeCalendar then parseCalendar', () => {
  it('gives back the same fields, with every line within 75 octets and valid UTF-8', () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), (items) => {
        const unique = items.map((one, index) => ({ ...one, uid: `${index}-${one.uid}` }));
        const ics = writeCalendar({ timeZone: 'Europe/Paris', items: unique });

        for (const line of Buffer.from(ics, 'utf8').toString('latin1').split('\r\n')) {
          expect(Buffer.from(line, 'latin1').length).toBeLessThanOrEqual(75);
          strictUtf8.decode(Buffer.from(line, 'latin1'));
        }

        const parsed = parseCalendar(ics, { timeZone: 'Europe/Paris' });
        expect(parsed.problems).toEqual([]);
        expect(
          parsed.items.map((one) => ({
            uid: one.uid,
            kind: one.kind,
            label: one.label,
            remark: one.remark,
            location: one.location,
            categories: one.categories,
            timing: one.timing,
            reminder: one.reminder,
            private: one.private,
            sequence: one.sequence,
          })),
        ).toEqual(
          unique.map((one) => ({
            uid: one.uid,
            kind: one.kind,
            label: one.label,
            remark: one.remark,
            location: one.location,
            categories: one.categories,
            timing: one.timing,
            reminder: one.reminder,
            private: one.private,
            sequence: one.sequence,
          })),
        );
      }),
      { numRuns: 300 },
    );
  });
});
