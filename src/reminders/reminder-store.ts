/**
 * The reminders' queries. Claims are written so that several server processes on one
 * PostgreSQL database each take different rows (`FOR UPDATE SKIP LOCKED`) and a reminder is
 * raised once; SQLite has a single writer, so the same statements without the lock suffice.
 */
import crypto from 'node:crypto';
import { sql, type Insertable, type Transaction } from 'kysely';
import { isoInstant } from '../planning/time.js';
import type { User } from '../planning/types.js';
import { insertRows } from '../store/insert-rows.js';
import type { Dialect } from '../store/db.js';
import type { Database, Db } from '../store/schema.js';
import type { ReminderStateName, RemindersTable } from './tables.js';
import './tables.js';

/** A raised reminder as the page shows it. */
export interface ReminderView {
  id: string;
  taskId: string;
  label: string;
  /** An ISO 8601 instant, or a `YYYY-MM-DD` date when `allDay`. */
  start: string;
  /** An ISO 8601 instant, or the exclusive `YYYY-MM-DD` end date when `allDay`. */
  end: string;
  allDay: boolean;
  clientName: string | null;
  resourceNames: string[];
  dueAt: string;
}

/** One user to tell about one reminder. */
export interface Delivery {
  reminderId: string;
  userId: string;
}

export interface ReminderStoreOptions {
  db: Db;
  dialect: Dialect;
  newId?: () => string;
}

/** How many ids go in one `IN (...)` list: well below both databases' parameter limits. */
const CHUNK = 500;
/**
 * The most reminders a page is sent at once; older ones wait until newer are dismissed.
 * TODO(when undismissed reminders pile up): raised reminders stay until their task is deleted;
 * expire the old ones (a task ended long ago) rather than only capping the list.
 */
const LIST_LIMIT = 200;

export class ReminderStore {
  private readonly newId: () => string;

  constructor(private readonly options: ReminderStoreOptions) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  get db(): Db {
    return this.options.db;
  }

  /**
   * Makes each task's stored reminder the one due at its `dueAt` (or none). The same due time
   * keeps the row and what users did with it; another one replaces it under a new id. Each
   * task comes once in `items`; the results are in their order. A task `created` in this
   * transaction has no reminder to read: the foreign key took any of a deleted task with it.
   */
  async replaceForTasks(
    trx: Transaction<Database>,
    options: {
      items: readonly { taskId: string; dueAt: number | null; created: boolean }[];
      now: number;
    },
  ): Promise<{ cancelledId: string | null; scheduledAt: number | null }[]> {
    const { items, now } = options;
    const existing = new Map<string, { id: string; due_at: number }>();
    const known = items.filter((item) => !item.created).map((item) => item.taskId);
    for (const chunk of chunks(known)) {
      const rows = await trx
        .selectFrom('reminders')
        .select(['id', 'task_id', 'due_at'])
        .where('task_id', 'in', chunk)
        .execute();
      for (const row of rows) existing.set(row.task_id, row);
    }

    const replaced: string[] = [];
    const inserted: Insertable<RemindersTable>[] = [];
    const results = items.map(({ taskId, dueAt }) => {
      const found = existing.get(taskId);
      if (found && found.due_at === dueAt) return { cancelledId: null, scheduledAt: null };
      if (found) replaced.push(found.id);
      const cancelledId = found?.id ?? null;
      // A moment already passed is not raised after the fact.
      if (dueAt === null || dueAt <= now) return { cancelledId, scheduledAt: null };
      inserted.push({
        id: this.newId(),
        task_id: taskId,
        due_at: dueAt,
        fired: 0,
        fired_at: null,
        created_at: now,
      });
      return { cancelledId, scheduledAt: dueAt };
    });

    for (const chunk of chunks(replaced))
      await trx.deleteFrom('reminders').where('id', 'in', chunk).execute();
    await insertRows({ db: this.options.db, trx, table: 'reminders', rows: inserted });
    return results;
  }

  /** Deletes the reminders of these tasks; the id each task's reminder had, by task id. */
  async deleteForTasks(
    trx: Transaction<Database>,
    taskIds: readonly string[],
  ): Promise<Map<string, string>> {
    const deleted = new Map<string, string>();
    for (const chunk of chunks([...new Set(taskIds)])) {
      const rows = await trx
        .deleteFrom('reminders')
        .where('task_id', 'in', chunk)
        .returning(['id', 'task_id'])
        .execute();
      for (const row of rows) deleted.set(row.task_id, row.id);
    }
    return deleted;
  }

  /** The earliest moment something must be raised: a reminder or the end of a snooze. */
  async nextDue(): Promise<number | null> {
    const { db } = this.options;
    const reminder = await db
      .selectFrom('reminders')
      .select('due_at')
      .where('fired', '=', 0)
      .orderBy('due_at')
      .limit(1)
      .executeTakeFirst();
    const snooze = await db
      .selectFrom('reminder_states')
      .select('snoozed_until')
      .where('state', '=', 'snoozed')
      .orderBy('snoozed_until')
      .limit(1)
      .executeTakeFirst();
    const times = [reminder?.due_at, snooze?.snoozed_until].filter(
      (t): t is number => typeof t === 'number',
    );
    return times.length > 0 ? Math.min(...times) : null;
  }

  /**
   * Marks up to `limit` due reminders raised and records them as pending for each user
   * whose resource is on the task. `inTransaction` runs before the commit: PostgreSQL's
   * NOTIFY sent there reaches the other processes only if the claim commits.
   */
  async claimDue(options: {
    now: number;
    limit: number;
    inTransaction: (trx: Transaction<Database>, deliveries: Delivery[]) => Promise<void>;
  }): Promise<{ claimed: number; deliveries: Delivery[] }> {
    const { now, limit } = options;
    return this.options.db.transaction().execute(async (trx) => {
      const claimed = await sql<{ id: string }>`
        UPDATE reminders SET fired = 1, fired_at = ${now}
        WHERE fired = 0 AND id IN (
          SELECT id FROM reminders WHERE fired = 0 AND due_at <= ${now}
          ORDER BY due_at LIMIT ${limit} ${this.lockClause()}
        )
        RETURNING id`.execute(trx);
      const ids = claimed.rows.map((r) => r.id);
      if (ids.length === 0) return { claimed: 0, deliveries: [] };

      const deliveries = await this.insertPending(trx, ids, now);
      await options.inTransaction(trx, deliveries);
      return { claimed: ids.length, deliveries };
    });
  }

  /** Puts up to `limit` snoozes that ended back to pending, for their user alone. */
  async claimWoken(options: {
    now: number;
    limit: number;
    inTransaction: (trx: Transaction<Database>, deliveries: Delivery[]) => Promise<void>;
  }): Promise<Delivery[]> {
    const { now, limit } = options;
    return this.options.db.transaction().execute(async (trx) => {
      const woken = await sql<{ reminder_id: string; user_id: string }>`
        UPDATE reminder_states SET state = 'pending', snoozed_until = NULL, updated_at = ${now}
        WHERE state = 'snoozed' AND (reminder_id, user_id) IN (
          SELECT reminder_id, user_id FROM reminder_states
          WHERE state = 'snoozed' AND snoozed_until <= ${now}
          ORDER BY snoozed_until LIMIT ${limit} ${this.lockClause()}
        )
        RETURNING reminder_id, user_id`.execute(trx);
      const deliveries = woken.rows.map((r) => ({ reminderId: r.reminder_id, userId: r.user_id }));
      if (deliveries.length > 0) await options.inTransaction(trx, deliveries);
      return deliveries;
    });
  }

  private lockClause() {
    return sql.raw(this.options.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '');
  }

  private async insertPending(
    trx: Transaction<Database>,
    ids: string[],
    now: number,
  ): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (const chunk of chunks(ids)) {
      // A user already holding a state (dismissed ahead) is not told again.
      const inserted = await sql<{ reminder_id: string; user_id: string }>`
        INSERT INTO reminder_states
          (reminder_id, user_id, task_id, due_at, state, updated_at)
        SELECT DISTINCT r.id, u.id, r.task_id, r.due_at, 'pending', CAST(${now} AS bigint)
        FROM reminders r
        JOIN task_resources tr ON tr.task_id = r.task_id
        JOIN users u ON u.resource_id = tr.resource_id
        WHERE r.id IN (${sql.join(chunk)})
        ON CONFLICT (reminder_id, user_id) DO NOTHING
        RETURNING reminder_id, user_id`.execute(trx);
      for (const r of inserted.rows)
        deliveries.push({ reminderId: r.reminder_id, userId: r.user_id });
    }
    return deliveries;
  }

  /** The page's view of each reminder, by id; ids whose task is gone are left out. */
  async views(ids: readonly string[]): Promise<Map<string, ReminderView>> {
    const out = new Map<string, ReminderView>();
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await this.options.db
        .selectFrom('reminders as r')
        .innerJoin('tasks as t', 't.id', 'r.task_id')
        .leftJoin('clients as c', 'c.id', 't.client_id')
        .select([
          'r.id',
          'r.task_id',
          'r.due_at',
          't.label',
          't.all_day',
          't.start_at',
          't.end_at',
          't.start_date',
          't.end_date',
          'c.name as client_name',
        ])
        .where('r.id', 'in', chunk)
        .execute();
      const names = await this.resourceNames(rows.map((r) => r.task_id));
      for (const row of rows) {
        const allDay = row.all_day === 1;
        out.set(row.id, {
          id: row.id,
          taskId: row.task_id,
          label: row.label,
          start: allDay ? (row.start_date ?? '') : isoInstant(row.start_at),
          end: allDay ? (row.end_date ?? '') : isoInstant(row.end_at),
          allDay,
          clientName: row.client_name ?? null,
          resourceNames: names.get(row.task_id) ?? [],
          dueAt: isoInstant(row.due_at),
        });
      }
    }
    return out;
  }

  private async resourceNames(taskIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (taskIds.length === 0) return out;
    const rows = await this.options.db
      .selectFrom('task_resources as tr')
      .innerJoin('resources as res', 'res.id', 'tr.resource_id')
      .select(['tr.task_id', 'res.name'])
      .where('tr.task_id', 'in', [...new Set(taskIds)])
      .orderBy('tr.task_id')
      .orderBy('tr.position')
      .execute();
    for (const row of rows) {
      const list = out.get(row.task_id) ?? [];
      if (!list.includes(row.name)) list.push(row.name);
      out.set(row.task_id, list);
    }
    return out;
  }

  /**
   * The user's due reminders that are not dismissed, snoozed ones once their snooze ended,
   * newest first. Whether the user is concerned is read from the task as it is now.
   */
  async dueFor(user: User, now: number): Promise<ReminderView[]> {
    if (!user.resourceId) return [];
    const rows = await this.options.db
      .selectFrom('reminders as r')
      .innerJoin('task_resources as tr', (join) =>
        join.onRef('tr.task_id', '=', 'r.task_id').on('tr.resource_id', '=', user.resourceId),
      )
      .leftJoin('reminder_states as s', (join) =>
        join.onRef('s.reminder_id', '=', 'r.id').on('s.user_id', '=', user.id),
      )
      .select(['r.id', 'r.due_at'])
      .distinct()
      .where('r.due_at', '<=', now)
      .where((eb) =>
        eb.or([
          eb('s.state', 'is', null),
          eb('s.state', 'in', ['pending', 'delivered']),
          eb.and([eb('s.state', '=', 'snoozed'), eb('s.snoozed_until', '<=', now)]),
        ]),
      )
      .orderBy('r.due_at', 'desc')
      .limit(LIST_LIMIT)
      .execute();
    const views = await this.views(rows.map((r) => r.id));
    return rows.map((r) => views.get(r.id)).filter((v): v is ReminderView => v !== undefined);
  }

  /** The reminder if `user` is concerned by it (their resource is on its task), else null. */
  async findFor(user: User, id: string): Promise<{ taskId: string; dueAt: number } | null> {
    if (!user.resourceId) return null;
    const row = await this.options.db
      .selectFrom('reminders as r')
      .innerJoin('task_resources as tr', 'tr.task_id', 'r.task_id')
      .select(['r.task_id', 'r.due_at'])
      .where('r.id', '=', id)
      .where('tr.resource_id', '=', user.resourceId)
      .executeTakeFirst();
    return row ? { taskId: row.task_id, dueAt: row.due_at } : null;
  }

  async setState(options: {
    reminderId: string;
    userId: string;
    taskId: string;
    dueAt: number;
    state: ReminderStateName;
    snoozedUntil: number | null;
    now: number;
  }): Promise<void> {
    const { state, now } = options;
    const snoozed_until = options.snoozedUntil;
    await this.options.db
      .insertInto('reminder_states')
      .values({
        reminder_id: options.reminderId,
        user_id: options.userId,
        task_id: options.taskId,
        due_at: options.dueAt,
        state,
        snoozed_until,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['reminder_id', 'user_id'])
          .doUpdateSet({ state, snoozed_until, updated_at: now }),
      )
      .execute();
  }

  /**
   * Pending deliveries that reached a page become delivered; other states stay. A user
   * connected here receives all of their deliveries of a batch, so the pairs are exactly
   * the rows of these reminders and these users: one statement per chunk.
   */
  async markDelivered(deliveries: readonly Delivery[], now: number): Promise<void> {
    if (deliveries.length === 0) return;
    const users = [...new Set(deliveries.map((d) => d.userId))];
    for (const chunk of chunks([...new Set(deliveries.map((d) => d.reminderId))])) {
      await this.options.db
        .updateTable('reminder_states')
        .set({ state: 'delivered', updated_at: now })
        .where('reminder_id', 'in', chunk)
        .where('user_id', 'in', users)
        .where('state', '=', 'pending')
        .execute();
    }
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
