import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { contractFields } from '../provider-contract.js';
import { decodeCursor, encodeCursor, isExpiredToken, parseGraphDateTime } from './delta.js';
import { fromGraphEvent, toGraphEvent, UID_PROPERTY } from './event-mapping.js';
import { transactionIdOf } from './events.js';
import type { GraphAnswer } from './graph-client.js';
import { parseRetryAfter } from './graph-client.js';
import { createLimiter } from './limiter.js';
import { fromTodoTask, toTodoTask } from './todo-mapping.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(here, 'fixtures', name), 'utf8')) as Record<string, unknown>;

describe('Graph event mapping', () => {
  const [single, allDay, occurrence] = fixture('event-delta-page.json')['value'] as Array<
    Record<string, unknown>
  >;

  it('reads a delta entry in UTC, with CRLF bodies turned to LF and the iCalUId as UID', () => {
    const item = fromGraphEvent(single!);
    expect(item).toEqual({
      ref: 'AAMkADNVxRAAA=',
      etag: 'W/"EZ9r3czxY0m2jz8c45czkwAAFXcvIw=="',
      lastModified: Date.parse('2030-01-05T09:20:42.353Z'),
      fields: {
        kind: 'event',
        uid: single!['iCalUId'],
        label: 'Chantier Lilas: réunion',
        timing: {
          allDay: false,
          start: Date.UTC(2030, 0, 14, 7, 15),
          end: Date.UTC(2030, 0, 14, 8, 45),
        },
        remark: 'Apporter les plans.\nClé chez le gardien.',
        reminder: { kind: 'before', minutes: 15 },
        private: false,
        recurring: false,
      },
    });
  });

  it('reads an all-day event made in Paris on its own dates, private, without reminder', () => {
    const fields = fromGraphEvent(allDay!)!.fields;
    expect(fields.timing).toEqual({ allDay: true, startDate: '2030-01-21', endDate: '2030-01-23' });
    expect(fields.private).toBe(true);
    expect(fields.reminder).toEqual({ kind: 'none' });
  });

  it('marks an occurrence recurring', () => {
    expect(fromGraphEvent(occurrence!)!.fields.recurring).toBe(true);
  });

  it('writes UTC times, our UID property on create only, and leaves the reminder alone when null', () => {
    const fields = contractFields({ private: true, reminder: null });
    const created = toGraphEvent(fields, true);
    expect(created['singleValueExtendedProperties']).toEqual([
      { id: UID_PROPERTY, value: fields.uid },
    ]);
    expect(created['sensitivity']).toBe('private');
    expect(created).not.toHaveProperty('isReminderOn');
    expect(toGraphEvent(fields, false)).not.toHaveProperty('singleValueExtendedProperties');
    const timing = fields.timing as { start: number };
    expect(created['start']).toEqual({
      dateTime: new Date(timing.start).toISOString().slice(0, 23),
      timeZone: 'UTC',
    });
  });

  it('turns a reminder at a date into minutes before the start', () => {
    const fields = contractFields();
    const start = (fields.timing as { start: number }).start;
    const json = toGraphEvent(
      { ...fields, reminder: { kind: 'at', at: start - 90 * 60_000 } },
      false,
    );
    expect(json).toMatchObject({ isReminderOn: true, reminderMinutesBeforeStart: 90 });
  });

  it('derives one transactionId per UID, shaped as a GUID', () => {
    expect(transactionIdOf('a@ordo.test')).toBe(transactionIdOf('a@ordo.test'));
    expect(transactionIdOf('a@ordo.test')).not.toBe(transactionIdOf('b@ordo.test'));
    expect(transactionIdOf('a@ordo.test')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('Graph To Do mapping', () => {
  it('reads a due date alone as an all-day task, our UID from linkedResources, reminder at a date', () => {
    const item = fromTodoTask(fixture('todo-task.json'), (id) => `todo:${id}`)!;
    expect(item.ref).toMatch(/^todo:AAkALg/);
    expect(item.fields).toEqual({
      kind: 'todo',
      uid: 'task-7f3a@ordo.example',
      label: 'Rappeler le client',
      timing: { allDay: true, startDate: '2030-01-17', endDate: '2030-01-18' },
      remark: 'Devis n° 42',
      reminder: { kind: 'at', at: Date.UTC(2030, 0, 17, 7) },
      private: false,
      recurring: false,
    });
  });

  it('skips a task without a due date', () => {
    const { dueDateTime: _due, ...undated } = fixture('todo-task.json');
    expect(fromTodoTask(undated, (id) => id)).toBeNull();
  });

  it('writes start and due, a reminder before the start as a date, and linkedResources on create', () => {
    const fields = contractFields({ kind: 'todo', reminder: { kind: 'before', minutes: 30 } });
    const start = (fields.timing as { start: number }).start;
    const json = toTodoTask(fields, true);
    expect(json['reminderDateTime']).toEqual({
      dateTime: new Date(start - 30 * 60_000).toISOString().slice(0, 23),
      timeZone: 'UTC',
    });
    expect(json['linkedResources']).toEqual([
      { applicationName: 'Ordo', externalId: fields.uid, displayName: fields.label },
    ]);
  });
});

describe('Graph protocol helpers', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2030, 0, 1);
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(new Date(now + 3000).toUTCString(), now)).toBe(3000);
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('recognises the expired-token answers of the delta documentation', () => {
    const answer = (status: number, code: string): GraphAnswer => ({
      status,
      headers: new Headers(),
      json: { error: { code } },
      text: '',
      path: '/me/calendarView/delta',
    });
    expect(isExpiredToken(answer(410, 'syncStateNotFound'))).toBe(true);
    expect(isExpiredToken(answer(410, 'resyncRequired'))).toBe(true);
    expect(isExpiredToken(answer(400, 'SyncStateInvalid'))).toBe(true);
    expect(isExpiredToken(answer(400, 'ErrorInvalidRequest'))).toBe(false);
    expect(isExpiredToken(answer(404, 'syncStateNotFound'))).toBe(false);
  });

  it('ignores a cursor that is not ours', () => {
    const window = { from: 1, to: 2 };
    expect(decodeCursor(encodeCursor('https://x/delta?$deltatoken=a', window))).toMatchObject({
      link: 'https://x/delta?$deltatoken=a',
    });
    expect(decodeCursor('<sync-token>')).toBeNull();
    expect(decodeCursor(null)).toBeNull();
  });

  it('reads seven fractional digits and refuses a time not in UTC', () => {
    expect(parseGraphDateTime({ dateTime: '2030-01-14T07:15:00.1234567', timeZone: 'UTC' })).toBe(
      Date.UTC(2030, 0, 14, 7, 15, 0, 123),
    );
    expect(
      parseGraphDateTime({ dateTime: '2030-01-14T07:15:00', timeZone: 'Pacific Standard Time' }),
    ).toBeNull();
  });

  it('runs at most its limit of tasks at once', async () => {
    const limiter = createLimiter(4);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((done) => setTimeout(done, 2));
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(4);
    expect(limiter.active).toBe(0);
  });
});
