/**
 * What the synchronization engine needs from the planning for one user's synchronization:
 * the synchronized tasks of the user's resource, writes on the user's behalf, and the
 * user's rights. The SQL store implements it for production; `MemoryPlanning` serves tests.
 */
import type { Clock } from '../../shared/clock.js';
import { OrdoError } from '../../shared/errors.js';
import type { Reminder, TaskTiming } from '../../planning/types.js';
import type { ItemKind, SyncFields, SyncWindow } from '../provider.js';
import { overlaps, spanOf } from './fields.js';

/** A task of the user's resource, as the engine sees it. */
export interface PlanningTask {
  id: string;
  /**
   * Built from the task: label, timing, remark, reminder, private, `uid` (the task's UID,
   * its own id unless it came from outside), `recurring: false`. `kind` is ignored: the
   * engine decides it from the settings and the pair.
   */
  fields: SyncFields;
  modifiedAt: number;
  /** `false` for periodic-task occurrences; a task taken out of its series is exportable. */
  exportable: boolean;
  /** Manual mode: the kind the task was marked to be sent as; `null` when not marked. */
  manualKind: ItemKind | null;
}

/** A task that is gone; `deletedAt` when the planning keeps that time. */
export interface DeletedTask {
  id: string;
  deletedAt: number | null;
}

/** What the synchronization may do in the planning on the user's behalf (SPEC 3.4). */
export interface PlanningRights {
  /** Read but no write access: nothing is written in the planning. */
  readOnly: boolean;
  canAdd: boolean;
  canModify: boolean;
  canDelete: boolean;
}

/** The planning writes one run made: task id → the `modifiedAt` it wrote, and deletions. */
export interface OwnWrites {
  tasks: ReadonlyMap<string, number>;
  deleted: ReadonlySet<string>;
}

export interface PlanningSide {
  rights(): Promise<PlanningRights>;

  /**
   * Optional: whose tasks these are (the resource). Part of what a run is read with: when it
   * changes, the next run reads everything.
   */
  readonly scope?: string;

  /**
   * Optional: whether anything `listTasks`, `lookupTasks` or the manual marks would show
   * differently may have changed at or after `at` (epoch ms): a task modified, a task deleted,
   * a mark set or removed, the account's settings changed. `except` lists writes that do not
   * count (a run's own, as it made them; a task written since by anyone else does count).
   * Lets the engine skip reading every task when nothing can have changed on either side;
   * `true` when in doubt. `snapshot`: one `snapshot()` took when `at` was read.
   */
  changedSince?(at: number, except?: OwnWrites, snapshot?: string | null): Promise<boolean>;

  /**
   * Optional: names the writes not committed yet, where the store can tell (PostgreSQL: the
   * oldest transaction in progress). Given back to `changedSince` with a later `at`, their rows
   * count as changed even if stamped before `at`: a write stamped on one connection can commit
   * after a run on another has read the planning. `null` where no write can do that (SQLite).
   */
  snapshot?(): Promise<string | null>;

  /**
   * The user's resource's tasks that touch the window, exportable or not. Never unavailabilities.
   */
  listTasks(window: SyncWindow): Promise<PlanningTask[]>;

  /** The tasks with these ids, wherever they are in time; an id absent from the map is gone. */
  lookupTasks(ids: readonly string[]): Promise<Map<string, PlanningTask | DeletedTask>>;

  /**
   * The user's resource's tasks carrying these UIDs, wherever they are in time (keyed by UID).
   * Lets the engine recognise an item it imported before, whose task has since left the window.
   */
  findTasksByUid(uids: readonly string[]): Promise<Map<string, PlanningTask>>;

  /**
   * Optional: which of these UIDs the planning gave a task of its own (whoever it belongs to).
   * A calendar item with one (an invitation to another person's task, kept in the user's
   * calendar) is that task, not a new one: it is not imported. A UID that came from a calendar
   * is not taken: an outside meeting is in each invited colleague's calendar.
   */
  takenUids?(uids: readonly string[]): Promise<Set<string>>;

  /**
   * Creates a task on the user's resource from a calendar item. `fields.uid` becomes the task's
   * UID; `fields.kind` becomes its manual-mode mark; `reminder: null` means none.
   */
  createTask(fields: SyncFields): Promise<PlanningTask>;

  /**
   * Optional: creates several tasks as `createTask` would, in order, all or none (one
   * transaction on the SQL store). A first sync imports thousands of items, and one
   * transaction per task made most of its time there.
   */
  createTasks?(fields: readonly SyncFields[]): Promise<PlanningTask[]>;

  /** Copies a calendar item's fields onto the task; `reminder: null` keeps the task's reminder. */
  updateTask(taskId: string, fields: SyncFields): Promise<PlanningTask>;

  /**
   * Optional: `updateTask` for several tasks at once, all or none (one transaction on the SQL
   * planning); the result is in the order of `updates`.
   */
  updateTasks?(updates: readonly TaskUpdate[]): Promise<PlanningTask[]>;

  /** Deletes the task; a task already gone is success. */
  deleteTask(taskId: string): Promise<void>;
}

export interface TaskUpdate {
  taskId: string;
  fields: SyncFields;
}

export function isDeleted(found: PlanningTask | DeletedTask | undefined): boolean {
  return found === undefined || !('fields' in found);
}

/** A task held by `MemoryPlanning`. */
export interface MemoryTask {
  id: string;
  uid: string;
  label: string;
  timing: TaskTiming;
  remark: string;
  reminder: Reminder;
  private: boolean;
  /** An occurrence of a periodic task: never exported. */
  periodic: boolean;
  manualKind: ItemKind | null;
  modifiedAt: number;
}

export type MemoryTaskInput = Partial<Omit<MemoryTask, 'id' | 'modifiedAt'>> &
  Pick<MemoryTask, 'label' | 'timing'>;

/** An in-memory planning for tests: one resource's tasks, rights, tombstones, a write count. */
export class MemoryPlanning implements PlanningSide {
  readonly tasks = new Map<string, MemoryTask>();
  readonly tombstones = new Map<string, number>();
  currentRights: PlanningRights = {
    readOnly: false,
    canAdd: true,
    canModify: true,
    canDelete: true,
  };
  /**
   * Writes made through the `PlanningSide` port (the engine's writes), not the test's own edits.
   */
  writes = 0;
  /** When set, the next engine write is applied and then this error is thrown (a crash). */
  crashAfterNextWrite: Error | null = null;
  /** With `crashAfterNextWrite`: how many engine writes succeed before the one that crashes. */
  crashSkips = 0;
  /** When set, the next engine write throws this error without writing anything. */
  failBeforeNextWrite: Error | null = null;
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly timeZone = 'UTC',
  ) {}

  // The planning user's own actions, as the tests drive them.

  add(input: MemoryTaskInput): MemoryTask {
    const id = `task-${this.nextId++}`;
    const task: MemoryTask = {
      uid: id,
      remark: '',
      reminder: { kind: 'none' },
      private: false,
      periodic: false,
      manualKind: null,
      ...input,
      id,
      modifiedAt: this.clock.now(),
    };
    this.tasks.set(id, task);
    return task;
  }

  edit(id: string, patch: Partial<Omit<MemoryTask, 'id' | 'modifiedAt'>>): MemoryTask {
    const task = this.tasks.get(id);
    if (!task) throw new OrdoError('TASK_NOT_FOUND', { details: { taskId: id } });
    const edited = { ...task, ...patch, modifiedAt: this.clock.now() };
    this.tasks.set(id, edited);
    return edited;
  }

  remove(id: string): void {
    if (this.tasks.delete(id)) this.tombstones.set(id, this.clock.now());
  }

  // The port.

  async rights(): Promise<PlanningRights> {
    return { ...this.currentRights };
  }

  /** Its writes are never late: every one is whole when it returns. */
  async changedSince(at: number, except?: OwnWrites, _snapshot?: string | null): Promise<boolean> {
    for (const task of this.tasks.values()) {
      if (task.modifiedAt >= at && except?.tasks.get(task.id) !== task.modifiedAt) return true;
    }
    for (const [id, deletedAt] of this.tombstones) {
      if (deletedAt >= at && !except?.deleted.has(id)) return true;
    }
    return false;
  }

  async listTasks(window: SyncWindow): Promise<PlanningTask[]> {
    return [...this.tasks.values()]
      .filter((task) => overlaps(spanOf(task.timing, this.timeZone), window))
      .map((task) => this.view(task));
  }

  async lookupTasks(ids: readonly string[]): Promise<Map<string, PlanningTask | DeletedTask>> {
    const found = new Map<string, PlanningTask | DeletedTask>();
    for (const id of ids) {
      const task = this.tasks.get(id);
      const deletedAt = this.tombstones.get(id);
      if (task) found.set(id, this.view(task));
      else if (deletedAt !== undefined) found.set(id, { id, deletedAt });
    }
    return found;
  }

  async findTasksByUid(uids: readonly string[]): Promise<Map<string, PlanningTask>> {
    const wanted = new Set(uids);
    const found = new Map<string, PlanningTask>();
    for (const task of this.tasks.values())
      if (wanted.has(task.uid)) found.set(task.uid, this.view(task));
    return found;
  }

  async createTask(fields: SyncFields): Promise<PlanningTask> {
    this.beforeWrite();
    checkTiming(fields.timing);
    const task = this.add({
      uid: fields.uid,
      label: fields.label,
      timing: fields.timing,
      remark: fields.remark,
      reminder: fields.reminder ?? { kind: 'none' },
      private: fields.private,
      manualKind: fields.kind,
    });
    return this.afterWrite(this.view(task));
  }

  async updateTask(taskId: string, fields: SyncFields): Promise<PlanningTask> {
    this.beforeWrite();
    checkTiming(fields.timing);
    return this.afterWrite(this.view(this.applyUpdate(taskId, fields)));
  }

  /** All or none: every update is checked before any is applied; one crash point after all. */
  async updateTasks(updates: readonly TaskUpdate[]): Promise<PlanningTask[]> {
    this.beforeWrite();
    for (const { taskId, fields } of updates) {
      checkTiming(fields.timing);
      if (!this.tasks.has(taskId)) throw new OrdoError('TASK_NOT_FOUND', { details: { taskId } });
    }
    const views = updates.map(({ taskId, fields }) => this.view(this.applyUpdate(taskId, fields)));
    this.writes += updates.length - 1;
    return this.afterWrite(views);
  }

  private applyUpdate(taskId: string, fields: SyncFields): MemoryTask {
    return this.edit(taskId, {
      label: fields.label,
      timing: fields.timing,
      remark: fields.remark,
      private: fields.private,
      ...(fields.reminder === null ? {} : { reminder: fields.reminder }),
    });
  }

  async deleteTask(taskId: string): Promise<void> {
    this.beforeWrite();
    this.remove(taskId);
    this.afterWrite(undefined);
  }

  private beforeWrite(): void {
    const failure = this.failBeforeNextWrite;
    this.failBeforeNextWrite = null;
    if (failure) throw failure;
  }

  private afterWrite<T>(result: T): T {
    this.writes += 1;
    const crash = this.crashAfterNextWrite;
    if (crash && this.crashSkips > 0) this.crashSkips -= 1;
    else if (crash) {
      this.crashAfterNextWrite = null;
      throw crash;
    }
    return result;
  }

  private view(task: MemoryTask): PlanningTask {
    return {
      id: task.id,
      fields: {
        kind: task.manualKind ?? 'event',
        uid: task.uid,
        label: task.label,
        timing: task.timing,
        remark: task.remark,
        reminder: task.reminder,
        private: task.private,
        recurring: false,
      },
      modifiedAt: task.modifiedAt,
      exportable: !task.periodic,
      manualKind: task.manualKind,
    };
  }
}

function checkTiming(timing: TaskTiming): void {
  const ordered = timing.allDay ? timing.startDate < timing.endDate : timing.start <= timing.end;
  if (!ordered) throw new OrdoError('TASK_TIMING_INVALID');
}
