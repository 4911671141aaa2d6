/**
 * One synchronization run between a user's planning and their calendar (SPEC 3): read what
 * changed on both sides, decide each pair on the grid, write each decision with its state,
 * then save the cursor.
 */
import type { Clock } from '../../shared/clock.js';
import { isOrdoError, OrdoError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { CalendarProvider, ChangeSet, RemoteItem } from '../provider.js';
import {
  confirmSeenPairs,
  forgetPair,
  savePair,
  type PlanningView,
  type RemoteView,
  type RunContext,
} from './context.js';
import { overlaps, spanOf } from './fields.js';
import { syncPair } from './pair-sync.js';
import { isDeleted, type PlanningSide, type PlanningTask } from './planning-side.js';
import { ReportBuilder, type SyncReport } from './report.js';
import { syncWindow, type SyncSettings } from './settings.js';
import type { SyncPair, SyncStateStore } from './state-store.js';
import { syncUnlinked } from './unlinked-sync.js';

export interface RunSyncOptions {
  provider: CalendarProvider;
  planning: PlanningSide;
  state: SyncStateStore;
  settings: SyncSettings;
  clock: Clock;
  logger: Logger;
}

/** A bound on continued pages, so a server that always says "more" cannot hold a run forever. */
const MAX_PAGES = 10_000;

/** How many known items are read one by one before an empty listing is believed. */
const EMPTY_LISTING_PROBES = 10;

/**
 * Runs one synchronization. Throws (keeping the state of what already succeeded) when the
 * calendar is unavailable, refuses the credentials, or answers an empty complete listing
 * although items were known there (`SYNC_EMPTY_LISTING`); per-item failures are reported.
 */
export async function runSync(options: RunSyncOptions): Promise<SyncReport> {
  const run = await openRun(options);
  const cursor = await options.state.loadCursor();
  const changes = await listAllChanges(run, cursor);
  run.report.listing = changes.complete ? 'complete' : 'incremental';
  await guardEmptyListing(run, changes);

  const tasks = await run.planning.listTasks(run.window);
  const intents = await run.state.loadIntents();
  const changedByRef = new Map(changes.changed.map((item) => [item.ref, item]));
  const remote = await resolveRemoteSides(run, changes, changedByRef);
  const unlinkedItems = await relinkMovedItems(run, changes.changed, remote);
  const listed = new Map(tasks.map((task) => [task.id, task]));
  const planning = await resolvePlanningSides(run, listed, remote);
  await relinkRecreatedTasks(run, { listed, planning, remote });

  // Items a pair held when the run decided it are settled, even if the pair is gone now.
  const settledTasks = new Set(run.pairs.keys());
  const settledRefs = new Set([...run.pairs.values()].map((pair) => pair.ref));
  for (const pair of [...run.pairs.values()]) {
    if (run.blocked.has(pair.taskId)) continue;
    await syncPair(run, {
      pair,
      planning: planning.get(pair.taskId) ?? { state: 'unseen' },
      remote: remote.get(pair.taskId) ?? { state: 'unseen' },
    });
  }
  for (const pair of run.pairs.values()) {
    settledTasks.add(pair.taskId);
    settledRefs.add(pair.ref);
  }
  await syncUnlinked(run, {
    items: unlinkedItems.filter((item) => !settledRefs.has(item.ref)),
    tasks: tasks.filter((task) => !settledTasks.has(task.id)),
    intents,
  });

  // Every create of this run has either linked its pair or failed for good: what is left
  // of the intents (from a run that stopped) has been healed above.
  for (const intent of await run.state.loadIntents()) await run.state.deleteIntent(intent.taskId);
  await run.state.saveCursor(changes.cursor);
  await confirmSeenPairs(run);

  const report = run.report.build(run.clock.now());
  run.logger.info(
    { counts: report.counts, errors: report.errors.length, listing: report.listing },
    'sync run finished',
  );
  return report;
}

async function openRun(options: RunSyncOptions): Promise<RunContext> {
  const now = options.clock.now();
  const pairs = await options.state.loadPairs();
  return {
    ...options,
    logger: options.logger.child({ component: 'sync-engine' }),
    rights: await options.planning.rights(),
    window: syncWindow(options.settings, now),
    report: new ReportBuilder(now),
    pairs: new Map(pairs.map((pair) => [pair.taskId, pair])),
    blocked: new Set(),
    seen: new Set(),
  };
}

/** Reads the changes, continuing a paged answer; later pages override earlier ones. */
async function listAllChanges(run: RunContext, cursor: string | null): Promise<ChangeSet> {
  let page = await run.provider.listChanges(cursor, run.window);
  const complete = page.complete;
  const changed = new Map<string, RemoteItem>();
  const deleted = new Set<string>();
  for (let pages = 1; ; pages += 1) {
    for (const item of page.changed) {
      deleted.delete(item.ref);
      changed.set(item.ref, item);
    }
    for (const ref of page.deleted) {
      changed.delete(ref);
      deleted.add(ref);
    }
    if (!page.more) break;
    if (pages >= MAX_PAGES) {
      throw new OrdoError('SYNC_REMOTE_PROTOCOL', {
        message: 'The calendar kept answering with more pages',
      });
    }
    page = await run.provider.listChanges(page.cursor, run.window);
  }
  return { complete, changed: [...changed.values()], deleted: [...deleted], cursor: page.cursor };
}

/**
 * An empty complete listing while pairs in the window are known is far more often a server
 * or account fault than a calendar the user emptied: deleting on its word would wipe the
 * planning, so unless the items themselves confirm it the run stops and deletes nothing.
 */
async function guardEmptyListing(run: RunContext, changes: ChangeSet): Promise<void> {
  if (!changes.complete || changes.changed.length > 0) return;
  const known = [...run.pairs.values()].filter((pair) => overlaps(spanOfPair(pair), run.window));
  if (known.length === 0) return;

  // The listing is believed only when the items themselves confirm it: every one read back
  // still exists, outside the window (the only item of a calendar moved to next year). An
  // item still in the window means the server listed nothing by mistake; items all gone at
  // once are the mass wipe this guard exists for, so both stop the run.
  for (const pair of known.slice(0, EMPTY_LISTING_PROBES)) {
    const item = await run.provider.get(pair.ref);
    if (!item || overlaps(spanOf(item.fields.timing, run.settings.timeZone), run.window)) {
      throw new OrdoError('SYNC_EMPTY_LISTING', {
        details: { knownItems: known.length, ref: pair.ref, gone: item === null },
      });
    }
  }
}

function spanOfPair(pair: SyncPair): { start: number; end: number } {
  return { start: pair.startsAt, end: pair.endsAt };
}

/**
 * The calendar side of every pair. A pair the server reports deleted, or that a complete
 * listing omits although it was in the window, is read once more: an item that merely left
 * the window (Graph reports those as removed) is a change, not a deletion. So is an
 * unconfirmed pair the answer omits: its item was created after the cursor, and a server that
 * answers with the net difference since then (Xandikos, Graph) reports nothing for an item that
 * did not exist then and does not exist now.
 */
async function resolveRemoteSides(
  run: RunContext,
  changes: ChangeSet,
  changedByRef: Map<string, RemoteItem>,
): Promise<Map<string, RemoteView>> {
  const deleted = new Set(changes.deleted);
  const views = new Map<string, RemoteView>();
  for (const ref of changedByRef.keys()) run.seen.add(ref);
  for (const pair of run.pairs.values()) {
    const item = changedByRef.get(pair.ref);
    if (item) {
      views.set(pair.taskId, { state: 'present', item });
      continue;
    }
    const missing =
      deleted.has(pair.ref) ||
      pair.unconfirmed === true ||
      (changes.complete && overlaps(spanOfPair(pair), run.window));
    if (!missing) continue;
    const found = await readKnownItem(run, pair);
    if (found === 'unreadable') continue;
    if (found) run.seen.add(found.ref);
    views.set(
      pair.taskId,
      found
        ? { state: 'present', item: found }
        : { state: 'deleted', at: pair.remoteDeletedSeenAt ?? run.clock.now() },
    );
  }
  return views;
}

/**
 * Reads a known item the listing did not show. One the server holds but we cannot read is
 * neither deleted nor changed: its pair is left as it is for this run, and reported.
 */
async function readKnownItem(
  run: RunContext,
  pair: SyncPair,
): Promise<RemoteItem | null | 'unreadable'> {
  try {
    return await run.provider.get(pair.ref);
  } catch (error) {
    if (!isOrdoError(error, 'ICS_ITEM_INVALID')) throw error;
    run.report.fail({ taskId: pair.taskId, ref: pair.ref }, error);
    run.blocked.add(pair.taskId);
    return 'unreadable';
  }
}

/**
 * An unlinked item carrying the UID of a pair whose item is gone is that item at a new ref
 * (a Graph task moved to another list, a restore that landed elsewhere): the pair follows it.
 */
async function relinkMovedItems(
  run: RunContext,
  changed: RemoteItem[],
  remote: Map<string, RemoteView>,
): Promise<RemoteItem[]> {
  const linkedRefs = new Set([...run.pairs.values()].map((pair) => pair.ref));
  const goneByUid = new Map<string, SyncPair>();
  for (const pair of run.pairs.values()) {
    if (remote.get(pair.taskId)?.state === 'deleted') goneByUid.set(pair.uid, pair);
  }
  const unlinked: RemoteItem[] = [];
  for (const item of changed) {
    if (linkedRefs.has(item.ref)) continue;
    const pair = goneByUid.get(item.fields.uid);
    if (!pair || pair.kind !== item.fields.kind) {
      unlinked.push(item);
      continue;
    }
    goneByUid.delete(item.fields.uid);
    const moved = { ...pair, ref: item.ref, remoteDeletedSeenAt: null };
    await savePair(run, moved);
    remote.set(pair.taskId, { state: 'present', item });
  }
  return unlinked;
}

/**
 * The planning side of every pair that needs deciding: listed tasks, and tasks looked up by id
 * when the pair was in the window or its calendar item moved (a task that left the window is
 * not a deletion). Pairs outside the window on both sides stay untouched.
 */
async function resolvePlanningSides(
  run: RunContext,
  listed: Map<string, PlanningTask>,
  remote: Map<string, RemoteView>,
): Promise<Map<string, PlanningView>> {
  const views = new Map<string, PlanningView>();
  const toLookUp: string[] = [];
  for (const pair of run.pairs.values()) {
    const task = listed.get(pair.taskId);
    if (task) views.set(pair.taskId, { state: 'present', task });
    else if (remote.has(pair.taskId) || overlaps(spanOfPair(pair), run.window))
      toLookUp.push(pair.taskId);
  }
  if (toLookUp.length === 0) return views;

  const found = await run.planning.lookupTasks(toLookUp);
  for (const taskId of toLookUp) {
    const entry = found.get(taskId);
    const pair = run.pairs.get(taskId);
    if (entry && !isDeleted(entry) && 'fields' in entry) {
      views.set(taskId, { state: 'present', task: entry });
      continue;
    }
    const deletedAt = entry && 'deletedAt' in entry ? entry.deletedAt : null;
    const at = deletedAt ?? pair?.planningDeletedSeenAt ?? run.clock.now();
    views.set(taskId, { state: 'deleted', at });
  }
  return views;
}

/**
 * A pair whose task is gone while a listed, unlinked task carries its UID: the task was
 * created again from the calendar by a run that stopped before re-keying the pair.
 */
async function relinkRecreatedTasks(
  run: RunContext,
  args: {
    listed: Map<string, PlanningTask>;
    planning: Map<string, PlanningView>;
    remote: Map<string, RemoteView>;
  },
): Promise<void> {
  const linked = new Set(run.pairs.keys());
  const freeByUid = new Map<string, PlanningTask>();
  for (const task of args.listed.values())
    if (!linked.has(task.id)) freeByUid.set(task.fields.uid, task);

  for (const pair of [...run.pairs.values()]) {
    if (args.planning.get(pair.taskId)?.state !== 'deleted') continue;
    const task = freeByUid.get(pair.uid);
    if (!task) continue;
    freeByUid.delete(pair.uid);
    await forgetPair(run, pair.taskId);
    await savePair(run, { ...pair, taskId: task.id, planningDeletedSeenAt: null });
    args.planning.delete(pair.taskId);
    args.planning.set(task.id, { state: 'present', task });
    const view = args.remote.get(pair.taskId);
    args.remote.delete(pair.taskId);
    if (view) args.remote.set(task.id, view);
  }
}
