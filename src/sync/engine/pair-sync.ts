/**
 * Synchronizes one linked pair: classify each side, decide on the grid, apply the decision as
 * one write plus one state write, and on a lost race re-read the calendar and decide again.
 */
import { isOrdoError, OrdoError } from '../../shared/errors.js';
import type { RemoteItem, SyncFields } from '../provider.js';
import { decide, type GridDecision, type SideChange } from './decide.js';
import {
  allowedFor,
  forgetPair,
  pairAfterSync,
  planningFields,
  refLinkedTo,
  remoteFields,
  savePair,
  savePairs,
  type DeferredPull,
  type PlanningView,
  type RemoteView,
  type RunContext,
} from './context.js';
import { contentHash, summarize } from './fields.js';
import type { PlanningTask } from './planning-side.js';
import type { SyncAction } from './report.js';
import type { SyncPair } from './state-store.js';

/** How many times a pair is decided again after the calendar item changed under a write. */
const MAX_ATTEMPTS = 3;

/** Planning-side errors that concern one item: reported, and the run goes on. */
const ITEM_ERRORS = new Set([
  'TASK_TIMING_INVALID',
  'VALIDATION',
  'TASK_NOT_FOUND',
  'ICS_ITEM_INVALID',
]);

export interface PairInput {
  pair: SyncPair;
  planning: PlanningView;
  remote: RemoteView;
  /** Extra report reason for a pair linked this run (first sync, a create that was there). */
  linkedBy?: string;
}

export async function syncPair(run: RunContext, input: PairInput): Promise<void> {
  let { pair, remote } = input;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await applyPair(run, { ...input, pair, remote });
      return;
    } catch (error) {
      const where = { taskId: pair.taskId, ref: pair.ref };
      if (isOrdoError(error, 'SYNC_REMOTE_CHANGED') && attempt < MAX_ATTEMPTS) {
        remote = await reread(run, pair, pair.ref);
        continue;
      }
      if (isOrdoError(error, 'SYNC_REMOTE_EXISTS') && attempt < MAX_ATTEMPTS) {
        const ref = typeof error.details?.ref === 'string' ? error.details.ref : pair.ref;
        const owner = refLinkedTo(run, ref);
        if (owner && owner.taskId !== pair.taskId) {
          run.report.fail(
            where,
            new OrdoError('SYNC_DUPLICATE_UID', { details: { ref, uid: pair.uid } }),
          );
          return;
        }
        // An item found where we were creating ours may be newer than the run's cursor.
        pair = { ...pair, ref, ...(run.seen.has(ref) ? {} : { unconfirmed: true }) };
        remote = await reread(run, pair, ref);
        continue;
      }
      if (isItemError(error)) {
        run.report.fail(where, error);
        return;
      }
      throw error;
    }
  }
}

export function isItemError(error: unknown): boolean {
  if (!isOrdoError(error)) return false;
  return (
    error.code === 'SYNC_REMOTE_REJECTED' ||
    error.code === 'SYNC_REMOTE_CHANGED' ||
    error.code === 'SYNC_REMOTE_EXISTS' ||
    ITEM_ERRORS.has(error.code)
  );
}

async function reread(run: RunContext, pair: SyncPair, ref: string): Promise<RemoteView> {
  const item = await run.provider.get(ref);
  if (item) return { state: 'present', item };
  return { state: 'deleted', at: pair.remoteDeletedSeenAt ?? run.clock.now() };
}

async function applyPair(run: RunContext, input: PairInput): Promise<void> {
  const { pair, planning, remote } = input;
  if (planning.state === 'unseen' && remote.state === 'unseen') return;
  if (planning.state === 'unseen') throw new Error('sync engine: planning side not resolved');

  if (planning.state === 'present' && !inScope(run, planning.task)) {
    await stopSynchronizing(run, pair, remote);
    return;
  }
  if (remote.state === 'present' && remote.item.fields.recurring) {
    run.report.add({
      ...where(pair),
      action: 'skipped',
      side: 'planning',
      reason: 'the calendar item became recurring',
    });
    return;
  }

  const seen = await recordDeletionsSeen(run, pair, planning, remote);
  const grid = classify(run, seen, planning, remote);
  const decision = decide({ ...grid, allowed: allowedFor(run, pair.kind) });
  await execute(run, { ...input, pair: seen }, decision);
}

/**
 * Whether the task is still to be synchronized (manual mode: still marked).
 * TODO(when manual mode lets the kind change): a linked task keeps its pair's kind; changing
 * the mark from appointment to calendar task should delete the item and create the other kind.
 */
export function inScope(run: RunContext, task: PlanningTask): boolean {
  if (!task.exportable) return false;
  return run.settings.exportAs !== 'manual' || task.manualKind !== null;
}

/** The task left the synchronization (unmarked, or now a periodic occurrence): remove its copy. */
async function stopSynchronizing(
  run: RunContext,
  pair: SyncPair,
  remote: RemoteView,
): Promise<void> {
  if (remote.state !== 'deleted') {
    const etag = remote.state === 'present' ? remote.item.etag : pair.etag;
    await run.provider.delete(pair.ref, etag);
    run.report.add({
      ...where(pair),
      action: 'deleted',
      side: 'calendar',
      reason: 'the task is no longer synchronized',
    });
  }
  await forgetPair(run, pair.taskId);
}

/** Keeps the time a deletion was first seen, so a later run times it the same way. */
async function recordDeletionsSeen(
  run: RunContext,
  pair: SyncPair,
  planning: PlanningView,
  remote: RemoteView,
): Promise<SyncPair> {
  const next = { ...pair };
  if (planning.state === 'deleted' && pair.planningDeletedSeenAt === null)
    next.planningDeletedSeenAt = planning.at;
  if (remote.state === 'deleted' && pair.remoteDeletedSeenAt === null)
    next.remoteDeletedSeenAt = remote.at;
  const changed =
    next.planningDeletedSeenAt !== pair.planningDeletedSeenAt ||
    next.remoteDeletedSeenAt !== pair.remoteDeletedSeenAt;
  const bothGone = planning.state === 'deleted' && remote.state === 'deleted';
  if (changed && !bothGone) await savePair(run, next);
  return next;
}

function classify(run: RunContext, pair: SyncPair, planning: PlanningView, remote: RemoteView) {
  let planningChange: SideChange = 'deleted';
  let planningAt = planning.state === 'deleted' ? planning.at : 0;
  let planningHash = pair.planningHash;
  if (planning.state === 'present') {
    planningHash = contentHash(planningFields(run, planning.task, pair));
    planningChange = planningHash === pair.planningHash ? 'unchanged' : 'changed';
    planningAt = planning.task.modifiedAt;
  }

  let calendarChange: SideChange = remote.state === 'deleted' ? 'deleted' : 'unchanged';
  let calendarAt = remote.state === 'deleted' ? remote.at : 0;
  let remoteHash = pair.remoteHash;
  if (remote.state === 'present') {
    remoteHash = contentHash(remoteFields(run, remote.item));
    calendarChange = remoteHash === pair.remoteHash ? 'unchanged' : 'changed';
    calendarAt = calendarChangeTime(run, remote.item.lastModified);
  }

  return {
    planning: planningChange,
    calendar: calendarChange,
    planningAt,
    calendarAt,
    sameContent: planningHash === remoteHash,
  };
}

/**
 * When a calendar item changed: its last-modified time, else when the change is first seen. A
 * time in the future (a client's clock ahead) counts as now, so it cannot win every conflict;
 * one before the last run read the calendar is a LAST-MODIFIED its client left as it was when
 * it edited the item, and counts as not given.
 * TODO(when runs often fail between seeing and applying a change): persist that first-seen
 * time like deletions', so a retried run does not time the change later than it was.
 */
function calendarChangeTime(run: RunContext, lastModified: number | null): number {
  const now = run.clock.now();
  if (lastModified === null) return now;
  const readAt = run.calendarReadAt;
  // LAST-MODIFIED has whole seconds: an edit in the second of that reading is after it.
  if (readAt !== undefined && lastModified < floorSecond(readAt)) return now;
  return Math.min(lastModified, now);
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

async function execute(run: RunContext, input: PairInput, decision: GridDecision): Promise<void> {
  const { pair, planning, remote } = input;
  const task = planning.state === 'present' ? planning.task : null;
  const item = remote.state === 'present' ? remote.item : null;
  const etag = item ? item.etag : pair.etag;

  switch (decision.action) {
    case 'none':
      if (item && item.etag !== pair.etag) await savePair(run, { ...pair, etag: item.etag });
      if (input.linkedBy) report(run, pair, 'linked', 'calendar', input.linkedBy);
      return;
    case 'record': {
      if (!task || !item) throw new Error('sync engine: record needs both sides');
      await savePair(run, pairAfterSync(run, pair, sync(run, task, item, pair)));
      if (input.linkedBy) report(run, pair, 'linked', 'calendar', input.linkedBy);
      return;
    }
    case 'push':
    case 'revert':
      return push(run, { pair, task: must(task), item, etag, decision, linkedBy: input.linkedBy });
    case 'pull':
      return pull(run, {
        pair,
        task: must(task),
        item: must(item),
        decision,
        linkedBy: input.linkedBy,
      });
    case 'delete-calendar':
      await run.provider.delete(pair.ref, etag);
      await forgetPair(run, pair.taskId);
      report(
        run,
        pair,
        'deleted',
        'calendar',
        decision,
        item ? remoteFields(run, item) : undefined,
      );
      return;
    case 'delete-planning':
      await run.planning.deleteTask(pair.taskId);
      await forgetPair(run, pair.taskId);
      report(
        run,
        pair,
        'deleted',
        'planning',
        decision,
        task ? planningFields(run, task, pair) : undefined,
      );
      return;
    case 'restore-calendar':
      return restore(run, { pair, task: must(task), decision });
    case 'recreate-planning':
      return recreate(run, { pair, item: must(item), decision });
    case 'forget':
      await forgetPair(run, pair.taskId);
      return;
  }
}

function sync(run: RunContext, task: PlanningTask, item: RemoteItem, pair: SyncPair) {
  return {
    planning: planningFields(run, task, pair),
    remote: remoteFields(run, item),
    etag: item.etag,
  };
}

async function push(
  run: RunContext,
  args: {
    pair: SyncPair;
    task: PlanningTask;
    item: RemoteItem | null;
    etag: string | null;
    decision: GridDecision;
    linkedBy?: string | undefined;
  },
): Promise<void> {
  const { pair, task, item, decision } = args;
  const fields = planningFields(run, task, pair);
  const written = await run.provider.update(pair.ref, args.etag, fields);
  await savePair(
    run,
    pairAfterSync(run, pair, { planning: fields, remote: fields, etag: written.etag }),
  );
  if (args.linkedBy) report(run, pair, 'linked', 'calendar', args.linkedBy);
  const action = decision.action === 'revert' ? 'restored' : 'updated';
  report(run, pair, action, 'calendar', decision, item ? remoteFields(run, item) : undefined);
}

type Pull = DeferredPull;

/**
 * Copies the calendar item onto the task. While the run defers pulls (see `deferPulls`) and
 * the planning can update several tasks at once, the pull joins the run's next batch.
 */
async function pull(run: RunContext, args: Pull): Promise<void> {
  const deferred = run.deferredPulls;
  if (deferred && run.planning.updateTasks) {
    deferred.push(args);
    if (deferred.length >= PULL_BATCH) await flushPulls(run);
    return;
  }
  const updated = await run.planning.updateTask(args.pair.taskId, pulledFields(run, args));
  await savePair(run, pulledPair(run, args, updated));
  reportPull(run, args);
}

/** How many pulls one `updateTasks` carries (one transaction on the SQL planning). */
const PULL_BATCH = 250;

/**
 * Runs `body` with pulls deferred, and writes what is left of them at its end: the pairs of
 * a run's main loop pull in batches (one planning transaction and one state write each, not
 * one of each per pair).
 */
export async function deferPulls(run: RunContext, body: () => Promise<void>): Promise<void> {
  run.deferredPulls = [];
  try {
    await body();
    await flushPulls(run);
  } finally {
    run.deferredPulls = undefined;
  }
}

/**
 * Writes the deferred pulls: all tasks in one batch, then their pairs. A batch the planning
 * refuses is written pull by pull, so one bad item fails alone and is reported as it would
 * be alone; as for a single pull, a crash between the tasks and their pairs is healed by the
 * next run, which finds both sides with the same content.
 */
async function flushPulls(run: RunContext): Promise<void> {
  const batch = run.deferredPulls?.splice(0) ?? [];
  if (batch.length === 0 || !run.planning.updateTasks) return;
  let updated: PlanningTask[];
  try {
    updated = await run.planning.updateTasks(
      batch.map((args) => ({ taskId: args.pair.taskId, fields: pulledFields(run, args) })),
    );
  } catch (error) {
    if (!isItemError(error)) throw error;
    for (const args of batch) await pullAlone(run, args);
    return;
  }
  await savePairs(
    run,
    batch.map((args, index) => pulledPair(run, args, updated[index] as PlanningTask)),
  );
  for (const args of batch) reportPull(run, args);
}

async function pullAlone(run: RunContext, args: Pull): Promise<void> {
  try {
    const updated = await run.planning.updateTask(args.pair.taskId, pulledFields(run, args));
    await savePair(run, pulledPair(run, args, updated));
    reportPull(run, args);
  } catch (error) {
    if (!isItemError(error)) throw error;
    run.report.fail(where(args.pair), error);
  }
}

function pulledFields(run: RunContext, args: Pull): SyncFields {
  return { ...remoteFields(run, args.item), kind: args.pair.kind };
}

function pulledPair(run: RunContext, args: Pull, updated: PlanningTask): SyncPair {
  return pairAfterSync(run, args.pair, sync(run, updated, args.item, args.pair));
}

function reportPull(run: RunContext, args: Pull): void {
  const { pair, task, decision } = args;
  if (args.linkedBy) report(run, pair, 'linked', 'calendar', args.linkedBy);
  report(run, pair, 'updated', 'planning', decision, planningFields(run, task, pair));
}

/** Puts the calendar item back from the planning's version, at a ref derived from its UID. */
async function restore(
  run: RunContext,
  args: { pair: SyncPair; task: PlanningTask; decision: GridDecision },
): Promise<void> {
  const { pair, task, decision } = args;
  const fields = planningFields(run, task, pair);
  const created = await run.provider.create(fields);
  const restored = pairAfterSync(
    run,
    { ...pair, ref: created.ref, unconfirmed: true },
    { planning: fields, remote: fields, etag: created.etag },
  );
  await savePair(run, restored);
  report(run, restored, 'restored', 'calendar', decision);
}

/**
 * Creates the task again from the calendar item. The new task keeps the pair's UID, so if the
 * run stops before the pair is re-keyed, the next run finds it by UID instead of creating it twice.
 */
async function recreate(
  run: RunContext,
  args: { pair: SyncPair; item: RemoteItem; decision: GridDecision },
): Promise<void> {
  const { pair, item, decision } = args;
  const fields = { ...remoteFields(run, item), kind: pair.kind, uid: pair.uid };
  const created = await run.planning.createTask(fields);
  await forgetPair(run, pair.taskId);
  const next = pairAfterSync(run, { ...pair, taskId: created.id }, sync(run, created, item, pair));
  await savePair(run, next);
  report(run, next, 'created', 'planning', decision);
}

function report(
  run: RunContext,
  pair: SyncPair,
  action: SyncAction['action'],
  side: SyncAction['side'],
  decision: GridDecision | string,
  overwritten?: SyncFields,
): void {
  const entry: SyncAction = {
    ...where(pair),
    action,
    side,
    reason: typeof decision === 'string' ? decision : decision.reason,
  };
  if (typeof decision !== 'string' && decision.winner) {
    entry.conflict = {
      winner: decision.winner,
      overwritten: overwritten ? summarize(overwritten) : 'deleted item',
    };
  }
  run.report.add(entry);
}

function where(pair: SyncPair): { taskId: string; ref: string } {
  return { taskId: pair.taskId, ref: pair.ref };
}

function must<T>(value: T | null): T {
  if (value === null) throw new Error('sync engine: a decision needs a side that is missing');
  return value;
}
