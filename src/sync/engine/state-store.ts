/**
 * The synchronization state of one account (one user's resource ↔ one calendar collection):
 * one row per linked pair, the intents of remote creates in flight, and the cursor.
 *
 * SQL shape (the SQL store creates these; `SqlSyncStateStore` reads and writes them):
 *
 *   sync_items                              -- one row per task of an account
 *     account_id        TEXT    NOT NULL    -- sync_accounts.id
 *     task_id           TEXT    NOT NULL    -- our task id
 *     status            TEXT    NOT NULL    -- 'linked' | 'intent'
 *     uid               TEXT    NOT NULL    -- the remote item's UID (ours unless linked by match)
 *     kind              TEXT    NOT NULL    -- 'event' | 'todo'
 *     ref               TEXT    NULL        -- CalDAV href / Graph id; NULL for an intent
 *     etag              TEXT    NULL        -- remote ETag / changeKey as of the last sync
 *     planning_hash     TEXT    NULL        -- content hash of the task's fields at the last sync
 *     remote_hash       TEXT    NULL        -- content hash of the remote item at the last sync
 *     starts_at         BIGINT  NULL        -- the item's span at the last sync (epoch ms),
 *     ends_at           BIGINT  NULL        --   to tell "left the window" from "deleted"
 *     planning_deleted_seen_at BIGINT NULL  -- when a deletion was first seen on each side
 *     remote_deleted_seen_at   BIGINT NULL
 *     unconfirmed       INTEGER NULL        -- 1: we created the remote item and no run has seen
 *                                           --   it since (NULL: confirmed); migration 0005
 *     updated_at        BIGINT  NOT NULL    -- when the row was last written (intent: started)
 *     PRIMARY KEY (account_id, task_id)
 *     UNIQUE (account_id, ref)              -- NULL refs (intents) do not collide
 *     INDEX (account_id, uid)
 *
 *   sync_accounts (cursor columns; the rest of the table belongs to the account settings)
 *     sync_cursor           TEXT   NULL     -- sync-token / delta link; NULL = list everything
 *     sync_cursor_saved_at  BIGINT NULL
 *     sync_run_mark         TEXT   NULL     -- JSON RunMark saved with the cursor; migration 0006
 *
 * Every method commits on its own: the engine pairs each remote or planning write with one
 * state write, so a crash between them leaves a state the next run heals from. The batch
 * methods (`savePairs`) pair one batch of planning writes with one state write, likewise.
 */
import type { ItemKind } from '../provider.js';

/**
 * A task and a remote item known to be the same, as of the last synchronization. Pairs stay
 * when their items leave the window, so an item that comes back is recognised.
 * TODO(when the state of an account passes ~100,000 rows): prune pairs that ended long before
 * the window and whose task is gone.
 */
export interface SyncPair {
  taskId: string;
  ref: string;
  /** The remote item's UID. */
  uid: string;
  kind: ItemKind;
  etag: string | null;
  planningHash: string;
  remoteHash: string;
  /** The item's span at the last sync (epoch ms). */
  startsAt: number;
  endsAt: number;
  planningDeletedSeenAt: number | null;
  remoteDeletedSeenAt: number | null;
  /**
   * `true` while the calendar item is one the engine created (or restored) and no later run
   * has seen it. The cursor saved by the creating run predates it, and a server that answers a
   * sync-token with the net difference since then (Xandikos, Graph) never reports the deletion
   * of an item that did not exist then: the next run reads such a pair back when unlisted.
   * Absent: confirmed.
   */
  unconfirmed?: boolean;
}

/** Written before a remote create, so a crash between the create and its pair heals. */
export interface SyncIntent {
  taskId: string;
  uid: string;
  kind: ItemKind;
  startedAt: number;
}

/**
 * Saved with the cursor by every finished run, so that the next run can tell "nothing can have
 * changed" without reading every task and pair (see `run-sync.ts`).
 */
export interface RunMark {
  /** Planning changes before this time (epoch ms) were all read by a finished run. */
  settledAt: number;
  /** Digest of what the run read the planning with: settings, window, rights, scope. */
  fingerprint: string;
  /** The planning's `snapshot()` taken with `settledAt`, where it has one. */
  snapshot?: string;
  /**
   * After runs in which the calendar refused a write: how many in a row, and when (epoch ms)
   * the next run reads everything again to offer the refused tasks once more.
   */
  refusals?: number;
  retryAt?: number;
  /**
   * The calendar items of those refused writes: a listing names an item again only once it
   * changes, so the next full run reads these again to decide them once more.
   */
  recheck?: string[];
}

export interface SyncStateStore {
  loadPairs(): Promise<SyncPair[]>;
  /** Optional: the pairs holding any of `refs` (a run that only reads those, see `runSync`). */
  loadPairsByRefs?(refs: readonly string[]): Promise<SyncPair[]>;
  /** Inserts or replaces the pair of `pair.taskId`, replacing an intent for that task too. */
  savePair(pair: SyncPair): Promise<void>;
  /** Optional: saves several pairs as `savePair` would, all or none (one SQL transaction). */
  savePairs?(pairs: readonly SyncPair[]): Promise<void>;
  deletePair(taskId: string): Promise<void>;

  loadIntents(): Promise<SyncIntent[]>;
  /** Records an intent; does nothing when the task already has a linked pair. */
  saveIntent(intent: SyncIntent): Promise<void>;
  /** Removes the intent of a task (not its pair). */
  deleteIntent(taskId: string): Promise<void>;

  loadCursor(): Promise<string | null>;
  /** Saves the cursor, and the run's mark with it (no mark: none is kept). */
  saveCursor(cursor: string | null, mark?: RunMark): Promise<void>;

  /** Optional (with `hasPending`): the mark saved with the cursor; `null` when none. */
  loadRunMark?(): Promise<RunMark | null>;
  /** Optional: whether an intent or an unconfirmed pair exists (both need a full run). */
  hasPending?(): Promise<boolean>;
}

/** The state in memory, for tests; `writes` counts state writes. */
export class MemorySyncStateStore implements SyncStateStore {
  readonly pairs = new Map<string, SyncPair>();
  readonly intents = new Map<string, SyncIntent>();
  cursor: string | null = null;
  runMark: RunMark | null = null;

  async loadPairs(): Promise<SyncPair[]> {
    return [...this.pairs.values()].map((pair) => ({ ...pair }));
  }

  async loadPairsByRefs(refs: readonly string[]): Promise<SyncPair[]> {
    const wanted = new Set(refs);
    return [...this.pairs.values()]
      .filter((pair) => wanted.has(pair.ref))
      .map((pair) => ({ ...pair }));
  }

  async savePair(pair: SyncPair): Promise<void> {
    for (const other of this.pairs.values()) {
      if (other.ref === pair.ref && other.taskId !== pair.taskId) {
        throw new Error(`sync state: ref ${pair.ref} is already linked to ${other.taskId}`);
      }
    }
    this.intents.delete(pair.taskId);
    this.pairs.set(pair.taskId, { ...pair });
  }

  async deletePair(taskId: string): Promise<void> {
    this.pairs.delete(taskId);
  }

  async loadIntents(): Promise<SyncIntent[]> {
    return [...this.intents.values()].map((intent) => ({ ...intent }));
  }

  async saveIntent(intent: SyncIntent): Promise<void> {
    if (!this.pairs.has(intent.taskId)) this.intents.set(intent.taskId, { ...intent });
  }

  async deleteIntent(taskId: string): Promise<void> {
    this.intents.delete(taskId);
  }

  async loadCursor(): Promise<string | null> {
    return this.cursor;
  }

  async saveCursor(cursor: string | null, mark?: RunMark): Promise<void> {
    this.cursor = cursor;
    this.runMark = mark ? { ...mark } : null;
  }

  async loadRunMark(): Promise<RunMark | null> {
    return this.runMark ? { ...this.runMark } : null;
  }

  async hasPending(): Promise<boolean> {
    if (this.intents.size > 0) return true;
    return [...this.pairs.values()].some((pair) => pair.unconfirmed === true);
  }
}
