import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { contractFields, CONTRACT_WINDOW, runProviderContract } from '../provider-contract.js';
import { createLimiter } from './limiter.js';
import { createGraphEventsProvider, type GraphEventsProviderOptions } from './events.js';
import { startGraphStandIn, type GraphStandIn } from './graph-stand-in.js';

let standIn: GraphStandIn;
let calendars = 0;

beforeAll(async () => {
  standIn = await startGraphStandIn();
});
afterAll(async () => {
  await standIn.close();
});

/** A provider on a calendar of its own, with a counting fetch and a sleep that records. */
function subject(overrides: Partial<GraphEventsProviderOptions> = {}) {
  calendars += 1;
  const token = standIn.issueAccessToken();
  let requests = 0;
  const waits: number[] = [];
  const provider = createGraphEventsProvider({
    baseUrl: standIn.graphUrl,
    getAccessToken: async () => token,
    calendarId: `calendar-${calendars}`,
    mailbox: `mailbox-${calendars}`,
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
  return { provider, requestCount: () => requests, waits, calendarId: `calendar-${calendars}` };
}

describe('Graph events provider: the provider contract on the stand-in', () => {
  runProviderContract({
    supportsTodos: false,
    maxNoChangeRequests: 1,
    async createSubject() {
      const { provider, requestCount } = subject();
      return {
        provider,
        requestCount,
        invalidateCursor(cursor) {
          standIn.expireDeltaTokens();
          return cursor;
        },
      };
    },
  });
});

describe('Graph events provider', () => {
  it('follows nextLink pages to the deltaLink, then answers a no-change sync in one request', async () => {
    const s = subject({ pageSize: 3 });
    const fields = Array.from({ length: 10 }, () => contractFields());
    for (const f of fields) await s.provider.create(f);

    const before = s.requestCount();
    const initial = await s.provider.listChanges(null, CONTRACT_WINDOW);
    expect(initial.changed.map((i) => i.fields.uid).sort()).toEqual(
      fields.map((f) => f.uid).sort(),
    );
    // Four delta pages of 3 and four UID-listing pages of 3.
    expect(s.requestCount() - before).toBe(8);

    const again = s.requestCount();
    const next = await s.provider.listChanges(initial.cursor, CONTRACT_WINDOW);
    expect(next).toMatchObject({ complete: false, changed: [], deleted: [] });
    expect(s.requestCount() - again).toBe(1);
    expect(standIn.stats.missingPrefer).toBe(0);
  });

  it('reads our UIDs with one listing instead of one read per event after a bulk edit', async () => {
    const s = subject({ pageSize: 5 });
    const fields = Array.from({ length: 12 }, () => contractFields());
    const created = [];
    for (const f of fields) created.push(await s.provider.create(f));
    const initial = await s.provider.listChanges(null, CONTRACT_WINDOW);

    for (const [i, c] of created.entries()) standIn.editEvent(c.ref, { subject: `Bulk ${i}` });
    const before = s.requestCount();
    const next = await s.provider.listChanges(initial.cursor, CONTRACT_WINDOW);
    // Three delta pages and three UID-listing pages, not twelve reads.
    expect(s.requestCount() - before).toBe(6);
    expect(next.changed.map((i) => i.fields.uid).sort()).toEqual(fields.map((f) => f.uid).sort());
    expect(next.changed.every((i) => i.fields.label.startsWith('Bulk'))).toBe(true);
  });

  it('reports an event that left the window as changed, and only a deleted one as deleted', async () => {
    const s = subject();
    const id = standIn.addEvent({
      subject: 'Moved away',
      start: CONTRACT_WINDOW.from + 86_400_000,
      end: CONTRACT_WINDOW.from + 90_000_000,
      calendarId: s.calendarId,
    });
    const gone = standIn.addEvent({
      subject: 'Deleted',
      start: CONTRACT_WINDOW.from + 86_400_000,
      end: CONTRACT_WINDOW.from + 90_000_000,
      calendarId: s.calendarId,
    });
    const initial = await s.provider.listChanges(null, CONTRACT_WINDOW);
    expect(initial.changed).toHaveLength(2);

    const later = CONTRACT_WINDOW.to + 400 * 86_400_000;
    standIn.editEvent(id, { start: later, end: later + 3_600_000 });
    standIn.removeEvent(gone);
    const next = await s.provider.listChanges(initial.cursor, CONTRACT_WINDOW);
    expect(next.deleted).toEqual([gone]);
    expect(next.changed.map((i) => [i.ref, i.fields.timing])).toEqual([
      [id, { allDay: false, start: later, end: later + 3_600_000 }],
    ]);
  });

  it('marks occurrences, exceptions and series masters recurring, and private items private', async () => {
    const s = subject();
    const at = CONTRACT_WINDOW.from + 86_400_000;
    const base = { start: at, end: at + 3_600_000, calendarId: s.calendarId };
    standIn.addEvent({ ...base, subject: 'Occurrence', type: 'occurrence', seriesMasterId: 'm1' });
    standIn.addEvent({ ...base, subject: 'Exception', type: 'exception', seriesMasterId: 'm1' });
    standIn.addEvent({ ...base, subject: 'Master', type: 'seriesMaster' });
    for (const sensitivity of ['private', 'personal', 'confidential', 'normal']) {
      standIn.addEvent({ ...base, subject: sensitivity, sensitivity });
    }
    const listed = await s.provider.listChanges(null, CONTRACT_WINDOW);
    const byLabel = new Map(listed.changed.map((i) => [i.fields.label, i.fields]));
    expect(['Occurrence', 'Exception', 'Master'].map((l) => byLabel.get(l)?.recurring)).toEqual([
      true,
      true,
      true,
    ]);
    expect(
      ['private', 'personal', 'confidential', 'normal'].map((l) => byLabel.get(l)?.private),
    ).toEqual([true, true, true, false]);
    expect(byLabel.get('normal')?.recurring).toBe(false);
  });

  it('reads an Outlook all-day event made east of UTC on its own dates', async () => {
    const s = subject();
    // Midnight in Paris on 2030-01-25 is 23:00 UTC the evening before.
    standIn.addEvent({
      subject: 'Holiday',
      start: Date.UTC(2030, 0, 24, 23),
      end: Date.UTC(2030, 0, 25, 23),
      isAllDay: true,
      calendarId: s.calendarId,
    });
    const listed = await s.provider.listChanges(null, CONTRACT_WINDOW);
    expect(listed.changed[0]?.fields.timing).toEqual({
      allDay: true,
      startDate: '2030-01-25',
      endDate: '2030-01-26',
    });
  });

  it('makes one event when a create is retried with the same transactionId', async () => {
    const s = subject();
    const fields = contractFields();
    const first = await s.provider.create(fields);
    const retried = await s.provider.create(fields);
    expect(retried.ref).toBe(first.ref);
    const listed = await s.provider.listChanges(null, CONTRACT_WINDOW);
    expect(listed.changed.map((i) => i.ref)).toEqual([first.ref]);
  });

  it('answers a stale ETag on update with SYNC_REMOTE_CHANGED', async () => {
    const s = subject();
    const fields = contractFields();
    const created = await s.provider.create(fields);
    await s.provider.update(created.ref, created.etag, { ...fields, label: 'Theirs' });
    await expect(
      s.provider.update(created.ref, created.etag, { ...fields, label: 'Ours' }),
    ).rejects.toMatchObject({ code: 'SYNC_REMOTE_CHANGED', remote: { status: 412 } });
  });

  it('waits as Retry-After says on 429, and backs off exponentially without it', async () => {
    const s = subject();
    standIn.throttle(2, 7);
    await s.provider.create(contractFields());
    expect(s.waits).toEqual([7000, 7000]);

    standIn.throttle(3, null, 503);
    await s.provider.listChanges(null, CONTRACT_WINDOW);
    expect(s.waits.slice(2)).toEqual([1000, 2000, 4000]);
  });

  it('gives up on endless throttling with GRAPH_THROTTLED, never an empty answer', async () => {
    const s = subject();
    standIn.throttle(10, 1);
    await expect(s.provider.listChanges(null, CONTRACT_WINDOW)).rejects.toMatchObject({
      code: 'GRAPH_THROTTLED',
    });
    standIn.throttle(0, null);
  });

  it('answers an expired delta token (410) with a complete listing', async () => {
    const s = subject();
    await s.provider.create(contractFields());
    const initial = await s.provider.listChanges(null, CONTRACT_WINDOW);
    standIn.expireDeltaTokens();
    const next = await s.provider.listChanges(initial.cursor, CONTRACT_WINDOW);
    expect(next.complete).toBe(true);
    expect(next.changed).toHaveLength(1);
  });

  it('keeps at most 4 requests in flight for one mailbox', async () => {
    const slow = await startGraphStandIn({ latencyMs: 30 });
    try {
      const token = slow.issueAccessToken();
      const options = {
        baseUrl: slow.graphUrl,
        getAccessToken: async () => token,
        mailbox: 'shared-mailbox',
      };
      const a = createGraphEventsProvider(options);
      const b = createGraphEventsProvider({ ...options, calendarId: 'other' });
      await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).create(contractFields())),
      );
      expect(slow.stats.maxInFlight).toBe(4);

      const own = createGraphEventsProvider({ ...options, limiter: createLimiter(2) });
      slow.resetStats();
      await Promise.all(Array.from({ length: 6 }, () => own.create(contractFields())));
      expect(slow.stats.maxInFlight).toBe(2);
    } finally {
      await slow.close();
    }
  });

  it('moves with the window day by day: entering events reported, unchanged ones not', async () => {
    const s = subject();
    const day = 86_400_000;
    const staying = contractFields();
    await s.provider.create(staying);
    const initial = await s.provider.listChanges(null, CONTRACT_WINDOW);

    const entering = contractFields({
      timing: {
        allDay: false,
        start: CONTRACT_WINDOW.to + 2 * 3_600_000,
        end: CONTRACT_WINDOW.to + 3 * 3_600_000,
      },
    });
    await s.provider.create(entering);
    const moved = { from: CONTRACT_WINDOW.from + day, to: CONTRACT_WINDOW.to + day };
    const next = await s.provider.listChanges(initial.cursor, moved);
    expect(next.complete).toBe(false);
    expect(next.changed.map((i) => i.fields.uid)).toEqual([entering.uid]);

    const quiet = await s.provider.listChanges(next.cursor, moved);
    expect(quiet).toMatchObject({ complete: false, changed: [], deleted: [] });
  });

  it("keeps an event's immutable id when it moves to another calendar", async () => {
    const s = subject();
    const created = await s.provider.create(contractFields());
    standIn.moveEvent(created.ref, 'archive');
    expect((await s.provider.get(created.ref))?.ref).toBe(created.ref);
  });

  it('answers delta pages in the documented shape', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const read = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(here, 'fixtures', name), 'utf8')) as Record<
        string,
        unknown
      >;
    const documented = (
      read('event-delta-page.json')['value'] as Array<Record<string, unknown>>
    )[0]!;
    const removed = (
      read('event-delta-removed.json')['value'] as Array<Record<string, unknown>>
    )[0]!;

    const token = standIn.issueAccessToken();
    const id = standIn.addEvent({
      subject: 'Shape',
      start: CONTRACT_WINDOW.from,
      end: CONTRACT_WINDOW.from + 3_600_000,
      calendarId: 'shape',
    });
    const url = `${standIn.graphUrl}/me/calendars/shape/calendarView/delta?startDateTime=2030-01-01T00:00:00Z&endDateTime=2030-03-01T00:00:00Z`;
    const headers = {
      Authorization: `Bearer ${token}`,
      Prefer: 'outlook.timezone="UTC", IdType="ImmutableId"',
    };
    const page = (await (await fetch(url, { headers })).json()) as Record<string, unknown>;
    const entry = (page['value'] as Array<Record<string, unknown>>)[0]!;
    for (const key of Object.keys(entry)) expect(documented).toHaveProperty([key]);
    expect(Object.keys(page).sort()).toEqual(['@odata.context', '@odata.deltaLink', 'value']);

    standIn.removeEvent(id);
    const next = (await (
      await fetch(String(page['@odata.deltaLink']), { headers })
    ).json()) as Record<string, unknown>;
    expect(Object.keys((next['value'] as unknown[])[0] as object).sort()).toEqual(
      Object.keys(removed).sort(),
    );
  });

  it('sent the UTC and immutable-id preferences on every request of this file', () => {
    expect(standIn.stats.missingPrefer).toBe(0);
  });
});
