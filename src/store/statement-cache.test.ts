import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('statement cache', () => {
  let sqlite: SQLite.Database;

  afterEach(() => {
    if (sqlite.open) sqlite.close();
  });

  function open() {
    sqlite = new SQLite(':memory:');
    sqlite.exec('CREATE TABLE t (n INTEGER)');
    sqlite.exec('INSERT INTO t VALUES (1), (2), (3)');
    return sqlite;
  }

  it('hands back the statement prepared for the same SQL, and runs it with new parameters', () => {
    const db = withStatementCache(open());
    const first = db.prepare('SELECT n FROM t WHERE n > ?');
    const again = db.prepare('SELECT n FROM t WHERE n > ?');
    expect(again).toBe(first);
    expect(first.all([1])).toEqual([{ n: 2 }, { n: 3 }]);
    expect(again.all([2])).toEqual([{ n: 3 }]);
    expect(db.prepare('SELECT n FROM t WHERE n < ?')).not.toBe(first);
  });

  it('prepares a fresh statement while the cached one is still being iterated', () => {
    const db = withStatementCache(open());
    const statement = db.prepare('SELECT n FROM t');
    const rows = statement.iterate();
    rows.next();
    const other = db.prepare('SELECT n FROM t');
    expect(other).not.toBe(statement);
    expect(other.all()).toHaveLength(3);
    rows.return?.();
    expect(db.prepare('SELECT n FROM t')).toBe(statement);
  });

  it('keeps the most recently used statements, up to its count', () => {
    const db = withStatementCache(open(), { statements: 2, sqlCharacters: 1000 });
    const a = db.prepare('SELECT 1');
    const b = db.prepare('SELECT 2');
    expect(db.prepare('SELECT 1')).toBe(a);
    db.prepare('SELECT 3');
    expect(db.prepare('SELECT 1')).toBe(a);
    expect(db.prepare('SELECT 2')).not.toBe(b);
  });

  it('keeps statements up to a total length of their SQL, and never one longer', () => {
    const db = withStatementCache(open(), { statements: 10, sqlCharacters: 20 });
    const a = db.prepare('SELECT 1');
    const b = db.prepare('SELECT 2');
    const c = db.prepare('SELECT 3');
    expect(db.prepare('SELECT 2')).toBe(b);
    expect(db.prepare('SELECT 3')).toBe(c);
    expect(db.prepare('SELECT 1')).not.toBe(a);
    const long = `SELECT ${'1 + '.repeat(10)}1`;
    expect(db.prepare(long)).not.toBe(db.prepare(long));
  });

  it('closes the connection', () => {
    const db = withStatementCache(open());
    db.prepare('SELECT 1');
    db.close();
    expect(sqlite.open).toBe(false);
  });
});
