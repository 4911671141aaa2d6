import type { Kysely } from 'kysely';

// Migrations see the database untyped: they describe the schema as it was then.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * `sync_items.unconfirmed`: 1 while the engine created a pair's calendar item and no run has
 * seen it since (see `state-store.ts`); NULL for every existing row, which counts as confirmed.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sync_items').addColumn('unconfirmed', 'integer').execute();
}
