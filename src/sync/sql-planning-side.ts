/**
 * The planning side of one user's synchronization, on the store: the tasks of the user's
 * "who I am" resource, written through the task service with the user's own actor (so
 * their group's rights apply, SPEC 3.4) and origin `sync` (so the e-mail rules can tell a
 * sync from a planner's click). Unavailabilities are not tasks and never appear here.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';

import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import { SYSTEM } from '../planning/actor.js';
import { syncRights } from '../planning/rights.js';
import { taskFromRow } from '../planning/task-rows.js';
import type { Task } from '../planning/types.js';
import { isOrdoError, OrdoError } from '../shared/errors.js';
import { chunksOf, MAX_PARAMETERS } from '../store/chunks.js';
import { insertRows } from '../store/insert-rows.js';
import type {
  DeletedTask,
  OwnWrites,
  PlanningRights,
  PlanningSide,
  PlanningTask,
  TaskUpdate,
} from './engine/index.js';
import type { ItemKind, SyncFields, SyncWindow } from './provider.js';
import './tables.js';

/**
 * How long after its stamp a PostgreSQL write may commit and still be counted by the next
 * run's check: rows stamped up to this long before a mark are compared with its snapshot.
 * TODO(when a planning transaction can outlast this): a write committed later than this after
 * its stamp, and after a run's check, is seen only with the task's next change.
 */
const LATE_COMMIT_MS = 10 * 60_000;

/** PostgreSQL's SQLSTATE for a function it does not have. */
const UNDEFINED_FUNCTION = '42883';

/**
 * `column >= at`; given the 32-bit form of a snapshot's oldest open transaction, also rows
 * stamped up to LATE_COMMIT_MS before `at` that such a transaction, or a later one, wrote.
 * `age()` compares transaction ids across their wrap-around; a frozen row is the oldest.
 */
function stampedSince(
  table: string,
  column: string,
  at: number,
  xid: string | null,
): RawBuilder<SqlBool> {
  const stamp = sql.ref(`${table}.${column}`);
  if (xid === null) return sql<SqlBool>`${stamp} >= ${at}`;
  const writer = sql.ref(`${table}.xmin`);
  const late = sql<SqlBool>`age(${writer}) <= age(${xid}::xid)`;
  return sql<SqlBool>`(${stamp} >= ${at - LATE_COMMIT_MS} and (${stamp} >= ${at} or ${late}))`;
}

/** A snapshot's xid8 as the 32-bit xid row headers carry; `null` if it is not a number. */
function xidOf(snapshot: string): string | null {
  return /^\d+$/.test(snapshot) ? (BigInt(snapshot) % 4_294_967_296n).toString() : null;
}

export interface SqlPlanningSideOptions {
  ordo: Ordo;
  accountId: string;
  /** The user whose resource is synchronized; writes are made as them. */
  actor: Extract<Actor, { kind: 'user' }>;
  /** `false` when the company's "reminder at a date" option is on. */
  carryReminders: boolean;
}

/** A task as the engine sees it (`kind` is the manual mark, or `event`). */
export function planningTaskOf(
  task: Task,
  options: { manualKind: ItemKind | null; carryReminders: boolean },
): PlanningTask {
  return {
    id: task.id,
    fields: {
      kind: options.manualKind ?? 'event',
      uid: task.uid,
      label: task.label,
      timing: task.timing,
      remark: task.remark,
      reminder: options.carryReminders ? task.reminder : null,
      private: task.private,
      recurring: false,
    },
    modifiedAt: task.modifiedAt,
    exportable: task.periodicTaskId === null,
    manualKind: options.manualKind,
  };
}

export class SqlPlanningSide implements PlanningSide {
  private readonly resourceId: string;

  constructor(private readonly options: SqlPlanningSideOptions) {
    const resourceId = options.actor.user.resourceId;
    if (!resourceId) {
      throw new OrdoError('SYNC_NOT_CONFIGURED', {
        message: 'The user has no resource ("who I am") to synchronize',
        details: { userId: options.actor.user.id },
      });
    }
    this.resourceId = resourceId;
  }

  async rights(): Promise<PlanningRights> {
    const { ordo, actor } = this.options;
    const context = await ordo.users.rightsFor(actor, () => ordo.directory.departmentMap());
    if (!context) return { readOnly: false, canAdd: true, canModify: true, canDelete: true };
    return syncRights(context);
  }

  get scope(): string {
    return this.resourceId;
  }

  /**
   * Tasks of the resource or linked by the account (one moved to another resource leaves the
   * calendar), tombstones of linked tasks, marks set since `at`; a mark removed, or a setting
   * changed, updates the account row (`accounts.ts`). With a snapshot (PostgreSQL), rows
   * stamped a little before `at` count too when a transaction the snapshot names as not yet
   * committed wrote them.
   */
  async changedSince(at: number, except?: OwnWrites, snapshot?: string | null): Promise<boolean> {
    const { ordo, accountId } = this.options;
    const db = ordo.store.db;
    const xid = snapshot && ordo.store.dialect === 'postgres' ? xidOf(snapshot) : null;
    // By time alone: every cursor save rewrites this row, so its writer is always recent. A
    // settings change that commits late still shows, as a new fingerprint of the next run.
    // TODO(manual marks removed on PostgreSQL while a run checks): such a removal that
    // commits late is seen with the account's next change.
    const account = await db
      .selectFrom('sync_accounts')
      .select('updated_at')
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!account || Number(account.updated_at) >= at) return true;

    const linked = db
      .selectFrom('sync_items')
      .select('task_id')
      .where('account_id', '=', accountId);
    const tasks = await db
      .selectFrom('tasks')
      .select(['id', 'modified_at'])
      .where(stampedSince('tasks', 'modified_at', at, xid))
      .where((eb) =>
        eb.or([
          eb(
            'id',
            'in',
            eb
              .selectFrom('task_resources')
              .select('task_id')
              .where('resource_id', '=', this.resourceId),
          ),
          eb('id', 'in', linked),
        ]),
      )
      .execute();
    if (tasks.some((row) => except?.tasks.get(row.id) !== Number(row.modified_at))) return true;

    const tombstones = await db
      .selectFrom('task_tombstones')
      .select('task_id')
      .where(stampedSince('task_tombstones', 'deleted_at', at, xid))
      .where('task_id', 'in', linked)
      .execute();
    if (tombstones.some((row) => !except?.deleted.has(row.task_id))) return true;

    const marks = await db
      .selectFrom('task_sync_marks')
      .select('task_id')
      .where('account_id', '=', accountId)
      .where(stampedSince('task_sync_marks', 'created_at', at, xid))
      .execute();
    return marks.some((row) => !except?.tasks.has(row.task_id));
  }

  /**
   * PostgreSQL: the oldest transaction still in progress (xid8); SQLite: none is needed. Before
   * PostgreSQL 13 (no pg_current_snapshot) none either: checks go by time alone there.
   */
  async snapshot(): Promise<string | null> {
    const { store } = this.options.ordo;
    if (store.dialect !== 'postgres') return null;
    try {
      const { rows } = await sql<{
        xmin: string;
      }>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(store.db);
      return rows[0]?.xmin ?? null;
    } catch (error) {
      if ((error as { code?: unknown }).code === UNDEFINED_FUNCTION) return null;
      throw error;
    }
  }

  async listTasks(window: SyncWindow): Promise<PlanningTask[]> {
    const tasks = await this.options.ordo.tasks.list(SYSTEM, {
      from: window.from,
      to: window.to,
      resourceId: this.resourceId,
    });
    return this.views(tasks);
  }

  async lookupTasks(ids: readonly string[]): Promise<Map<string, PlanningTask | DeletedTask>> {
    const found = new Map<string, PlanningTask | DeletedTask>();
    if (ids.length === 0) return found;
    const db = this.options.ordo.store.db;
    const rows = await db.selectFrom('tasks').selectAll().where('id', 'in', ids).execute();
    const tasks = rows.map(taskFromRow);
    // A task moved to another resource has left this calendar: for it, that is a deletion.
    for (const task of tasks.filter((t) => !t.resourceIds.includes(this.resourceId)))
      found.set(task.id, { id: task.id, deletedAt: task.modifiedAt });
    for (const view of await this.views(
      tasks.filter((t) => t.resourceIds.includes(this.resourceId)),
    ))
      found.set(view.id, view);

    const gone = ids.filter((id) => !found.has(id));
    if (gone.length === 0) return found;
    const tombstones = await db
      .selectFrom('task_tombstones')
      .select(['task_id', 'deleted_at'])
      .where('task_id', 'in', gone)
      .execute();
    for (const row of tombstones)
      found.set(row.task_id, { id: row.task_id, deletedAt: Number(row.deleted_at) });
    return found;
  }

  async findTasksByUid(uids: readonly string[]): Promise<Map<string, PlanningTask>> {
    const found = new Map<string, PlanningTask>();
    if (uids.length === 0) return found;
    const rows = await this.options.ordo.store.db
      .selectFrom('tasks')
      .innerJoin('task_resources', 'task_resources.task_id', 'tasks.id')
      .selectAll('tasks')
      .where('task_resources.resource_id', '=', this.resourceId)
      .where('tasks.uid', 'in', uids)
      .execute();
    for (const view of await this.views(rows.map(taskFromRow))) found.set(view.fields.uid, view);
    return found;
  }

  async takenUids(uids: readonly string[]): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const chunk of chunksOf([...new Set(uids)], MAX_PARAMETERS)) {
      const rows = await this.options.ordo.store.db
        .selectFrom('tasks')
        .select('uid')
        .where('uid', 'in', chunk)
        // A UID Ordo chose (its task's id). One a calendar gave may be on several calendars
        // at once: a meeting two colleagues were both invited to is a task for each of them.
        .whereRef('uid', '=', 'id')
        .execute();
      for (const row of rows) taken.add(row.uid);
    }
    return taken;
  }

  async createTask(fields: SyncFields): Promise<PlanningTask> {
    return (await this.createTasks([fields]))[0] as PlanningTask;
  }

  /** One transaction for the tasks and their marks: all are created, or none. */
  async createTasks(fields: readonly SyncFields[]): Promise<PlanningTask[]> {
    const { ordo, actor, accountId } = this.options;
    const tasks = await ordo.tasks.inTransaction(undefined, async (trx) => {
      const created = await ordo.tasks.createMany({
        actor,
        origin: 'sync',
        trx,
        items: fields.map((f) => ({ uid: f.uid, input: this.inputOf(f) })),
      });
      const now = ordo.clock.now();
      const marks = created.map((task, index) => ({
        account_id: accountId,
        task_id: task.id,
        kind: (fields[index] as SyncFields).kind,
        created_at: now,
      }));
      await insertRows({ db: ordo.store.db, trx, table: 'task_sync_marks', rows: marks });
      return created;
    });
    return tasks.map((task, index) => this.view(task, (fields[index] as SyncFields).kind));
  }

  private inputOf(fields: SyncFields) {
    return {
      label: fields.label,
      timing: fields.timing,
      resourceIds: [this.resourceId],
      clientId: null,
      remark: fields.remark,
      location: '',
      category: '',
      reminder: fields.reminder ?? { kind: 'none' as const },
      private: fields.private,
    };
  }

  async updateTask(taskId: string, fields: SyncFields): Promise<PlanningTask> {
    return (await this.updateTasks([{ taskId, fields }]))[0] as PlanningTask;
  }

  /** One transaction for every update: all are stored, or none. */
  async updateTasks(updates: readonly TaskUpdate[]): Promise<PlanningTask[]> {
    const tasks = await this.options.ordo.tasks.updateMany({
      actor: this.options.actor,
      origin: 'sync',
      updates: updates.map(({ taskId, fields }) => ({
        id: taskId,
        patch: {
          label: fields.label,
          timing: fields.timing,
          remark: fields.remark,
          private: fields.private,
          ...(fields.reminder === null ? {} : { reminder: fields.reminder }),
        },
      })),
    });
    return this.views(tasks);
  }

  async deleteTask(taskId: string): Promise<void> {
    try {
      await this.options.ordo.tasks.delete({
        actor: this.options.actor,
        id: taskId,
        origin: 'sync',
      });
    } catch (error) {
      if (!isOrdoError(error, 'TASK_NOT_FOUND')) throw error;
    }
  }

  private async views(tasks: Task[]): Promise<PlanningTask[]> {
    const marks = await this.marksOf(tasks.map((task) => task.id));
    return tasks.map((task) => this.view(task, marks.get(task.id) ?? null));
  }

  private view(task: Task, manualKind: ItemKind | null): PlanningTask {
    return planningTaskOf(task, { manualKind, carryReminders: this.options.carryReminders });
  }

  private async marksOf(taskIds: string[]): Promise<Map<string, ItemKind>> {
    const marks = new Map<string, ItemKind>();
    // Bounded batches: SQLite caps the parameters of one statement.
    for (let at = 0; at < taskIds.length; at += 500) {
      const rows = await this.options.ordo.store.db
        .selectFrom('task_sync_marks')
        .select(['task_id', 'kind'])
        .where('account_id', '=', this.options.accountId)
        .where('task_id', 'in', taskIds.slice(at, at + 500))
        .execute();
      for (const row of rows) marks.set(row.task_id, row.kind);
    }
    return marks;
  }
}
