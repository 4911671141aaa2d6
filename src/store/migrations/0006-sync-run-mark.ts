import type { Kysely } from 'kysely';

// Migrations see the database untyped: they describe the schema as it was then.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * `sync_accounts.sync_run_mark`: what the last finished run read the planning with and when
 * (see `RunMark` in `state-store.ts`); NULL for every existing account: its next run is full.
 * `tasks_modified`: that run's successor asks which tasks changed since then.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sync_accounts').addColumn('sync_run_mark', 'text').execute();
  await db.schema.createIndex('tasks_modified').on('tasks').column('modified_at').execute();
}
