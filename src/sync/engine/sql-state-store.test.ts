import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';

import { ManualClock } from '../../shared/clock.js';
import { up as addConfirmColumn } from '../../store/migrations/0005-sync-confirm.js';
import { silentLogger } from '../../shared/logger.js';
import { MemoryCalendar, SimulatedCrash } from '../memory/memory-calendar.js';
import { MemoryPlanning } from './planning-side.js';
import { runSync } from './run-sync.js';
import {
  createSyncItemsTable,
  SqlSyncStateStore,
  type SyncStateDatabase,
} from './sql-state-store.js';
import { at, DEFAULT_SETTINGS, T0 } from './sync-test-kit.js';

const open: Kysely<SyncStateDatabase>[] = [];

/** A run mark after refused writes: every field it can hold. */
const refusedMark = {
  settledAt: T0,
  fingerprint: 'f',
  snapshot: '812',
  refusals: 2,
  retryAt: T0,
  recheck: ['task-1.ics', 'gone.ics'],
};

async function database(): Promise<Kysely<SyncStateDatabase>> {
  const db = new Kysely<SyncStateDatabase>({
    dialect: new SqliteDialect({ database: new SQLite(':memory:') }),
  });
  open.push(db);
  await createSyncItemsTable(db);
  await addConfirmColumn(db);
  await db.schema
    .createTable('sync_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sync_cursor', 'text')
    .addColumn('sync_cursor_saved_at', 'bigint')
    .addColumn('sync_run_mark', 'text')
    .execute();
  await db
    .insertInto('sync_accounts')
    .values({ id: 'acc-1', sync_cursor: null, sync_cursor_saved_at: null })
    .execute();
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

const pair = {
  taskId: 'task-1',
  ref: 'task-1.ics',
  uid: 'task-1',
  kind: 'event' as const,
  etag: '"1"',
  planningHash: 'p',
  remoteHash: 'r',
  startsAt: 1,
  endsAt: 2,
  planningDeletedSeenAt: null,
  remoteDeletedSeenAt: 5,
};

describe('SqlSyncStateStore on SQLite', () => {
  it('keeps pairs, intents and the cursor per account; a pair replaces its intent', async () => {
    const db = await database();
    const store = new SqlSyncStateStore({ db, accountId: 'acc-1', clock: new ManualClock(T0) });
    const other = new SqlSyncStateStore({ db, accountId: 'acc-2', clock: new ManualClock(T0) });

    await store.saveIntent({ taskId: 'task-1', uid: 'task-1', kind: 'event', startedAt: T0 });
    expect(await store.loadIntents()).toEqual([
      { taskId: 'task-1', uid: 'task-1', kind: 'event', startedAt: T0 },
    ]);
    await store.savePair(pair);
    expect(await store.loadIntents()).toEqual([]);
    expect(await store.loadPairs()).toEqual([pair]);
    await store.saveIntent({ taskId: 'task-1', uid: 'task-1', kind: 'event', startedAt: T0 });
    expect(await store.loadPairs()).toEqual([pair]);
    await store.savePair({ ...pair, etag: '"2"', unconfirmed: true });
    expect(await store.loadPairs()).toEqual([{ ...pair, etag: '"2"', unconfirmed: true }]);
    await store.savePair({ ...pair, etag: '"2"' });
    expect(await store.loadPairs()).toEqual([{ ...pair, etag: '"2"' }]);
    expect(await other.loadPairs()).toEqual([]);

    await store.saveCursor('seq:1');
    expect(await store.loadCursor()).toBe('seq:1');
    expect(await store.loadRunMark()).toBeNull();
    await store.saveCursor('seq:2', { settledAt: T0, fingerprint: 'f' });
    expect(await store.loadRunMark()).toEqual({ settledAt: T0, fingerprint: 'f' });
    await store.saveCursor('seq:2', refusedMark);
    expect(await store.loadRunMark()).toEqual(refusedMark);
    await store.saveCursor('seq:2', { settledAt: T0, fingerprint: 'f' });
    expect(await store.hasPending()).toBe(false);
    await store.savePair({ ...pair, unconfirmed: true });
    expect(await store.hasPending()).toBe(true);
    await store.savePair(pair);
    expect(await store.hasPending()).toBe(false);
    await store.saveIntent({ taskId: 'task-9', uid: 'task-9', kind: 'event', startedAt: T0 });
    expect(await store.hasPending()).toBe(true);
    await store.deleteIntent('task-9');
    await store.deletePair('task-1');
    expect(await store.loadPairs()).toEqual([]);
  });

  it('looks pairs up by ref, in this account only, past one statement of refs', async () => {
    const db = await database();
    const store = new SqlSyncStateStore({ db, accountId: 'acc-1', clock: new ManualClock(T0) });
    const other = new SqlSyncStateStore({ db, accountId: 'acc-2', clock: new ManualClock(T0) });
    const many = Array.from({ length: 1200 }, (_, i) => ({
      ...pair,
      taskId: `task-${i}`,
      ref: `task-${i}.ics`,
      uid: `task-${i}`,
    }));
    await store.savePairs(many);
    await other.savePair({ ...pair, taskId: 'other-1', ref: 'task-7.ics' });
    await store.saveIntent({ taskId: 'task-x', uid: 'task-x', kind: 'event', startedAt: T0 });

    const refs = ['task-7.ics', 'task-1100.ics', 'unknown.ics', ...many.map((p) => p.ref)];
    const found = await store.loadPairsByRefs(refs.slice(0, 3));
    expect(found.map((p) => p.taskId).sort()).toEqual(['task-1100', 'task-7']);
    expect(await store.loadPairsByRefs(refs)).toHaveLength(1200);
    expect(await store.loadPairsByRefs([])).toEqual([]);
  });

  it('saves pairs in batches: new ones inserted, known ones and intents rewritten', async () => {
    const db = await database();
    const store = new SqlSyncStateStore({ db, accountId: 'acc-1', clock: new ManualClock(T0) });
    await store.savePair(pair);
    await store.saveIntent({ taskId: 'task-0', uid: 'task-0', kind: 'todo', startedAt: T0 });
    const many = Array.from({ length: 450 }, (_, i) => ({
      ...pair,
      taskId: `task-${i}`,
      ref: `task-${i}.ics`,
      uid: `task-${i}`,
      etag: `"b${i}"`,
    }));

    await store.savePairs(many);
    const saved = await store.loadPairs();
    expect(saved).toHaveLength(450);
    expect(saved.find((p) => p.taskId === 'task-1')).toEqual(many[1]);
    expect(saved.find((p) => p.taskId === 'task-0')).toEqual(many[0]);
    expect(await store.loadIntents()).toEqual([]);
  });

  it('drives the engine: a crash between a calendar create and the state leaves no duplicate', async () => {
    const db = await database();
    const clock = new ManualClock(T0);
    const planning = new MemoryPlanning(clock);
    const calendar = new MemoryCalendar({ clock });
    const sync = () =>
      runSync({
        provider: calendar,
        planning,
        state: new SqlSyncStateStore({ db, accountId: 'acc-1', clock }),
        settings: DEFAULT_SETTINGS,
        clock,
        logger: silentLogger(),
      });
    planning.add({ label: 'A', timing: at(1, 8) });
    planning.add({ label: 'B', timing: at(1, 9) });
    calendar.setFaults({ crashOnWrite: 2 });
    await expect(sync()).rejects.toBeInstanceOf(SimulatedCrash);
    const crashed = await db.selectFrom('sync_items').selectAll().orderBy('status').execute();
    // A created and linked, not seen since; B created, its pair never written.
    expect(crashed.map((r) => [r.status, r.unconfirmed])).toEqual([
      ['intent', null],
      ['linked', 1],
    ]);
    await sync();
    expect(calendar.items.size).toBe(2);
    const writes = calendar.writes + planning.writes;
    await sync();
    expect(calendar.writes + planning.writes).toBe(writes);
    const rows = await db.selectFrom('sync_items').selectAll().execute();
    expect(rows.map((r) => [r.status, r.unconfirmed])).toEqual([
      ['linked', null],
      ['linked', null],
    ]);
  });
});

describe('SqlSyncStateStore on PostgreSQL', () => {
  it('keeps pairs, intents and the cursor, in a schema of its own', async (context) => {
    const pool = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:5432/test',
      max: 2,
    });
    const reachable = await pool.query('select 1').then(
      () => true,
      () => false,
    );
    if (!reachable) {
      await pool.end();
      if (process.env.CI === 'true')
        throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432');
      console.warn('PostgreSQL not reachable at 127.0.0.1:5432 (package postgresql): test skipped');
      context.skip();
    }
    const schema = `sync_state_${Math.random().toString(36).slice(2, 10)}`;
    const root = new Kysely<SyncStateDatabase>({ dialect: new PostgresDialect({ pool }) });
    try {
      await root.schema.createSchema(schema).execute();
      const db = root.withSchema(schema);
      await createSyncItemsTable(db);
      await addConfirmColumn(db);
      await db.schema
        .createTable('sync_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sync_cursor', 'text')
        .addColumn('sync_cursor_saved_at', 'bigint')
        .addColumn('sync_run_mark', 'text')
        .execute();
      await db
        .insertInto('sync_accounts')
        .values({ id: 'acc-1', sync_cursor: null, sync_cursor_saved_at: null })
        .execute();
      const store = new SqlSyncStateStore({ db, accountId: 'acc-1', clock: new ManualClock(T0) });

      await store.saveIntent({ taskId: 'task-1', uid: 'task-1', kind: 'event', startedAt: T0 });
      await store.savePair(pair);
      await store.saveIntent({ taskId: 'task-1', uid: 'task-1', kind: 'event', startedAt: T0 });
      expect(await store.loadIntents()).toEqual([]);
      expect(await store.loadPairs()).toEqual([pair]);
      await store.saveCursor('seq:9');
      expect(await store.loadCursor()).toBe('seq:9');
      await store.saveCursor('seq:9', refusedMark);
      expect(await store.loadRunMark()).toEqual(refusedMark);
      const batch = [
        { ...pair, etag: '"2"' },
        { ...pair, taskId: 'task-2', ref: 'task-2.ics', uid: 'task-2', unconfirmed: true },
      ];
      await store.savePairs(batch);
      expect(await store.loadPairs()).toEqual(expect.arrayContaining(batch));
      expect(await store.loadPairs()).toHaveLength(2);
    } finally {
      await root.schema.dropSchema(schema).ifExists().cascade().execute();
      await root.destroy();
    }
  });
});
