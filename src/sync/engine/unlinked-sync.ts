/**
 * Items not linked yet: calendar items the run has not paired with a task, tasks without a
 * calendar item. They are linked when they are the same item (our intent, same UID, or same
 * label, start and end), else imported or exported under the rules of SPEC 3.2 and 3.3.
 */
import { isOrdoError, OrdoError } from '../../shared/errors.js';
import type { RemoteItem } from '../provider.js';
import {
  allowedFor,
  planningFields,
  refLinkedTo,
  remoteFields,
  savePair,
  savePairs,
  pairAfterSync,
  type RunContext,
} from './context.js';
import { overlaps, sameLabelAndTiming, spanOf } from './fields.js';
import { inScope, isItemError, syncPair } from './pair-sync.js';
import type { PlanningTask } from './planning-side.js';
import { exportKind, importsKind } from './settings.js';
import type { SyncIntent, SyncPair } from './state-store.js';

export interface UnlinkedInput {
  /** Calendar items of this run that no pair holds. */
  items: RemoteItem[];
  /** Listed tasks that no pair holds. */
  tasks: PlanningTask[];
  intents: SyncIntent[];
}

export async function syncUnlinked(run: RunContext, input: UnlinkedInput): Promise<void> {
  const tasks = new Map(input.tasks.map((task) => [task.id, task]));
  const items = input.items
    .filter((item) => overlaps(spanOf(item.fields.timing, run.settings.timeZone), run.window))
    .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));

  const rest = await resolveIntents(run, { items, tasks, intents: input.intents });
  const unique = skipDuplicateUids(run, rest);
  const unmatched = await matchItems(run, unique, tasks);
  await importItems(run, unmatched);
  for (const task of tasks.values()) await guard(run, task, () => exportTask(run, task));
}

/** A calendar item created for one of our tasks by a run that stopped before linking it. */
async function resolveIntents(
  run: RunContext,
  input: { items: RemoteItem[]; tasks: Map<string, PlanningTask>; intents: SyncIntent[] },
): Promise<RemoteItem[]> {
  const byUid = new Map(input.intents.map((intent) => [intent.uid, intent]));
  const rest: RemoteItem[] = [];
  for (const item of input.items) {
    const intent = byUid.get(item.fields.uid);
    if (!intent) {
      rest.push(item);
      continue;
    }
    byUid.delete(item.fields.uid);
    const task = input.tasks.get(intent.taskId) ?? (await lookup(run, intent.taskId));
    input.tasks.delete(intent.taskId);
    await guard(run, item, () => linkIntent(run, { intent, item, task }));
  }
  return rest;
}

async function lookup(run: RunContext, taskId: string): Promise<PlanningTask | null> {
  const found = (await run.planning.lookupTasks([taskId])).get(taskId);
  return found && 'fields' in found ? found : null;
}

async function linkIntent(
  run: RunContext,
  args: { intent: SyncIntent; item: RemoteItem; task: PlanningTask | null },
): Promise<void> {
  const { intent, item, task } = args;
  if (!task || !inScope(run, task)) {
    await run.provider.delete(item.ref, item.etag);
    await run.state.deleteIntent(intent.taskId);
    run.report.add({
      taskId: intent.taskId,
      ref: item.ref,
      action: 'deleted',
      side: 'calendar',
      reason: 'created for a task that is no longer synchronized',
    });
    return;
  }
  await link(run, { task, item, kind: intent.kind, how: 'created by an interrupted run' });
}

/** Several calendar items with one UID: the first is kept, the others are reported. */
function skipDuplicateUids(run: RunContext, items: RemoteItem[]): RemoteItem[] {
  const linkedUids = new Set([...run.pairs.values()].map((pair) => pair.uid));
  const seen = new Set<string>();
  const kept: RemoteItem[] = [];
  for (const item of items) {
    const uid = item.fields.uid;
    if (linkedUids.has(uid) || seen.has(uid)) {
      run.report.add({
        taskId: null,
        ref: item.ref,
        action: 'skipped',
        side: 'planning',
        reason: 'duplicate UID in the calendar',
      });
      run.report.fail(
        { taskId: null, ref: item.ref },
        new OrdoError('SYNC_DUPLICATE_UID', { details: { uid } }),
      );
      continue;
    }
    seen.add(uid);
    kept.push(item);
  }
  return kept;
}

/** First synchronization (or a lost state): the same UID, else the same label, start and end. */
async function matchItems(
  run: RunContext,
  items: RemoteItem[],
  tasks: Map<string, PlanningTask>,
): Promise<RemoteItem[]> {
  const byUid = new Map([...tasks.values()].map((task) => [task.fields.uid, task]));
  const unmatched: RemoteItem[] = [];
  await addTasksOutsideWindow(run, { items, byUid });
  for (const item of items) {
    const sameUid = byUid.get(item.fields.uid);
    const task = sameUid ?? findSameLabelAndTiming(item, tasks);
    if (!task) {
      unmatched.push(item);
      continue;
    }
    tasks.delete(task.id);
    byUid.delete(task.fields.uid);
    await guard(run, item, () =>
      linkMatch(run, { task, item, how: sameUid ? 'same UID' : 'same label, start and end' }),
    );
  }
  return unmatched;
}

/**
 * A calendar item whose UID a task outside the window carries (imported by a run that stopped
 * before linking it, then moved): it is that task, not a new one.
 */
async function addTasksOutsideWindow(
  run: RunContext,
  args: { items: RemoteItem[]; byUid: Map<string, PlanningTask> },
): Promise<void> {
  const unknown = args.items.map((item) => item.fields.uid).filter((uid) => !args.byUid.has(uid));
  if (unknown.length === 0) return;
  const linked = new Set(run.pairs.keys());
  for (const [uid, task] of await run.planning.findTasksByUid(unknown)) {
    if (!linked.has(task.id)) args.byUid.set(uid, task);
  }
}

function findSameLabelAndTiming(
  item: RemoteItem,
  tasks: Map<string, PlanningTask>,
): PlanningTask | undefined {
  // A private or recurring calendar item is never taken for a task unless its UID says so.
  if (item.fields.private || item.fields.recurring) return undefined;
  for (const task of tasks.values()) {
    if (sameLabelAndTiming(task.fields, item.fields)) return task;
  }
  return undefined;
}

async function linkMatch(
  run: RunContext,
  args: { task: PlanningTask; item: RemoteItem; how: string },
): Promise<void> {
  const { task, item } = args;
  if (item.fields.recurring || !inScope(run, task)) {
    const reason = item.fields.recurring
      ? 'recurring item: not imported'
      : 'same item as a task that is not synchronized';
    run.report.add({ taskId: task.id, ref: item.ref, action: 'skipped', side: 'planning', reason });
    return;
  }
  await link(run, { task, item, kind: item.fields.kind, how: `matched by ${args.how}` });
}

/** Links a task and a calendar item; if they differ, the most recent one wins. */
async function link(
  run: RunContext,
  args: {
    task: PlanningTask;
    item: RemoteItem;
    kind: SyncPair['kind'];
    how: string;
    /** The item was not listed by this run: it may be newer than the run's cursor. */
    unconfirmed?: boolean;
  },
): Promise<void> {
  const { task, item } = args;
  // Unknown hashes make both sides "changed": the grid then links equal items as they are
  // and settles different ones by time and rights.
  const provisional: SyncPair = {
    ...pairAfterSync(
      run,
      {
        taskId: task.id,
        ref: item.ref,
        uid: item.fields.uid,
        kind: args.kind,
        unconfirmed: args.unconfirmed === true,
      },
      {
        planning: item.fields,
        remote: item.fields,
        etag: item.etag,
      },
    ),
    planningHash: '',
    remoteHash: '',
  };
  // Linked before anything is copied: if the copy fails (a rejected item), the two stay
  // known as one and the next run tries the copy again instead of importing a duplicate.
  await savePair(run, provisional);
  await syncPair(run, {
    pair: provisional,
    planning: { state: 'present', task },
    remote: { state: 'present', item },
    linkedBy: args.how,
  });
}

/** Items imported per batch when the planning writes batches. */
const IMPORT_BATCH = 250;

/**
 * Imports the items, in batches when the planning can create several tasks at once (one
 * transaction each on the SQL store, instead of one per task). A batch the planning refuses
 * is retried item by item, so that one bad item fails alone; as for a single import, a crash
 * between the tasks and their pairs is healed by the next run, which links them by UID.
 */
async function importItems(run: RunContext, items: RemoteItem[]): Promise<void> {
  const uids = items.map((item) => item.fields.uid);
  const taken = (await run.planning.takenUids?.(uids)) ?? new Set<string>();
  const importable = items.filter((item) => !skipRefused(run, item, taken));
  if (!run.planning.createTasks) {
    for (const item of importable) await guard(run, item, () => importItem(run, item));
    return;
  }
  for (let at = 0; at < importable.length; at += IMPORT_BATCH) {
    const batch = importable.slice(at, at + IMPORT_BATCH);
    const fields = batch.map((item) => remoteFields(run, item));
    let tasks: PlanningTask[];
    try {
      tasks = await run.planning.createTasks(fields);
    } catch (error) {
      if (!isItemError(error)) throw error;
      for (const item of batch) await guard(run, item, () => importItem(run, item));
      continue;
    }
    const pairs = batch.map((item, index) => importedPair(run, item, tasks[index] as PlanningTask));
    await savePairs(run, pairs);
    for (const pair of pairs) reportImported(run, pair);
  }
}

/** Reports an item the rules keep out of the planning; true when it was one. */
function skipRefused(run: RunContext, item: RemoteItem, taken: ReadonlySet<string>): boolean {
  const reason = importRefusal(run, item, taken);
  if (!reason) return false;
  run.report.add({ taskId: null, ref: item.ref, action: 'skipped', side: 'planning', reason });
  return true;
}

async function importItem(run: RunContext, item: RemoteItem): Promise<void> {
  const task = await run.planning.createTask(remoteFields(run, item));
  const pair = importedPair(run, item, task);
  await savePair(run, pair);
  reportImported(run, pair);
}

function importedPair(run: RunContext, item: RemoteItem, task: PlanningTask): SyncPair {
  const fields = remoteFields(run, item);
  return pairAfterSync(
    run,
    { taskId: task.id, ref: item.ref, uid: fields.uid, kind: fields.kind },
    {
      planning: planningFields(run, task, { kind: fields.kind, uid: fields.uid }),
      remote: fields,
      etag: item.etag,
    },
  );
}

function reportImported(run: RunContext, pair: SyncPair): void {
  run.report.add({
    taskId: pair.taskId,
    ref: pair.ref,
    action: 'created',
    side: 'planning',
    reason: 'created in the calendar',
  });
}

/** Why an unlinked item is not imported; `taken`: UIDs the planning gave tasks of its own. */
function importRefusal(
  run: RunContext,
  item: RemoteItem,
  taken: ReadonlySet<string>,
): string | null {
  const kind = item.fields.kind;
  if (item.fields.private) return 'private item: not imported';
  if (item.fields.recurring) return 'recurring item: not imported';
  if (!importsKind(run.settings, kind)) {
    return kind === 'event' ? 'appointments are not imported' : 'calendar tasks are not imported';
  }
  if (run.rights.readOnly) return 'read-only access: nothing is created in the planning';
  if (!allowedFor(run, kind).add) return 'not allowed to add tasks';
  if (taken.has(item.fields.uid)) {
    return 'the UID of another task of the planning (an invitation kept here?): not imported';
  }
  return null;
}

/** Creates the task's calendar item at a ref derived from its UID, after writing the intent. */
async function exportTask(run: RunContext, task: PlanningTask): Promise<void> {
  if (!inScope(run, task)) return;
  const kind = exportKind(run.settings) ?? task.manualKind;
  if (!kind) return;
  if (!run.provider.kinds.includes(kind)) {
    const reason = `the calendar holds no ${kind === 'event' ? 'appointments' : 'tasks'}`;
    run.report.add({ taskId: task.id, ref: null, action: 'skipped', side: 'calendar', reason });
    return;
  }
  const fields = planningFields(run, task, { kind, uid: task.fields.uid });
  await run.state.saveIntent({
    taskId: task.id,
    uid: fields.uid,
    kind,
    startedAt: run.clock.now(),
  });
  try {
    const created = await run.provider.create(fields);
    const pair = pairAfterSync(
      run,
      { taskId: task.id, ref: created.ref, uid: fields.uid, kind, unconfirmed: true },
      {
        planning: fields,
        remote: fields,
        etag: created.etag,
      },
    );
    await savePair(run, pair);
    run.report.add({
      taskId: task.id,
      ref: created.ref,
      action: 'created',
      side: 'calendar',
      reason: 'created in the planning',
    });
  } catch (error) {
    if (!isOrdoError(error, 'SYNC_REMOTE_EXISTS')) throw error;
    await linkExisting(run, { task, error });
  }
}

/** The create found the item already there (an earlier run's create, or someone's copy). */
async function linkExisting(
  run: RunContext,
  args: { task: PlanningTask; error: OrdoError },
): Promise<void> {
  const ref = args.error.details?.ref;
  const item = typeof ref === 'string' ? await run.provider.get(ref) : null;
  if (item && refLinkedTo(run, item.ref)) {
    // Another task holds that item: both have its UID, which trying again cannot mend.
    const details = { ref: item.ref, uid: args.task.fields.uid };
    run.report.fail(
      { taskId: args.task.id, ref: item.ref },
      new OrdoError('SYNC_DUPLICATE_UID', { details }),
    );
    return;
  }
  if (!item) {
    // Gone again, or not found where the server pointed: the next run creates it anew.
    run.report.fail(
      { taskId: args.task.id, ref: typeof ref === 'string' ? ref : null },
      args.error,
    );
    return;
  }
  await link(run, {
    task: args.task,
    item,
    kind: item.fields.kind,
    how: 'the calendar already held it',
    unconfirmed: true,
  });
}

async function guard(
  run: RunContext,
  subject: RemoteItem | PlanningTask,
  action: () => Promise<void>,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isItemError(error)) throw error;
    const where =
      'ref' in subject ? { taskId: null, ref: subject.ref } : { taskId: subject.id, ref: null };
    run.report.fail(where, error);
  }
}
