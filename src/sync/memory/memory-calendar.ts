/**
 * An in-memory calendar collection behind the `CalendarProvider` port, for tests. It keeps a
 * change log like an RFC 6578 sync-collection, and can misbehave the ways real servers do:
 * ETags rewritten on every read or missing after a write, lost races (412), expired cursors
 * that answer a complete listing, 5xx, rejected items, answers cut into pages, content
 * reformatted without a change in meaning, a crash after a write but before it returns, and
 * incremental answers that give only the net difference since the cursor.
 */
import type { Clock } from '../../shared/clock.js';
import { OrdoError } from '../../shared/errors.js';
import type {
  CalendarProvider,
  ChangeSet,
  KnownItems,
  CreateResult,
  ItemKind,
  RemoteItem,
  SyncFields,
  SyncWindow,
  UnreadableItem,
} from '../provider.js';
import { overlaps, spanOf } from '../engine/fields.js';

const UNREADABLE_REASON = 'the memory calendar was told it cannot read this item';

export interface MemoryCalendarOptions {
  clock: Clock;
  kinds?: readonly ItemKind[];
  timeZone?: string;
}

/** The faults the calendar injects; each test sets the ones it wants. */
export interface MemoryCalendarFaults {
  /** Every listing and read gives every item it returns a new ETag (content unchanged). */
  rewriteEtags: boolean;
  /** Creates and updates answer without an ETag, as some servers do. */
  nullEtagOnWrite: boolean;
  /** Items carry no last-modified time. */
  noLastModified: boolean;
  /** After each of our writes the server rewrites the item (same meaning, new ETag). */
  reformatOnWrite: boolean;
  /**
   * Incremental answers list items changed outside the window among `changed`, as a bare
   * sync-collection does. Off (the default), they are reported in `deleted`, as Graph does
   * and as the provider contract asks.
   */
  unwindowedDeltas: boolean;
  /**
   * Incremental answers compare the calendar at the cursor with now, as Xandikos and Graph do:
   * an item created and deleted since the cursor is not reported at all.
   */
  netDifferenceDeltas: boolean;
  /** Writes whose label starts with this are rejected (`SYNC_REMOTE_REJECTED`). */
  rejectLabelPrefix: string | null;
  /** Listings are cut into pages of this many entries. */
  pageSize: number | null;
  /**
   * Items the server holds but that cannot be read: listings report them in `unreadable`
   * instead of `changed`, `get` throws `ICS_ITEM_INVALID`.
   */
  unreadableRefs: ReadonlySet<string>;
  /** Listings leave unreadable items out without reporting them (a provider that cannot tell). */
  unreportedUnreadable: boolean;
  /** The n-th call from now (1 = the next) fails with `SYNC_REMOTE_UNAVAILABLE`. */
  unavailableOnCall: number | null;
  /** Before the n-th write from now, someone else edits the item (the write loses the race). */
  raceOnWrite: number | null;
  /** The n-th write from now is done, then this error is thrown (the process died). */
  crashOnWrite: number | null;
}

interface StoredItem {
  ref: string;
  etag: string;
  fields: SyncFields;
  lastModified: number;
  changedSeq: number;
}

/** Thrown by `crashOnWrite`: stands for the process dying, never handled by the engine. */
export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash after a calendar write');
    this.name = 'SimulatedCrash';
  }
}

const NO_FAULTS: MemoryCalendarFaults = {
  rewriteEtags: false,
  nullEtagOnWrite: false,
  noLastModified: false,
  reformatOnWrite: false,
  unwindowedDeltas: false,
  netDifferenceDeltas: false,
  rejectLabelPrefix: null,
  pageSize: null,
  unreadableRefs: new Set(),
  unreportedUnreadable: false,
  unavailableOnCall: null,
  raceOnWrite: null,
  crashOnWrite: null,
};

export class MemoryCalendar implements CalendarProvider {
  readonly kinds: readonly ItemKind[];
  readonly items = new Map<string, StoredItem>();
  faults: MemoryCalendarFaults = { ...NO_FAULTS };
  /** Successful writes through the port (the engine's), not the test's own edits. */
  writes = 0;
  calls = 0;
  private readonly tombstones = new Map<string, number>();
  /** When each ref's current (or last) item came to be, on the `sequence` scale. */
  private readonly born = new Map<string, number>();
  /** Per ref, the spans [born, deleted) of the items it held before, for `existedAt`. */
  private readonly pastLives = new Map<string, Array<[number, number]>>();
  private readonly pages = new Map<string, ChangeSet>();
  private seq = 0;
  private etagCounter = 0;
  private epoch = 1;
  private readonly clock: Clock;
  private readonly timeZone: string;

  constructor(options: MemoryCalendarOptions) {
    this.clock = options.clock;
    this.kinds = options.kinds ?? ['event', 'todo'];
    this.timeZone = options.timeZone ?? 'UTC';
  }

  /** The change counter: every change made after a given value has a greater `changedSeq`. */
  get sequence(): number {
    return this.seq;
  }

  /** When the item last changed, on the `sequence` scale. */
  changedSeqOf(ref: string): number | null {
    return this.items.get(ref)?.changedSeq ?? null;
  }

  setFaults(faults: Partial<MemoryCalendarFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  clearFaults(): void {
    this.faults = { ...NO_FAULTS };
  }

  /** Forgets every sync-token handed out, as Radicale does after 30 days. */
  expireCursors(): void {
    this.epoch += 1;
    this.pages.clear();
  }

  // The calendar user's own actions, as the tests drive them.

  userCreate(fields: Omit<SyncFields, 'uid'> & { uid?: string }, ref?: string): RemoteItem {
    const uid = fields.uid ?? `remote-${++this.seq}@example.org`;
    const at = ref ?? refFor(uid);
    this.store(at, { ...fields, uid });
    return this.view(this.items.get(at) as StoredItem);
  }

  userEdit(ref: string, patch: Partial<Omit<SyncFields, 'uid' | 'kind'>>): void {
    const item = this.items.get(ref);
    if (!item) throw new Error(`memory calendar: no item ${ref}`);
    this.store(ref, { ...item.fields, ...patch });
  }

  userDelete(ref: string): void {
    if (!this.items.delete(ref)) return;
    this.tombstones.set(ref, ++this.seq);
    const lives = this.pastLives.get(ref) ?? [];
    lives.push([this.born.get(ref) ?? 0, this.seq]);
    this.pastLives.set(ref, lives);
  }

  /** The server rewrites the item's text without changing its meaning: new ETag, same fields. */
  reformat(ref: string): void {
    const item = this.items.get(ref);
    if (!item) return;
    item.etag = this.newEtag();
    item.changedSeq = ++this.seq;
  }

  // The port.

  async listChanges(
    cursor: string | null,
    window: SyncWindow,
    known?: KnownItems,
  ): Promise<ChangeSet> {
    this.enter();
    if (cursor?.startsWith('page:')) return this.nextPage(cursor);
    const since = this.readCursor(cursor);
    const answer = since ? this.changesSince(since, window) : this.completeListing(window);
    return this.paginate(since && known ? await this.skipKnown(answer, known) : answer);
  }

  /** As a CalDAV server's ETags let a client do: changed items whose ETag it holds are named. */
  private async skipKnown(answer: ChangeSet, known: KnownItems): Promise<ChangeSet> {
    const held = await known.etags(answer.changed.map((item) => item.ref));
    const same = (item: RemoteItem) => item.etag !== null && held.get(item.ref) === item.etag;
    return {
      ...answer,
      changed: answer.changed.filter((item) => !same(item)),
      unchanged: answer.changed.filter(same).map((item) => item.ref),
    };
  }

  async get(ref: string): Promise<RemoteItem | null> {
    this.enter();
    const item = this.items.get(ref);
    if (!item) return null;
    if (this.faults.unreadableRefs.has(ref)) {
      throw new OrdoError('ICS_ITEM_INVALID', {
        details: { ref },
        remote: { status: 200, href: ref },
      });
    }
    if (this.faults.rewriteEtags) item.etag = this.newEtag();
    return this.view(item);
  }

  async create(fields: SyncFields): Promise<CreateResult> {
    this.enter();
    const ref = refFor(fields.uid);
    this.beforeWrite(ref);
    if (this.items.has(ref)) {
      throw new OrdoError('SYNC_REMOTE_EXISTS', {
        details: { ref },
        remote: { status: 412, href: ref },
      });
    }
    this.checkRejected(fields, ref);
    this.store(ref, { ...fields, reminder: fields.reminder ?? { kind: 'none' } });
    return this.afterWrite(ref);
  }

  async update(
    ref: string,
    etag: string | null,
    fields: SyncFields,
  ): Promise<{ etag: string | null }> {
    this.enter();
    this.beforeWrite(ref);
    const item = this.items.get(ref);
    // If-Match on a missing resource fails like a changed one (RFC 7232 section 3.1).
    if (!item || (etag !== null && etag !== item.etag)) {
      throw new OrdoError('SYNC_REMOTE_CHANGED', {
        details: { ref },
        remote: { status: 412, href: ref },
      });
    }
    this.checkRejected(fields, ref);
    const reminder = fields.reminder ?? item.fields.reminder;
    this.store(ref, { ...fields, uid: item.fields.uid, kind: item.fields.kind, reminder });
    const { etag: written } = this.afterWrite(ref);
    return { etag: written };
  }

  async delete(ref: string, etag: string | null): Promise<void> {
    this.enter();
    this.beforeWrite(ref);
    const item = this.items.get(ref);
    if (!item) return;
    if (etag !== null && etag !== item.etag) {
      throw new OrdoError('SYNC_REMOTE_CHANGED', {
        details: { ref },
        remote: { status: 412, href: ref },
      });
    }
    this.userDelete(ref);
    this.writes += 1;
    this.maybeCrash();
  }

  // Internals.

  private enter(): void {
    this.calls += 1;
    const at = this.faults.unavailableOnCall;
    if (at === null) return;
    if (at <= 1) {
      this.faults.unavailableOnCall = null;
      throw new OrdoError('SYNC_REMOTE_UNAVAILABLE', { remote: { status: 503 } });
    }
    this.faults.unavailableOnCall = at - 1;
  }

  private beforeWrite(ref: string): void {
    const at = this.faults.raceOnWrite;
    if (at === null) return;
    if (at > 1) {
      this.faults.raceOnWrite = at - 1;
      return;
    }
    this.faults.raceOnWrite = null;
    const item = this.items.get(ref);
    if (item)
      this.store(ref, { ...item.fields, remark: `${item.fields.remark} (edited elsewhere)` });
  }

  private afterWrite(ref: string): CreateResult {
    const item = this.items.get(ref) as StoredItem;
    const etag = this.faults.nullEtagOnWrite ? null : item.etag;
    if (this.faults.reformatOnWrite) this.reformat(ref);
    this.writes += 1;
    this.maybeCrash();
    return { ref, etag };
  }

  private maybeCrash(): void {
    const at = this.faults.crashOnWrite;
    if (at === null) return;
    if (at > 1) {
      this.faults.crashOnWrite = at - 1;
      return;
    }
    this.faults.crashOnWrite = null;
    throw new SimulatedCrash();
  }

  private checkRejected(fields: SyncFields, ref: string): void {
    const prefix = this.faults.rejectLabelPrefix;
    if (prefix !== null && fields.label.startsWith(prefix)) {
      throw new OrdoError('SYNC_REMOTE_REJECTED', {
        details: { ref },
        remote: { status: 403, href: ref, body: 'valid-calendar-object-resource' },
      });
    }
  }

  private store(ref: string, fields: SyncFields): void {
    this.tombstones.delete(ref);
    if (!this.items.has(ref)) this.born.set(ref, this.seq + 1);
    this.items.set(ref, {
      ref,
      etag: this.newEtag(),
      fields: structuredClone(fields),
      lastModified: this.clock.now(),
      changedSeq: ++this.seq,
    });
  }

  private newEtag(): string {
    return `"${++this.etagCounter}"`;
  }

  private readCursor(cursor: string | null): { seq: number; window: SyncWindow } | null {
    const match = cursor ? /^seq:(\d+):(\d+):(-?\d+):(-?\d+)$/.exec(cursor) : null;
    if (!match || Number(match[2]) !== this.epoch) return null;
    return { seq: Number(match[1]), window: { from: Number(match[3]), to: Number(match[4]) } };
  }

  /** The cursor keeps the window it was made for, so a wider window lists what entered it. */
  private cursor(window: SyncWindow): string {
    return `seq:${this.seq}:${this.epoch}:${window.from}:${window.to}`;
  }

  private completeListing(window: SyncWindow): ChangeSet {
    const listed = [...this.items.values()].filter((item) => this.inWindow(item, window));
    const changed = listed.filter((item) => !this.faults.unreadableRefs.has(item.ref));
    return {
      complete: true,
      changed: changed.map((item) => this.read(item)),
      deleted: [],
      cursor: this.cursor(window),
      unreadable: this.unreadableOf(listed),
    };
  }

  /** What a listing of `items` reports as unreadable. */
  private unreadableOf(items: StoredItem[]): UnreadableItem[] {
    if (this.faults.unreportedUnreadable) return [];
    return items
      .filter((item) => this.faults.unreadableRefs.has(item.ref))
      .map((item) => ({ ref: item.ref, etag: item.etag, reason: UNREADABLE_REASON }));
  }

  private changesSince(since: { seq: number; window: SyncWindow }, window: SyncWindow): ChangeSet {
    const changed: RemoteItem[] = [];
    const deleted: string[] = [];
    const unreadable: StoredItem[] = [];
    for (const item of this.items.values()) {
      const inside = this.inWindow(item, window);
      const entered = inside && !this.inWindow(item, since.window);
      if (item.changedSeq <= since.seq && !entered) continue;
      if (this.faults.unreadableRefs.has(item.ref)) {
        unreadable.push(item);
        continue;
      }
      if (inside || this.faults.unwindowedDeltas) changed.push(this.read(item));
      else deleted.push(item.ref);
    }
    for (const [ref, seq] of this.tombstones) {
      if (seq <= since.seq) continue;
      if (this.faults.netDifferenceDeltas && !this.existedAt(ref, since.seq)) continue;
      deleted.push(ref);
    }
    return {
      complete: false,
      changed,
      deleted,
      cursor: this.cursor(window),
      unreadable: this.unreadableOf(unreadable),
    };
  }

  /** Whether the ref held an item in the state a cursor of `seq` describes. */
  private existedAt(ref: string, seq: number): boolean {
    const lives = this.pastLives.get(ref) ?? [];
    return lives.some(([born, died]) => born <= seq && seq < died);
  }

  private paginate(answer: ChangeSet): ChangeSet {
    const size = this.faults.pageSize;
    const entries = answer.changed.length + answer.deleted.length;
    if (size === null || entries <= size) return answer;
    const id = `page:${this.epoch}:${++this.seq}`;
    this.pages.set(id, answer);
    return this.slice(id, answer, 0);
  }

  private nextPage(cursor: string): ChangeSet {
    const [, epoch, seq, offset] = cursor.split(':');
    const answer = this.pages.get(`page:${epoch}:${seq}`);
    if (!answer) {
      throw new OrdoError('SYNC_REMOTE_PROTOCOL', {
        message: 'Unknown page token',
        remote: { status: 400 },
      });
    }
    return this.slice(`page:${epoch}:${seq}`, answer, Number(offset));
  }

  private slice(id: string, answer: ChangeSet, offset: number): ChangeSet {
    const size = this.faults.pageSize ?? Number.MAX_SAFE_INTEGER;
    const entries: Array<RemoteItem | string> = [...answer.changed, ...answer.deleted];
    const page = entries.slice(offset, offset + size);
    const more = offset + size < entries.length;
    return {
      complete: answer.complete,
      changed: page.filter((entry): entry is RemoteItem => typeof entry !== 'string'),
      deleted: page.filter((entry): entry is string => typeof entry === 'string'),
      cursor: more ? `${id}:${offset + size}` : (answer.cursor as string),
      more,
      // Unreadable and unchanged items ride on the last page, so merging pages has to keep them.
      unreadable: more ? [] : answer.unreadable,
      unchanged: more ? [] : (answer.unchanged ?? []),
    };
  }

  private inWindow(item: StoredItem, window: SyncWindow): boolean {
    return overlaps(spanOf(item.fields.timing, this.timeZone), window);
  }

  private read(item: StoredItem): RemoteItem {
    if (this.faults.rewriteEtags) item.etag = this.newEtag();
    return this.view(item);
  }

  private view(item: StoredItem): RemoteItem {
    return {
      ref: item.ref,
      etag: item.etag,
      fields: structuredClone(item.fields),
      lastModified: this.faults.noLastModified ? null : item.lastModified,
    };
  }
}

/** The ref a UID lives at, derived so that a retried create lands on the same one. */
export function refFor(uid: string): string {
  return `${encodeURIComponent(uid)}.ics`;
}
