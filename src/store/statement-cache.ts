/**
 * Prepared statements kept between queries on SQLite. Kysely's SQLite driver prepares every
 * query it runs, and better-sqlite3 compiles the SQL each time; for the statements a batch
 * runs over and over (a multi-row INSERT of tasks has thousands of parameters) compiling
 * costs about as much as running them. The driver is given this stand-in for the
 * connection, which hands back the statement already prepared for the same SQL text.
 */
import type SQLite from 'better-sqlite3';

/**
 * What is kept, the least recently used statement dropped first beyond either bound. A
 * compiled statement takes some 40 bytes per character of its SQL (a 250-row INSERT of tasks
 * about half a megabyte), so the SQL's length bounds the memory: about 10 MB in all.
 */
export interface StatementCacheLimits {
  statements: number;
  sqlCharacters: number;
}

const LIMITS: StatementCacheLimits = { statements: 200, sqlCharacters: 256 * 1024 };

/** The part of a better-sqlite3 connection Kysely's SQLite driver uses. */
export interface PreparingDatabase {
  prepare(sql: string): SQLite.Statement;
  close(): void;
}

export function withStatementCache(
  sqlite: SQLite.Database,
  limits: StatementCacheLimits = LIMITS,
): PreparingDatabase {
  const statements = new Map<string, SQLite.Statement>();
  let characters = 0;
  return {
    prepare(sql) {
      const cached = statements.get(sql);
      // A statement still being iterated (a streamed read) cannot run again until it ends.
      if (cached && !cached.busy) {
        // A Map keeps insertion order: taking it out and back in marks it as just used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (cached || sql.length > limits.sqlCharacters) return statement;
      statements.set(sql, statement);
      characters += sql.length;
      while (statements.size > limits.statements || characters > limits.sqlCharacters) {
        const oldest = statements.keys().next().value as string;
        statements.delete(oldest);
        characters -= oldest.length;
      }
      return statement;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}
