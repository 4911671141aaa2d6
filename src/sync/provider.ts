/**
 * What the synchronization engine needs from a remote calendar, whatever serves it
 * (CalDAV, Microsoft Graph, or the in-memory calendar the property tests use).
 *
 * A provider speaks its protocol strictly: every unexpected status becomes a thrown
 * `OrdoError` carrying what the server answered. It never turns an error into an empty
 * result, because an empty result is read by the engine as "nothing there".
 */
import type { Reminder, TaskTiming } from '../planning/types.js';

export type ItemKind = 'event' | 'todo';

/** The fields the engine compares and copies, normalized the same way on both sides. */
export interface SyncFields {
  kind: ItemKind;
  uid: string;
  label: string;
  timing: TaskTiming;
  remark: string;
  /** `null` when the side does not carry reminders (the "reminder at a date" option). */
  reminder: Reminder | null;
  private: boolean;
  /** A recurring series, or an override of one: never imported. */
  recurring: boolean;
}

export interface RemoteItem {
  /** Where the item lives: a CalDAV href, a Graph id. Stable for the item's life. */
  ref: string;
  /** The server's version tag (ETag, changeKey); `null` when the server gave none. */
  etag: string | null;
  fields: SyncFields;
  /** The server's last-modified time, when it tells it (epoch ms). */
  lastModified: number | null;
}

/** The window of time the synchronization covers (epoch ms, end exclusive). */
export interface SyncWindow {
  from: number;
  to: number;
}

export interface ChangeSet {
  /**
   * `true` when `changed` lists every item in the window (a full listing): items we know
   * that are absent from it are gone. `false` for an incremental answer: only `deleted`
   * says what is gone.
   */
  complete: boolean;
  changed: RemoteItem[];
  /** Refs the server explicitly reported as deleted (incremental answers only). */
  deleted: string[];
  /** Opaque cursor for the next call (sync-token, delta link); `null` if unsupported. */
  cursor: string | null;
  /**
   * `true` when the answer was cut short (a provider that returns bounded pages): the engine
   * calls again with `cursor` and merges the pages, the first page deciding `complete`.
   * Absent or `false`: this is the whole answer.
   */
  more?: boolean;
  /**
   * Items the server holds in the answer's scope but that cannot be read (an event ending
   * before it starts, a broken iCalendar object). They are neither changed nor deleted: the
   * engine reports them and leaves their pairs as they are, even when a complete listing
   * omits them from `changed`. Absent: the provider reports none.
   */
  unreadable?: UnreadableItem[];
  /**
   * Refs an incremental answer reported changed whose ETag is still the one the engine holds
   * (see `KnownItems`): the engine's own writes coming back, not read again. Absent: none.
   */
  unchanged?: string[];
}

/**
 * What the engine holds of the calendar, offered to `listChanges`: a provider told by the
 * server that an item changed, with the ETag the engine already has for it, need not fetch
 * it (on CalDAV, each of our own writes comes back in the next sync-collection answer).
 */
export interface KnownItems {
  /** The ETag the engine holds for each of `refs` it knows with one. */
  etags(refs: readonly string[]): Promise<Map<string, string>>;
}

/** An item the server holds that cannot become SyncFields. */
export interface UnreadableItem {
  ref: string;
  etag: string | null;
  /** Why it cannot be read, in words for the run's report. */
  reason: string;
}

export interface CreateResult {
  ref: string;
  etag: string | null;
}

export interface CalendarProvider {
  /** Which kinds this collection holds: a CalDAV calendar may hold events, todos or both. */
  readonly kinds: readonly ItemKind[];

  /**
   * What changed since `cursor`. With a `null` cursor, or one the server no longer honours
   * (expired sync-token, 410 delta), the provider answers a complete listing instead:
   * never an empty incremental answer.
   */
  listChanges(cursor: string | null, window: SyncWindow, known?: KnownItems): Promise<ChangeSet>;

  /** Reads one item; `null` when it does not exist. */
  get(ref: string): Promise<RemoteItem | null>;

  /**
   * Creates an item whose identity we chose (`fields.uid`), at a ref derived from it, so a
   * retried create cannot make a second copy. Throws `SYNC_REMOTE_EXISTS` (with the ref)
   * when it is already there.
   */
  create(fields: SyncFields): Promise<CreateResult>;

  /** Replaces the item only if it still has `etag`; else throws `SYNC_REMOTE_CHANGED`. */
  update(ref: string, etag: string | null, fields: SyncFields): Promise<{ etag: string | null }>;

  /** Deletes the item only if it still has `etag`; a missing item is success. */
  delete(ref: string, etag: string | null): Promise<void>;

  /**
   * Optional: the fields as this calendar keeps them, for a format that cannot hold them all
   * (a To Do task has no sensitivity and keeps a reminder as a date-time). The engine records
   * its writes as kept, so what the calendar dropped does not read back as a change made there.
   * Absent: the calendar keeps what it is given.
   */
  held?(fields: SyncFields): SyncFields;
}
