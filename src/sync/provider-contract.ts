/**
 * The behaviour every CalendarProvider owes the engine, as a vitest suite to run against
 * each one (CalDAV on real servers, the in-memory calendar, Microsoft Graph): call
 * `runProviderContract` inside a `describe`. Each test asks for a fresh, empty calendar.
 */
import { expect, it } from 'vitest';

import { isOrdoError, type ErrorCode } from '../shared/errors.js';
import type { CalendarProvider, RemoteItem, SyncFields, SyncWindow } from './provider.js';

export interface ContractSubject {
  provider: CalendarProvider;
  /** Requests sent so far, for providers that talk HTTP through a counting fetch. */
  requestCount?: () => number;
  /** A cursor of the same provider that it can no longer honour (an expired token). */
  invalidateCursor(cursor: string): string;
}

export interface ContractOptions {
  /** A provider on a new, empty calendar. */
  createSubject(): Promise<ContractSubject>;
  supportsTodos: boolean;
  /** Most requests a no-change listChanges may cost. */
  maxNoChangeRequests?: number;
}

const DAY = 86_400_000;
const WINDOW_START = Date.UTC(2030, 0, 1);
/** Two months of 2030: far from any real data, fixed so runs are comparable. */
export const CONTRACT_WINDOW: SyncWindow = { from: WINDOW_START, to: WINDOW_START + 59 * DAY };

let serial = 0;

/** An event inside the contract window; `overrides` change any field. */
export function contractFields(overrides: Partial<SyncFields> = {}): SyncFields {
  serial += 1;
  const start = WINDOW_START + 10 * DAY + serial * 3_600_000;
  return {
    kind: 'event',
    uid: `ordo-contract-${Date.now().toString(36)}-${serial}@ordo.test`,
    label: `Contract item ${serial}`,
    timing: { allDay: false, start, end: start + 30 * 60_000 },
    remark: '',
    reminder: { kind: 'none' },
    private: false,
    recurring: false,
    ...overrides,
  };
}

export function runProviderContract(options: ContractOptions): void {
  const maxNoChange = options.maxNoChangeRequests ?? 2;

  it('creates, reads, updates and deletes an item', async () => {
    const { provider } = await options.createSubject();
    const fields = contractFields({ remark: 'first', reminder: { kind: 'before', minutes: 15 } });

    const created = await provider.create(fields);
    const read = await provider.get(created.ref);
    expect(read?.fields).toEqual(fields);
    expect(read?.ref).toBe(created.ref);

    const changed = { ...fields, label: 'Renamed', remark: 'second', private: true };
    const updated = await provider.update(created.ref, read?.etag ?? created.etag, changed);
    expect((await provider.get(created.ref))?.fields).toEqual(changed);
    if (created.etag && updated.etag) expect(updated.etag).not.toBe(created.etag);

    await provider.delete(created.ref, updated.etag);
    expect(await provider.get(created.ref)).toBeNull();
  });

  it('refuses a second create of one UID with SYNC_REMOTE_EXISTS naming the ref', async () => {
    const { provider } = await options.createSubject();
    const fields = contractFields();
    const created = await provider.create(fields);

    const error = await failure(
      provider.create({ ...fields, label: 'Again' }),
      'SYNC_REMOTE_EXISTS',
    );
    expect(error.details?.ref).toBe(created.ref);
    expect((await provider.get(created.ref))?.fields.label).toBe(fields.label);
  });

  it('refuses writes with a stale ETag with SYNC_REMOTE_CHANGED', async () => {
    const { provider } = await options.createSubject();
    const fields = contractFields();
    const created = await provider.create(fields);
    const first = await provider.get(created.ref);
    await provider.update(created.ref, first?.etag ?? null, { ...fields, label: 'Changed there' });

    const stale = first?.etag ?? created.etag;
    await failure(
      provider.update(created.ref, stale, { ...fields, label: 'Ours' }),
      'SYNC_REMOTE_CHANGED',
    );
    await failure(provider.delete(created.ref, stale), 'SYNC_REMOTE_CHANGED');
    expect((await provider.get(created.ref))?.fields.label).toBe('Changed there');
  });

  it('treats the delete of a missing item as success', async () => {
    const { provider } = await options.createSubject();
    const created = await provider.create(contractFields());
    await provider.delete(created.ref, created.etag);
    await provider.delete(created.ref, created.etag);
    expect(await provider.get(created.ref)).toBeNull();
  });

  it('lists in full first, then only what changed and what was deleted', async () => {
    const { provider } = await options.createSubject();
    const [a, b, c] = [contractFields(), contractFields(), contractFields()];
    const refs = await Promise.all([a, b, c].map((f) => provider.create(f)));

    const initial = await provider.listChanges(null, CONTRACT_WINDOW);
    expect(initial.complete).toBe(true);
    expect(uidsOf(initial.changed)).toEqual(sorted([a.uid, b.uid, c.uid]));
    expect(initial.cursor).not.toBeNull();

    const current = byUid(initial.changed);
    const d = contractFields();
    await provider.update(refs[0]!.ref, current.get(a.uid)!.etag, { ...a, label: 'A2' });
    await provider.delete(refs[1]!.ref, current.get(b.uid)!.etag);
    await provider.create(d);

    const next = await provider.listChanges(initial.cursor, CONTRACT_WINDOW);
    expect(next.complete).toBe(false);
    expect(uidsOf(next.changed)).toEqual(sorted([a.uid, d.uid]));
    expect(byUid(next.changed).get(a.uid)?.fields.label).toBe('A2');
    expect(next.deleted).toEqual([refs[1]!.ref]);
  });

  it(`answers a no-change listing with nothing, in at most ${maxNoChange} requests`, async () => {
    const subject = await options.createSubject();
    await Promise.all([contractFields(), contractFields()].map((f) => subject.provider.create(f)));
    const initial = await subject.provider.listChanges(null, CONTRACT_WINDOW);

    const before = subject.requestCount?.() ?? 0;
    const again = await subject.provider.listChanges(initial.cursor, CONTRACT_WINDOW);
    const spent = (subject.requestCount?.() ?? 0) - before;

    expect(again).toMatchObject({ complete: false, changed: [], deleted: [] });
    expect(spent).toBeLessThanOrEqual(maxNoChange);
    expect(again.cursor).not.toBeNull();
  });

  it('answers a cursor it no longer honours with a complete listing, never an empty one', async () => {
    const subject = await options.createSubject();
    const fields = [contractFields(), contractFields()];
    await Promise.all(fields.map((f) => subject.provider.create(f)));
    const initial = await subject.provider.listChanges(null, CONTRACT_WINDOW);

    const cursor = subject.invalidateCursor(initial.cursor as string);
    const answer = await subject.provider.listChanges(cursor, CONTRACT_WINDOW);
    expect(answer.complete).toBe(true);
    expect(uidsOf(answer.changed)).toEqual(sorted(fields.map((f) => f.uid)));
    expect(answer.cursor).not.toBeNull();
  });

  it('leaves out items outside the window, first and incrementally', async () => {
    const { provider } = await options.createSubject();
    const inside = contractFields();
    const before = contractFields({ timing: shifted(inside, -200 * DAY) });
    await Promise.all([inside, before].map((f) => provider.create(f)));

    const initial = await provider.listChanges(null, CONTRACT_WINDOW);
    expect(uidsOf(initial.changed)).toEqual([inside.uid]);

    const after = contractFields({ timing: shifted(inside, 200 * DAY) });
    await provider.create(after);
    const next = await provider.listChanges(initial.cursor, CONTRACT_WINDOW);
    // A provider may answer in full when unsure; either way `after` stays out.
    expect(uidsOf(next.changed)).toEqual(next.complete ? [inside.uid] : []);

    const wider = { from: CONTRACT_WINDOW.from, to: CONTRACT_WINDOW.to + 365 * DAY };
    const widened = await provider.listChanges(next.cursor, wider);
    expect(uidsOf(widened.changed)).toEqual([after.uid]);
  });

  it('keeps text intact: unicode, line breaks and iCalendar special characters', async () => {
    const { provider } = await options.createSubject();
    const fields = contractFields({
      uid: `ünï/cödé ${Date.now()}@ordo.test`,
      label: 'Überprüfung – Zürich; ∑ 日本語 📞, done',
      // A literal backslash before `n` is left out: Xandikos 0.2.8 turns it into a line break.
      remark: 'Line 1\nC:\\Temp\\reports, draft; v2\n\nÉté 🌞 "quoted"',
    });
    const created = await provider.create(fields);
    expect((await provider.get(created.ref))?.fields).toEqual(fields);

    const listed = await provider.listChanges(null, CONTRACT_WINDOW);
    expect(listed.changed.map((item) => item.fields)).toEqual([fields]);
    expect(listed.changed[0]?.ref).toBe(created.ref);
  });

  it('keeps an all-day item on its dates, end exclusive', async () => {
    const { provider } = await options.createSubject();
    const fields = contractFields({
      timing: { allDay: true, startDate: '2030-01-25', endDate: '2030-01-26' },
      reminder: { kind: 'before', minutes: 60 },
    });
    const created = await provider.create(fields);
    expect((await provider.get(created.ref))?.fields).toEqual(fields);

    const listed = await provider.listChanges(null, CONTRACT_WINDOW);
    expect(listed.changed.map((item) => item.fields)).toEqual([fields]);
  });

  // A collection of appointments only has no todo case at all (not a skipped one).
  if (options.supportsTodos) {
    it('round-trips a todo and lists it', async () => {
      const { provider } = await options.createSubject();
      expect(provider.kinds).toContain('todo');
      const todo = contractFields({
        kind: 'todo',
        reminder: { kind: 'at', at: WINDOW_START + DAY },
      });
      const created = await provider.create(todo);
      expect((await provider.get(created.ref))?.fields).toEqual(todo);

      const listed = await provider.listChanges(null, CONTRACT_WINDOW);
      expect(listed.changed.map((item) => item.fields)).toEqual([todo]);
    });
  }
}

async function failure(promise: Promise<unknown>, code: ErrorCode) {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!isOrdoError(error, code)) throw new Error(`Expected ${code}, got ${String(error)}`);
  return error;
}

function shifted(fields: SyncFields, ms: number): SyncFields['timing'] {
  const timing = fields.timing;
  if (timing.allDay) return timing;
  return { allDay: false, start: timing.start + ms, end: timing.end + ms };
}

function uidsOf(items: RemoteItem[]): string[] {
  return sorted(items.map((item) => item.fields.uid));
}

function byUid(items: RemoteItem[]): Map<string, RemoteItem> {
  return new Map(items.map((item) => [item.fields.uid, item]));
}

function sorted(values: string[]): string[] {
  return [...values].sort();
}
