/**
 * Splitting set-wise statements (multi-row INSERTs, `IN (...)` lists) so that each stays under
 * the bound-parameter limits: SQLite allows 32,766 per statement (since 3.32; better-sqlite3
 * bundles a later one), PostgreSQL's protocol 65,535.
 */

/** The most parameters one statement of ours carries: well below both databases' limits. */
export const MAX_PARAMETERS = 16_000;

/** `items` in consecutive slices of at most `size`. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size ${size}`);
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

/** `rows` in slices small enough for one multi-row INSERT each (every row has its columns). */
export function rowChunks<T extends object>(rows: readonly T[]): T[][] {
  const columns = rows[0] ? Object.keys(rows[0]).length : 1;
  return chunksOf(rows, Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns))));
}
