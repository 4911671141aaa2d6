/**
 * Opens the store: SQLite in the data folder by default, PostgreSQL when a URL is given.
 * Both run the same migrations and the same queries.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  sql,
  PostgresDialect,
  SqliteDialect,
  type MigrationProvider,
} from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';
import { registerSqlite } from './raw-sqlite.js';
import type { Database, Db } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** `postgres://...`; when absent, SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  /** SQLite only: `:memory:` for tests. */
  sqliteFile?: string;
}

// 64-bit integers hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const store = options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options);
  await migrate(store.db, store.dialect);
  return store;
}

function openSqlite(options: OpenStoreOptions): Store {
  let file = options.sqliteFile;
  if (!file) {
    const dir = options.dataDir ?? './data';
    fs.mkdirSync(dir, { recursive: true });
    file = path.join(dir, 'ordo.sqlite');
  }
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  registerSqlite(db, sqlite);
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrate(db: Db, dialect: Dialect): Promise<void> {
  // Kysely looks for its own tables in every schema unless told which: name the current one,
  // so databases that hold one Ordo per schema (the tests do) migrate each on its own.
  const migrationTableSchema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
          ?.schema
      : undefined;
  // Each capability's migration creates its own tables, so one that arrives after a later
  // one has run (an installation that updates past both at once) still applies cleanly.
  const migrator = new Migrator({
    db,
    provider,
    migrationTableSchema,
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${reason}`, {
      cause: error,
    });
  }
}
