import type { Kysely } from 'kysely';

import { createSyncItemsTable } from '../../sync/engine/sql-state-store.js';

// Migrations see the database untyped: they describe the schema as it was then.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sync_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) =>
      c.notNull().unique().references('users.id').onDelete('cascade'),
    )
    .addColumn('provider', 'text')
    .addColumn('caldav_server_url', 'text')
    .addColumn('caldav_calendar_url', 'text')
    .addColumn('caldav_username', 'text')
    .addColumn('caldav_password_sealed', 'text')
    .addColumn('graph_token_cache_sealed', 'text')
    .addColumn('graph_account', 'text')
    .addColumn('graph_calendar_id', 'text')
    .addColumn('graph_todo_list_id', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('every_minutes', 'integer', (c) => c.notNull())
    .addColumn('past_days', 'integer')
    .addColumn('future_days', 'integer', (c) => c.notNull())
    .addColumn('export_as', 'text', (c) => c.notNull())
    .addColumn('import_appointments', 'integer', (c) => c.notNull())
    .addColumn('import_tasks', 'integer', (c) => c.notNull())
    .addColumn('sync_cursor', 'text')
    .addColumn('sync_cursor_saved_at', 'bigint')
    .addColumn('next_run_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('lease_owner', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The scheduler's question, "which accounts are due", reads the head of this index.
  await db.schema
    .createIndex('sync_accounts_due')
    .on('sync_accounts')
    .columns(['enabled', 'next_run_at'])
    .execute();

  await createSyncItemsTable(db);

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('sync_accounts.id').onDelete('cascade'),
    )
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('listing', 'text')
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('errors', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sync_runs_account')
    .on('sync_runs')
    .columns(['account_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('task_sync_marks')
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('sync_accounts.id').onDelete('cascade'),
    )
    // No foreign key to tasks: a mark outlives nothing, the task hook removes it with the task.
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_sync_marks_pk', ['account_id', 'task_id'])
    .execute();
  await db.schema
    .createIndex('task_sync_marks_task')
    .on('task_sync_marks')
    .column('task_id')
    .execute();

  await db.schema
    .createTable('feeds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) =>
      c.notNull().references('resources.id').onDelete('cascade'),
    )
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
}
