/**
 * The synchronization state in SQL (SQLite or PostgreSQL through Kysely), in the tables
 * documented at the top of `state-store.ts`. One instance serves one account.
 */
import type { Kysely } from 'kysely';

import type { Clock } from '../../shared/clock.js';
import type { ItemKind } from '../provider.js';
import type { RunMark, SyncIntent, SyncPair, SyncStateStore } from './state-store.js';

export interface SyncItemsTable {
  account_id: string;
  task_id: string;
  status: 'linked' | 'intent';
  uid: string;
  kind: ItemKind;
  ref: string | null;
  etag: string | null;
  planning_hash: string | null;
  remote_hash: string | null;
  starts_at: number | null;
  ends_at: number | null;
  planning_deleted_seen_at: number | null;
  remote_deleted_seen_at: number | null;
  /** 1 while the pair is unconfirmed; added by migration 0005 (not by `createSyncItemsTable`). */
  unconfirmed: number | null;
  updated_at: number;
}

/** The columns of `sync_accounts` the engine reads and writes. */
export interface SyncAccountsCursorColumns {
  id: string;
  sync_cursor: string | null;
  sync_cursor_saved_at: number | null;
  /** JSON `RunMark`; added by migration 0006. */
  sync_run_mark: string | null;
}

export interface SyncStateDatabase {
  sync_items: SyncItemsTable;
  sync_accounts: SyncAccountsCursorColumns;
}

/** Creates `sync_items` (for the store's migration; `sync_accounts` belongs to the accounts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function createSyncItemsTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sync_items')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('etag', 'text')
    .addColumn('planning_hash', 'text')
    .addColumn('remote_hash', 'text')
    .addColumn('starts_at', 'bigint')
    .addColumn('ends_at', 'bigint')
    .addColumn('planning_deleted_seen_at', 'bigint')
    .addColumn('remote_deleted_seen_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_items_pk', ['account_id', 'task_id'])
    .addUniqueConstraint('sync_items_ref', ['account_id', 'ref'])
    .execute();
  await db.schema
    .createIndex('sync_items_uid')
    .on('sync_items')
    .columns(['account_id', 'uid'])
    .execute();
}

/** 15 parameters a row: 200 rows stay far below SQLite's limit on one statement. */
const PAIRS_PER_STATEMENT = 200;

type UpdatedColumn = Exclude<keyof SyncItemsTable, 'account_id' | 'task_id'>;

/** What an upsert of a pair rewrites: everything but the key, as `savePair` does. */
const UPDATED_COLUMNS: readonly UpdatedColumn[] = [
  'status',
  'uid',
  'kind',
  'ref',
  'etag',
  'planning_hash',
  'remote_hash',
  'starts_at',
  'ends_at',
  'planning_deleted_seen_at',
  'remote_deleted_seen_at',
  'unconfirmed',
  'updated_at',
];

export class SqlSyncStateStore implements SyncStateStore {
  private readonly db: Kysely<SyncStateDatabase>;
  private readonly accountId: string;
  private readonly clock: Clock;

  constructor(options: { db: Kysely<SyncStateDatabase>; accountId: string; clock: Clock }) {
    this.db = options.db;
    this.accountId = options.accountId;
    this.clock = options.clock;
  }

  async loadPairs(): Promise<SyncPair[]> {
    const rows = await this.items().where('status', '=', 'linked').selectAll().execute();
    return rows.map(toPair);
  }

  async loadPairsByRefs(refs: readonly string[]): Promise<SyncPair[]> {
    const pairs: SyncPair[] = [];
    const unique = [...new Set(refs)];
    // Bounded IN lists: SQLite caps the parameters of one statement.
    for (let at = 0; at < unique.length; at += 500) {
      const rows = await this.items()
        .where('status', '=', 'linked')
        .where('ref', 'in', unique.slice(at, at + 500))
        .selectAll()
        .execute();
      pairs.push(...rows.map(toPair));
    }
    return pairs;
  }

  async savePair(pair: SyncPair): Promise<void> {
    const row = { ...fromPair(pair), account_id: this.accountId, updated_at: this.clock.now() };
    const { account_id: _a, task_id: _t, ...update } = row;
    await this.db
      .insertInto('sync_items')
      .values(row)
      .onConflict((conflict) => conflict.columns(['account_id', 'task_id']).doUpdateSet(update))
      .execute();
  }

  /** One transaction, multi-row upserts in slices (SQLite caps a statement's parameters). */
  async savePairs(pairs: readonly SyncPair[]): Promise<void> {
    const updatedAt = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      for (let at = 0; at < pairs.length; at += PAIRS_PER_STATEMENT) {
        const rows = pairs.slice(at, at + PAIRS_PER_STATEMENT).map((pair) => ({
          ...fromPair(pair),
          account_id: this.accountId,
          updated_at: updatedAt,
        }));
        await trx
          .insertInto('sync_items')
          .values(rows)
          .onConflict((conflict) =>
            conflict.columns(['account_id', 'task_id']).doUpdateSet((eb) => {
              const excluded = (column: UpdatedColumn) => eb.ref(`excluded.${column}`);
              return Object.fromEntries(UPDATED_COLUMNS.map((c) => [c, excluded(c)]));
            }),
          )
          .execute();
      }
    });
  }

  async deletePair(taskId: string): Promise<void> {
    await this.db
      .deleteFrom('sync_items')
      .where('account_id', '=', this.accountId)
      .where('task_id', '=', taskId)
      .where('status', '=', 'linked')
      .execute();
  }

  async loadIntents(): Promise<SyncIntent[]> {
    const rows = await this.items().where('status', '=', 'intent').selectAll().execute();
    return rows.map((row) => ({
      taskId: row.task_id,
      uid: row.uid,
      kind: row.kind,
      startedAt: Number(row.updated_at),
    }));
  }

  async saveIntent(intent: SyncIntent): Promise<void> {
    await this.db
      .insertInto('sync_items')
      .values({
        account_id: this.accountId,
        task_id: intent.taskId,
        status: 'intent',
        uid: intent.uid,
        kind: intent.kind,
        ref: null,
        etag: null,
        planning_hash: null,
        remote_hash: null,
        starts_at: null,
        ends_at: null,
        planning_deleted_seen_at: null,
        remote_deleted_seen_at: null,
        unconfirmed: null,
        updated_at: intent.startedAt,
      })
      // A linked pair is never downgraded to an intent; a repeated intent refreshes its UID.
      .onConflict((conflict) =>
        conflict
          .columns(['account_id', 'task_id'])
          .doUpdateSet({ uid: intent.uid, kind: intent.kind, updated_at: intent.startedAt })
          .where('sync_items.status', '=', 'intent'),
      )
      .execute();
  }

  async deleteIntent(taskId: string): Promise<void> {
    await this.db
      .deleteFrom('sync_items')
      .where('account_id', '=', this.accountId)
      .where('task_id', '=', taskId)
      .where('status', '=', 'intent')
      .execute();
  }

  async loadCursor(): Promise<string | null> {
    const row = await this.db
      .selectFrom('sync_accounts')
      .select('sync_cursor')
      .where('id', '=', this.accountId)
      .executeTakeFirst();
    return row?.sync_cursor ?? null;
  }

  async saveCursor(cursor: string | null, mark?: RunMark): Promise<void> {
    await this.db
      .updateTable('sync_accounts')
      .set({
        sync_cursor: cursor,
        sync_cursor_saved_at: this.clock.now(),
        sync_run_mark: mark ? JSON.stringify(mark) : null,
      })
      .where('id', '=', this.accountId)
      .execute();
  }

  async loadRunMark(): Promise<RunMark | null> {
    const row = await this.db
      .selectFrom('sync_accounts')
      .select('sync_run_mark')
      .where('id', '=', this.accountId)
      .executeTakeFirst();
    return readRunMark(row?.sync_run_mark ?? null);
  }

  async hasPending(): Promise<boolean> {
    const row = await this.items()
      .select('task_id')
      .where((eb) => eb.or([eb('status', '=', 'intent'), eb('unconfirmed', '=', 1)]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  private items() {
    return this.db.selectFrom('sync_items').where('account_id', '=', this.accountId);
  }
}

function toPair(row: SyncItemsTable): SyncPair {
  return {
    taskId: row.task_id,
    ref: row.ref ?? '',
    uid: row.uid,
    kind: row.kind,
    etag: row.etag,
    planningHash: row.planning_hash ?? '',
    remoteHash: row.remote_hash ?? '',
    startsAt: Number(row.starts_at),
    endsAt: Number(row.ends_at),
    planningDeletedSeenAt: nullableNumber(row.planning_deleted_seen_at),
    remoteDeletedSeenAt: nullableNumber(row.remote_deleted_seen_at),
    ...(Number(row.unconfirmed) === 1 ? { unconfirmed: true } : {}),
  };
}

function fromPair(pair: SyncPair): Omit<SyncItemsTable, 'account_id' | 'updated_at'> {
  return {
    task_id: pair.taskId,
    status: 'linked',
    uid: pair.uid,
    kind: pair.kind,
    ref: pair.ref,
    etag: pair.etag,
    planning_hash: pair.planningHash,
    remote_hash: pair.remoteHash,
    starts_at: pair.startsAt,
    ends_at: pair.endsAt,
    planning_deleted_seen_at: pair.planningDeletedSeenAt,
    remote_deleted_seen_at: pair.remoteDeletedSeenAt,
    unconfirmed: pair.unconfirmed ? 1 : null,
  };
}

/** `null` for a missing or unreadable mark: the next run is a full one. */
function readRunMark(text: string | null): RunMark | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<RunMark>;
    if (typeof value.settledAt !== 'number' || typeof value.fingerprint !== 'string') return null;
    const mark: RunMark = { settledAt: value.settledAt, fingerprint: value.fingerprint };
    if (typeof value.snapshot === 'string') mark.snapshot = value.snapshot;
    if (typeof value.refusals === 'number' && typeof value.retryAt === 'number') {
      mark.refusals = value.refusals;
      mark.retryAt = value.retryAt;
      const recheck: unknown = value.recheck;
      if (Array.isArray(recheck) && recheck.every((ref) => typeof ref === 'string')) {
        mark.recheck = recheck;
      }
    }
    return mark;
  } catch {
    return null;
  }
}

/** BIGINT may come back as a string from drivers that keep 64-bit precision. */
function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
