/**
 * The planning's tasks: every create, change and delete goes through here, checks the
 * actor's rights, and runs the registered hooks inside the same transaction, so what a
 * change causes (an e-mail queued, a reminder scheduled) is stored with it or not at all.
 */
import { sql, type Transaction } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import { chunksOf, MAX_PARAMETERS } from '../store/chunks.js';
import type { Dialect } from '../store/db.js';
import { timeOrderedIds } from '../store/ids.js';
import { insertRows } from '../store/insert-rows.js';
import type { Database, Db } from '../store/schema.js';
import type { Actor, Origin } from './actor.js';
import {
  canAddTask,
  canDeleteTask,
  canModifyTask,
  canReadTask,
  canSeeDetails,
  type RightsContext,
} from './rights.js';
import type { TaskInput, TaskPatch } from './task-input.js';
import { queryRange, type TaskRange } from './task-range.js';
import { taskFromRow, taskToRow } from './task-rows.js';
import { assertTiming } from './time.js';
import type { Task } from './types.js';

export type { TaskRange } from './task-range.js';

export interface TaskChange {
  type: 'created' | 'updated' | 'deleted';
  before: Task | null;
  after: Task | null;
  actor: Actor;
  origin: Origin;
  trx: Transaction<Database>;
}

export type TaskHook = (change: TaskChange) => Promise<void>;

/**
 * A hook that is given the changes of one call at once, in their order: a batch of created
 * tasks, or a single change. All of them share one transaction (`trx` is the same on each),
 * so the hook may read and write for the whole batch in a few statements; when it succeeds,
 * it must leave the store as the same changes given one at a time would. When it fails,
 * `createMany` undoes the batch and gives the hooks its changes again one at a time, so the
 * failure is the one a change-by-change hook would have met.
 */
export type TaskBatchHook = (changes: readonly TaskChange[]) => Promise<void>;

/** A task as a given user may see it: a private task of someone else keeps only its times. */
export interface TaskView extends Task {
  masked: boolean;
}

export interface TaskServiceOptions {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  /** Both read in `executor` when given: the transaction the caller holds. */
  timeZone: (executor?: Db) => Promise<string>;
  rightsFor: (actor: Actor, executor?: Db) => Promise<RightsContext | null>;
  newId?: () => string;
}

/** One change of `updateMany`: the patch `update` takes, for the task `id`. */
export interface TaskUpdate {
  id: string;
  /** Also takes an occurrence out of its periodic task (see planning/periodic.ts). */
  patch: TaskPatch & Partial<Pick<Task, 'periodicTaskId' | 'detachedFromPeriodicTaskId'>>;
}

export interface CreateTaskOptions {
  actor: Actor;
  input: TaskInput;
  origin?: Origin;
  /** The UID the task is known by outside (an imported file's); our id by default. */
  uid?: string;
  id?: string;
  periodicTaskId?: string | null;
  /** Runs inside this transaction instead of one of its own (an import is one transaction). */
  trx?: Transaction<Database>;
}

export class TaskService {
  /** In the order they were registered; a per-change hook is given a batch one change at a time. */
  private readonly hooks: TaskBatchHook[] = [];
  private readonly newId: () => string;

  constructor(private readonly options: TaskServiceOptions) {
    const nextId = timeOrderedIds();
    this.newId = options.newId ?? (() => nextId(options.clock.now()));
  }

  /** Runs `hook` inside the transaction of every task change. */
  onChange(hook: TaskHook): void {
    this.hooks.push(async (changes) => {
      for (const change of changes) await hook(change);
    });
  }

  /** Runs `hook` inside the transaction of every call that changes tasks, with all its changes. */
  onChanges(hook: TaskBatchHook): void {
    this.hooks.push(hook);
  }

  async create(options: CreateTaskOptions): Promise<Task> {
    const { actor, origin, trx, ...item } = options;
    const [task] = await this.createMany({ actor, origin, trx, items: [item] });
    return task as Task;
  }

  /**
   * Creates several tasks in one transaction, after `prepare` ran in it: all of them are
   * stored, or none (a periodic task's occurrences, with the periodic task itself).
   */
  async createMany(options: {
    actor: Actor;
    items: Omit<CreateTaskOptions, 'actor' | 'origin'>[];
    origin?: Origin;
    prepare?: (trx: Transaction<Database>) => Promise<void>;
    /** Runs inside this transaction instead of one of its own (an import is one transaction). */
    trx?: Transaction<Database>;
  }): Promise<Task[]> {
    const { actor, origin = 'planning' } = options;
    for (const item of options.items) assertTiming(item.input.timing);
    const rights = await this.options.rightsFor(actor, options.trx);
    if (rights && options.items.some((item) => !canAddTask(rights, item.input))) {
      throw new OrdoError('FORBIDDEN');
    }

    const stamp = this.options.clock.now();
    const tasks = options.items.map((item): Task => {
      const id = item.id ?? this.newId();
      // Not `{ ...item.input, id, ... }`: Node 20 builds a spread followed by more properties
      // about twenty times slower, which a calendar's first import of thousands of tasks feels.
      return Object.assign({}, item.input, {
        id,
        uid: item.uid ?? id,
        periodicTaskId: item.periodicTaskId ?? null,
        detachedFromPeriodicTaskId: null,
        sequence: 0,
        createdAt: stamp,
        modifiedAt: stamp,
      });
    });
    const timeZone = await this.options.timeZone(options.trx);
    const createdBy = actor.kind === 'user' ? actor.user.id : null;

    await this.inTransaction(options.trx, async (trx) => {
      // Stamped again once the transaction holds the database: on SQLite's one connection, a
      // sync run's "changed since" check then comes wholly before or after these rows, never
      // between a stamp older than the run's mark and rows written after its check.
      const now = this.options.clock.now();
      for (const task of tasks) Object.assign(task, { createdAt: now, modifiedAt: now });
      if (options.prepare) await options.prepare(trx);
      const batch: NewTasks = { trx, tasks, actor, origin, timeZone, createdBy };
      if (tasks.length <= 1) return this.insertTogether(batch);
      await togetherOrOneByOne(trx, {
        together: () => this.insertTogether(batch),
        oneByOne: () => this.insertOneByOne(batch),
      });
    });
    return tasks;
  }

  /** All references checked, all rows written, then each hook given every change at once. */
  private async insertTogether(batch: NewTasks): Promise<void> {
    const { trx, tasks, actor, origin, timeZone, createdBy } = batch;
    await this.checkReferences(trx, tasks);
    const rows = tasks.map((task) => taskToRow(task, { timeZone, createdBy }));
    await insertRows({ db: this.options.db, trx, table: 'tasks', rows });
    await writeTaskResources(this.options.db, trx, tasks);
    await this.runHooks(
      tasks.map((task) => ({ type: 'created', before: null, after: task, actor, origin, trx })),
    );
  }

  /** Each task checked, written and given to the hooks before the next one. */
  private async insertOneByOne(batch: NewTasks): Promise<void> {
    for (const task of batch.tasks) await this.insertTogether({ ...batch, tasks: [task] });
  }

  async update(options: {
    actor: Actor;
    id: string;
    /** Also takes an occurrence out of its periodic task (see planning/periodic.ts). */
    patch: TaskPatch & Partial<Pick<Task, 'periodicTaskId' | 'detachedFromPeriodicTaskId'>>;
    origin?: Origin;
    trx?: Transaction<Database>;
  }): Promise<Task> {
    const { actor, id, patch, origin = 'planning' } = options;
    const timeZone = await this.options.timeZone(options.trx);
    const rights = await this.options.rightsFor(actor, options.trx);

    return this.inTransaction(options.trx, async (trx) => {
      const before = await this.loadForUpdate(trx, id);
      const after: Task = { ...before, ...definedOnly(patch) };
      assertTiming(after.timing);
      if (rights && !canModifyTask(rights, before, after)) throw new OrdoError('FORBIDDEN');

      after.modifiedAt = Math.max(this.options.clock.now(), before.modifiedAt + 1);
      after.sequence = before.sequence + (changesForAttendees(before, after) ? 1 : 0);
      await this.checkReferences(trx, [after]);
      const row = taskToRow(after, { timeZone, createdBy: null });
      delete (row as { created_by?: unknown }).created_by;
      await trx.updateTable('tasks').set(row).where('id', '=', id).execute();
      if (patch.resourceIds) {
        await trx.deleteFrom('task_resources').where('task_id', '=', id).execute();
        await writeTaskResources(this.options.db, trx, [after]);
      }
      await this.runHooks([{ type: 'updated', before, after, actor, origin, trx }]);
      return after;
    });
  }

  /**
   * Changes several tasks in one transaction: all of them, or none. Each is changed as
   * `update` changes it, in order; a task named twice is changed twice.
   */
  async updateMany(options: {
    actor: Actor;
    updates: readonly TaskUpdate[];
    origin?: Origin;
    trx?: Transaction<Database>;
  }): Promise<Task[]> {
    const { actor, updates, origin = 'planning' } = options;
    const oneByOne = async (trx: Transaction<Database>) => {
      const updated: Task[] = [];
      for (const { id, patch } of updates)
        updated.push(await this.update({ actor, id, patch, origin, trx }));
      return updated;
    };
    // A task named twice is changed from what the first change made of it: one at a time.
    if (updates.length <= 1 || new Set(updates.map((u) => u.id)).size < updates.length)
      return this.inTransaction(options.trx, oneByOne);

    const timeZone = await this.options.timeZone(options.trx);
    const rights = await this.options.rightsFor(actor, options.trx);
    return this.inTransaction(options.trx, (trx) =>
      togetherOrOneByOne(trx, {
        together: () => this.updateTogether({ trx, actor, origin, updates, timeZone, rights }),
        oneByOne: () => oneByOne(trx),
      }),
    );
  }

  /**
   * Every task read at once, each checked and written, then the hooks given every change. The
   * tasks are read before any hook ran: no hook changes tasks.
   */
  private async updateTogether(batch: {
    trx: Transaction<Database>;
    actor: Actor;
    origin: Origin;
    updates: readonly TaskUpdate[];
    timeZone: string;
    rights: RightsContext | null;
  }): Promise<Task[]> {
    const { trx, actor, origin, rights } = batch;
    const ids = batch.updates.map((u) => u.id);
    const found = await this.loadManyForUpdate(trx, ids);
    const changes = batch.updates.map(({ id, patch }): TaskChange => {
      const before = found.get(id);
      if (!before) throw new OrdoError('TASK_NOT_FOUND', { details: { id } });
      const after: Task = { ...before, ...definedOnly(patch) };
      assertTiming(after.timing);
      if (rights && !canModifyTask(rights, before, after)) throw new OrdoError('FORBIDDEN');

      after.modifiedAt = Math.max(this.options.clock.now(), before.modifiedAt + 1);
      after.sequence = before.sequence + (changesForAttendees(before, after) ? 1 : 0);
      return { type: 'updated', before, after, actor, origin, trx };
    });
    const tasks = changes.map((change) => change.after as Task);

    await this.checkReferences(trx, tasks);
    for (const task of tasks) {
      const row = taskToRow(task, { timeZone: batch.timeZone, createdBy: null });
      delete (row as { created_by?: unknown }).created_by;
      await trx.updateTable('tasks').set(row).where('id', '=', task.id).execute();
    }
    const moved = tasks.filter((_, index) => batch.updates[index]?.patch.resourceIds);
    const movedIds = moved.map((task) => task.id);
    for (const chunk of chunksOf(movedIds, MAX_PARAMETERS))
      await trx.deleteFrom('task_resources').where('task_id', 'in', chunk).execute();
    await writeTaskResources(this.options.db, trx, moved);
    await this.runHooks(changes);
    return tasks;
  }

  async delete(options: {
    actor: Actor;
    id: string;
    origin?: Origin;
    trx?: Transaction<Database>;
  }): Promise<Task> {
    const { id, ...rest } = options;
    const [task] = await this.deleteMany({ ...rest, ids: [id] });
    return task as Task;
  }

  /** Deletes several tasks in one transaction, then runs `finish` in it: all or nothing. */
  async deleteMany(options: {
    actor: Actor;
    ids: readonly string[];
    origin?: Origin;
    finish?: (trx: Transaction<Database>) => Promise<void>;
    trx?: Transaction<Database>;
  }): Promise<Task[]> {
    const { actor, origin = 'planning' } = options;
    const rights = await this.options.rightsFor(actor, options.trx);

    return this.inTransaction(options.trx, async (trx) => {
      const deleted: Task[] = [];
      for (const id of options.ids) {
        const before = await this.loadForUpdate(trx, id);
        if (rights && !canDeleteTask(rights, before)) throw new OrdoError('FORBIDDEN');

        await this.runHooks([{ type: 'deleted', before, after: null, actor, origin, trx }]);
        await trx.deleteFrom('tasks').where('id', '=', id).execute();
        await trx
          .insertInto('task_tombstones')
          .values({ task_id: id, uid: before.uid, deleted_at: this.options.clock.now() })
          .onConflict((oc) => oc.column('task_id').doNothing())
          .execute();
        deleted.push(before);
      }
      if (options.finish) await options.finish(trx);
      return deleted;
    });
  }

  /** One task as the actor may see it; `TASK_NOT_FOUND` also when they may not see it at all. */
  async get(actor: Actor, id: string): Promise<TaskView> {
    const row = await this.options.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new OrdoError('TASK_NOT_FOUND', { details: { id } });
    const view = viewFor(await this.options.rightsFor(actor), taskFromRow(row));
    if (!view) throw new OrdoError('TASK_NOT_FOUND', { details: { id } });
    return view;
  }

  /** Tasks overlapping the range, as the actor may see them, by start. */
  async list(actor: Actor, range: TaskRange): Promise<TaskView[]> {
    const rights = await this.options.rightsFor(actor);
    const rows = await queryRange(this.options.db, range);
    const views: TaskView[] = [];
    for (const row of rows) {
      const view = viewFor(rights, taskFromRow(row));
      if (view) views.push(view);
    }
    return views;
  }

  async findByUid(uid: string): Promise<Task | null> {
    const row = await this.options.db
      .selectFrom('tasks')
      .selectAll()
      .where('uid', '=', uid)
      .executeTakeFirst();
    return row ? taskFromRow(row) : null;
  }

  /** The tasks known by any of these UIDs, oldest first. */
  async findByUids(uids: readonly string[]): Promise<Task[]> {
    if (uids.length === 0) return [];
    const rows = await this.options.db
      .selectFrom('tasks')
      .selectAll()
      .where('uid', 'in', uids)
      .orderBy('created_at')
      .execute();
    return rows.map(taskFromRow);
  }

  /** The tasks of these ids that exist, locked as `loadForUpdate` locks one. */
  private async loadManyForUpdate(
    trx: Transaction<Database>,
    ids: readonly string[],
  ): Promise<Map<string, Task>> {
    const found = new Map<string, Task>();
    for (const chunk of chunksOf(ids, MAX_PARAMETERS)) {
      let q = trx.selectFrom('tasks').selectAll().where('id', 'in', chunk);
      if (this.options.dialect === 'postgres') q = q.forUpdate();
      for (const row of await q.execute()) found.set(row.id, taskFromRow(row));
    }
    return found;
  }

  private async loadForUpdate(trx: Transaction<Database>, id: string): Promise<Task> {
    let q = trx.selectFrom('tasks').selectAll().where('id', '=', id);
    // Two servers on one PostgreSQL database must not both change the task at once.
    if (this.options.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new OrdoError('TASK_NOT_FOUND', { details: { id } });
    return taskFromRow(row);
  }

  /**
   * Fails on the first task, in order, naming a resource or a client that does not exist: its
   * first missing resource, else its client. One read per table for all the tasks.
   */
  private async checkReferences(trx: Transaction<Database>, tasks: readonly Task[]): Promise<void> {
    const resources = await existingIds(
      trx,
      'resources',
      tasks.flatMap((t) => t.resourceIds),
    );
    const clients = await existingIds(
      trx,
      'clients',
      tasks.flatMap((t) => (t.clientId ? [t.clientId] : [])),
    );
    for (const task of tasks) {
      const missing = task.resourceIds.find((id) => !resources.has(id));
      if (missing) {
        throw new OrdoError('RESOURCE_NOT_FOUND', {
          details: { field: 'resourceIds', id: missing },
        });
      }
      if (task.clientId && !clients.has(task.clientId)) {
        throw new OrdoError('CLIENT_NOT_FOUND', { details: { field: 'clientId' } });
      }
    }
  }

  /** Runs `fn` in `trx` when given, else in a transaction of its own. */
  async inTransaction<T>(
    trx: Transaction<Database> | undefined,
    fn: (trx: Transaction<Database>) => Promise<T>,
  ): Promise<T> {
    if (trx) return fn(trx);
    return this.options.db.transaction().execute(fn);
  }

  private async runHooks(changes: readonly TaskChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const hook of this.hooks) await hook(changes);
  }
}

/**
 * Runs `together` (set-wise work) in a savepoint; when it fails, undoes it and runs `oneByOne`
 * (the same work a task at a time) from the same starting point, so that a batch fails
 * exactly as the loop it replaces did: on the same task, with the same error, leaving the same
 * rows in a transaction the caller goes on with. What hooks did outside the store on the
 * undone attempt stays done: a scheduler woken for nothing, a log line written twice.
 */
async function togetherOrOneByOne<T>(
  trx: Transaction<Database>,
  work: { together: () => Promise<T>; oneByOne: () => Promise<T> },
): Promise<T> {
  await sql`SAVEPOINT ordo_batch`.execute(trx);
  try {
    const result = await work.together();
    await sql`RELEASE SAVEPOINT ordo_batch`.execute(trx);
    return result;
  } catch (error) {
    try {
      await sql`ROLLBACK TO SAVEPOINT ordo_batch`.execute(trx);
      await sql`RELEASE SAVEPOINT ordo_batch`.execute(trx);
    } catch {
      // The transaction is lost (a dropped connection): what failed first says why.
      throw error;
    }
  }
  return work.oneByOne();
}

/** What `createMany` stores, once checked. */
interface NewTasks {
  trx: Transaction<Database>;
  tasks: readonly Task[];
  actor: Actor;
  origin: Origin;
  timeZone: string;
  createdBy: string | null;
}

/** Which of `ids` have a row in `table`. */
async function existingIds(
  trx: Transaction<Database>,
  table: 'resources' | 'clients',
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const distinct = [...new Set(ids)];
  for (const chunk of chunksOf(distinct, MAX_PARAMETERS)) {
    const rows = await trx.selectFrom(table).select('id').where('id', 'in', chunk).execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}

async function writeTaskResources(
  db: Db,
  trx: Transaction<Database>,
  tasks: readonly Task[],
): Promise<void> {
  const rows = tasks.flatMap((task) =>
    task.resourceIds.map((resource_id, position) => ({ task_id: task.id, resource_id, position })),
  );
  await insertRows({ db, trx, table: 'task_resources', rows });
}

/**
 * `task` as `rights` let its user see it, or null. A task shown whole becomes the view
 * itself, without a copy (a month of the planning is thousands of them): callers pass a
 * task they have just read.
 */
export function viewFor(rights: RightsContext | null, task: Task): TaskView | null {
  if (!rights) return Object.assign(task, { masked: false });
  if (!canReadTask(rights, task)) return null;
  if (canSeeDetails(rights, task)) return Object.assign(task, { masked: false });
  return {
    ...task,
    label: '',
    remark: '',
    location: '',
    category: '',
    clientId: null,
    reminder: { kind: 'none' },
    masked: true,
  };
}

/** What the people who received an invitation see: time, title, place, description. */
function changesForAttendees(before: Task, after: Task): boolean {
  return (
    JSON.stringify(before.timing) !== JSON.stringify(after.timing) ||
    before.label !== after.label ||
    before.location !== after.location ||
    before.remark !== after.remark
  );
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
