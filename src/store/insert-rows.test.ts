import { sql } from 'kysely';
import { expect, it, vi } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { describeOnDialects } from '../test-support/dialects.js';
import { MAX_PARAMETERS } from './chunks.js';
import { insertRows } from './insert-rows.js';

describeOnDialects('multi-row inserts', ({ open }) => {
  async function stored(o: Ordo, prefix: string): Promise<string[]> {
    const rows = await o.store.db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('key', 'like', `${prefix}%`)
      .execute();
    return rows.map((r) => `${r.key}=${r.value}`).sort();
  }

  it('compiles a shape once and runs it again with the next rows’ values', async (ctx) => {
    const o = await open();
    if (!o) return ctx.skip();
    const db = o.store.db;
    const rows = (prefix: string) =>
      ['a', 'b', 'c'].map((k) => ({ key: `${prefix}.${k}`, value: `"${prefix}${k}"` }));

    const compiles = await db.transaction().execute(async (trx) => {
      const insertInto = vi.spyOn(trx, 'insertInto');
      await insertRows({ db, trx, table: 'settings', rows: rows('one') });
      await insertRows({ db, trx, table: 'settings', rows: rows('two') });
      await insertRows({ db, trx, table: 'settings', rows: rows('three').slice(0, 2) });
      return insertInto.mock.calls.length;
    });

    expect(compiles).toBe(2);
    expect(await stored(o, 'one')).toEqual(['one.a="onea"', 'one.b="oneb"', 'one.c="onec"']);
    expect(await stored(o, 'two')).toEqual(['two.a="twoa"', 'two.b="twob"', 'two.c="twoc"']);
    expect(await stored(o, 'three')).toEqual(['three.a="threea"', 'three.b="threeb"']);
  });

  it('cuts rows over the parameter budget into several statements', async (ctx) => {
    const o = await open();
    if (!o) return ctx.skip();
    const count = MAX_PARAMETERS / 2 + 10;
    const rows = Array.from({ length: count }, (_, i) => ({ key: `many.${i}`, value: `${i}` }));
    await o.store.db
      .transaction()
      .execute((trx) => insertRows({ db: o.store.db, trx, table: 'settings', rows }));
    expect(await stored(o, 'many.')).toHaveLength(count);
  });

  it('leaves rows with expressions or other columns to Kysely', async (ctx) => {
    const o = await open();
    if (!o) return ctx.skip();
    const db = o.store.db;
    await db.transaction().execute(async (trx) => {
      await insertRows({
        db,
        trx,
        table: 'settings',
        rows: [
          { key: 'expr.a', value: '"a"' },
          { key: 'expr.b', value: sql<string>`'"' || 'b' || '"'` },
        ],
      });
      await insertRows({
        db,
        trx,
        table: 'settings',
        rows: [
          { key: 'expr.c', value: '"c"' },
          { value: '"d"', key: 'expr.d' },
        ],
      });
    });
    expect(await stored(o, 'expr.')).toEqual([
      'expr.a="a"',
      'expr.b="b"',
      'expr.c="c"',
      'expr.d="d"',
    ]);
  });
});
