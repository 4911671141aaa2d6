import type { Kysely } from 'kysely';

// Migrations see the database untyped: they describe the schema as it was then.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('reminders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) =>
      c.notNull().unique().references('tasks.id').onDelete('cascade'),
    )
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('fired', 'integer', (c) => c.notNull())
    .addColumn('fired_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // "Next due" and the claim read the head of this index, whatever the table's size.
  await db.schema
    .createIndex('reminders_due')
    .on('reminders')
    .columns(['fired', 'due_at'])
    .execute();

  await db.schema
    .createTable('reminder_states')
    .addColumn('reminder_id', 'text', (c) =>
      c.notNull().references('reminders.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('snoozed_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reminder_states_pk', ['reminder_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('reminder_states_user')
    .on('reminder_states')
    .columns(['user_id', 'state'])
    .execute();
  await db.schema
    .createIndex('reminder_states_snoozed')
    .on('reminder_states')
    .columns(['state', 'snoozed_until'])
    .execute();
}
