/**
 * Multi-row INSERTs for batches. The rows are cut into statements under the parameter limits,
 * and the SQL of each statement is compiled by Kysely once per table, columns and number of
 * rows, then run again with the next rows' values: compiling an INSERT of 250 tasks builds,
 * freezes and walks a node for each of its 6,000 values, which costs a fifth of the import
 * of a calendar.
 */
import { CompiledQuery, type InsertObject, type Transaction } from 'kysely';
import { rowChunks } from './chunks.js';
import type { Database, Db } from './schema.js';

/** Compiled SQL by shape, per store (its dialect and plugins make the text). */
const compiled = new WeakMap<Db, Map<string, string>>();
/** Distinct shapes kept per store: row counts vary with the batches' sizes. */
const MAX_SHAPES = 200;

type Row = Record<string, unknown>;

export interface InsertRowsOptions<T extends keyof Database & string> {
  /** The store the transaction belongs to: its SQL is kept with it. */
  db: Db;
  trx: Transaction<Database>;
  table: T;
  /** Rows with the same columns (as one function makes them). */
  rows: readonly InsertObject<Database, T>[];
}

export async function insertRows<T extends keyof Database & string>(
  options: InsertRowsOptions<T>,
): Promise<void> {
  const { db, trx, table } = options;
  for (const chunk of rowChunks(options.rows as readonly Row[])) {
    const columns = Object.keys(chunk[0] as Row);
    const parameters = plainValues(chunk, columns);
    const shape = `${table}(${columns.join(',')})x${chunk.length}`;
    const sql = parameters ? compiledFor(db).get(shape) : undefined;
    if (parameters && sql) {
      await trx.executeQuery(CompiledQuery.raw(sql, parameters));
      continue;
    }

    const query = trx
      .insertInto(table)
      .values(chunk as never)
      .compile();
    if (parameters) remember(db, shape, query, parameters);
    await trx.executeQuery(query);
  }
}

function compiledFor(db: Db): Map<string, string> {
  let shapes = compiled.get(db);
  if (!shapes) {
    shapes = new Map();
    compiled.set(db, shapes);
  }
  return shapes;
}

/**
 * Keeps the SQL of `query` for `shape` when Kysely gave it exactly the values in row order,
 * column by column: the order the reused statement is given them in.
 */
function remember(db: Db, shape: string, query: CompiledQuery, values: unknown[]): void {
  const same =
    query.parameters.length === values.length &&
    query.parameters.every((value, index) => value === values[index]);
  if (!same) return;
  const shapes = compiledFor(db);
  if (shapes.size >= MAX_SHAPES) shapes.clear();
  shapes.set(shape, query.sql);
}

/**
 * The values of `rows`, row by row in `columns`' order, or null when a row has other columns
 * or a value Kysely would not send as a plain parameter (undefined, an expression, an object).
 */
function plainValues(rows: readonly Row[], columns: readonly string[]): unknown[] | null {
  const values: unknown[] = [];
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length) return null;
    for (const column of columns) {
      const value = row[column];
      if (value !== null && typeof value !== 'string' && typeof value !== 'number') return null;
      values.push(value);
    }
  }
  return values;
}
