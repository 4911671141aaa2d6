/**
 * Rows as arrays of values, straight from better-sqlite3, for the few reads that return
 * thousands of rows (the planning's range query): better-sqlite3 builds each row object
 * property by property from native code, which costs more than the query itself, while its
 * `raw()` arrays cost a fraction of it. The query is still written with Kysely and compiled
 * once per shape; on PostgreSQL (or any Kysely that openStore did not open on SQLite) there
 * is no raw handle and callers run the Kysely query as usual.
 */
import type SQLite from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import type { Db } from './schema.js';

const handles = new WeakMap<
  Db,
  { sqlite: SQLite.Database; statements: Map<string, SQLite.Statement> }
>();

/** Called by openStore: `db` runs on this better-sqlite3 connection. */
export function registerSqlite(db: Db, sqlite: SQLite.Database): void {
  handles.set(db, { sqlite, statements: new Map() });
}

/**
 * The rows of `query` as arrays, in its select list's order, or null when `db` is not a
 * SQLite store. Runs while holding Kysely's single SQLite connection, as any Kysely query
 * does: it waits for a transaction in progress to end instead of reading its uncommitted
 * rows through the shared connection.
 */
export async function rawRows(db: Db, query: CompiledQuery): Promise<unknown[][] | null> {
  const handle = handles.get(db);
  if (!handle) return null;
  let statement = handle.statements.get(query.sql);
  if (!statement) {
    statement = handle.sqlite.prepare(query.sql).raw(true);
    handle.statements.set(query.sql, statement);
  }
  const prepared = statement;
  return db
    .connection()
    .execute(async () => prepared.all(...(query.parameters as unknown[])) as unknown[][]);
}
