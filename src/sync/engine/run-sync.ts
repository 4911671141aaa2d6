/**
 * One synchronization run between a user's planning and their calendar (SPEC 3): read what
 * changed on both sides, decide each pair on the grid, write each decision with its state,
 * then save the cursor.
 */
import { createHash } from 'node:crypto';

import type { Clock } from '../../shared/clock.js';
import { isOrdoError, OrdoError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type {
  CalendarProvider,
  ChangeSet,
  KnownItems,
  RemoteItem,
  SyncWindow,
  UnreadableItem,
} from '../provider.js';
import {
  confirmSeenPairs,
  forgetPair,
  savePair,
  type PlanningView,
  type RemoteView,
  type RunContext,
} from './context.js';
import { overlaps, spanOf } from './fields.js';
import { deferPulls, syncPair } from './pair-sync.js';
import {
  isDeleted,
  type PlanningRights,
  type PlanningSide,
  type PlanningTask,
} from './planning-side.js';
import { ReportBuilder, type SyncReport } from './report.js';
import { syncWindow, type SyncSettings } from './settings.js';
import type { RunMark, SyncPair, SyncStateStore } from './state-store.js';
import { syncUnlinked } from './unlinked-sync.js';

export interface RunSyncOptions {
  provider: CalendarProvider;
  planning: PlanningSide;
  state: SyncStateStore;
  settings: SyncSettings;
  clock: Clock;
  logger: Logger;
  /**
   * Someone asked for this run ("Sync now", `ordo sync --user`): the tasks the calendar
   * refused are offered again at once rather than after their wait (see `refusalRetryDelay`).
   */
  asked?: boolean;
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
  const start = await startRun(options);
  // The planning is checked while the calendar answers: neither depends on the other.
  const planningCheck = settledSinceMark(options, start).catch((error: unknown) => ({ error }));
  const changes = await listAllChanges(options, start);
  const checked = await planningCheck;
  if ('error' in checked) throw checked.error;
  const { previous } = checked;
  const settled = checked.settled && !changes.complete && !changes.unreadable.length;
  if (settled && !remoteChanged(changes)) {
    return finishQuietRun(options, { start, changes, previous });
  }

  // With the planning settled, a run whose calendar changes all touch known pairs only needs
  // those pairs and their tasks: every other pair and task is as the last run left it.
  const narrowed = settled ? await pairsOfChangedItems(options.state, changes) : null;
  const run = await openRun(options, start, {
    pairs: narrowed,
    calendarReadAt: previous?.settledAt,
  });
  run.report.listing = changes.complete ? 'complete' : 'incremental';
  reportUnreadable(run, changes);
  await guardEmptyListing(run, changes);
  // Listed, with the content the pair already holds: seen, so an unconfirmed pair confirms.
  for (const ref of changes.unchanged) run.seen.add(ref);

  const tasks = narrowed ? [] : await run.planning.listTasks(run.window);
  const intents = await run.state.loadIntents();
  const changedByRef = new Map(changes.changed.map((item) => [item.ref, item]));
  // Items whose write the calendar refused: a full run reads them again (see RunMark).
  const recheck = new Set(narrowed ? [] : (previous?.recheck ?? []));
  const remote = await resolveRemoteSides(run, { changes, changedByRef, recheck });
  const unlinkedItems = await relinkMovedItems(run, changes.changed, remote);
  const listed = new Map(tasks.map((task) => [task.id, task]));
  const planning = await resolvePlanningSides(run, listed, remote);
  await relinkRecreatedTasks(run, { listed, planning, remote });

  // Items a pair held when the run decided it are settled, even if the pair is gone now.
  const settledTasks = new Set(run.pairs.keys());
  const settledRefs = new Set([...run.pairs.values()].map((pair) => pair.ref));
  await deferPulls(run, async () => {
    for (const pair of [...run.pairs.values()]) {
      if (run.blocked.has(pair.taskId)) continue;
      await syncPair(run, {
        pair,
        planning: planning.get(pair.taskId) ?? { state: 'unseen' },
        remote: remote.get(pair.taskId) ?? { state: 'unseen' },
      });
    }
  });
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
  const mark = withRefusals(await markOf(run, start), {
    refused: run.report.calendarRefusedWrite,
    refusedRefs: run.report.calendarRefusedRefs,
    full: narrowed === null,
    previous,
    startedAt: start.startedAt,
  });
  await run.state.saveCursor(changes.cursor, mark);
  await confirmSeenPairs(run);

  const report = run.report.build(run.clock.now());
  run.logger.info(
    { counts: report.counts, errors: report.errors.length, listing: report.listing },
    'sync run finished',
  );
  return report;
}

/** What a run reads before the calendar's answer: its time, window, rights and cursor. */
interface RunStart {
  startedAt: number;
  window: SyncWindow;
  rights: PlanningRights;
  cursor: string | null;
  /** Digest of what the planning is read with; a run mark is only good for the same one. */
  fingerprint: string;
  /** The planning's snapshot taken with `startedAt` (see `PlanningSide.snapshot`). */
  snapshot: string | null;
}

async function startRun(options: RunSyncOptions): Promise<RunStart> {
  // Taken first: every write still uncommitted when the run reads the planning is named by it.
  const snapshot = (await options.planning.snapshot?.()) ?? null;
  const startedAt = options.clock.now();
  const window = syncWindow(options.settings, startedAt);
  const rights = await options.planning.rights();
  const cursor = await options.state.loadCursor();
  // The window changes with the day, so a new day never takes the shortcut: tasks that
  // entered the window must be read.
  const read = [options.settings, window, rights, options.planning.scope ?? null];
  const fingerprint = createHash('sha256').update(JSON.stringify(read)).digest('base64url');
  return { startedAt, window, rights, cursor, fingerprint, snapshot };
}

/**
 * Whether the planning side is as the last finished run left it: that run's mark was taken
 * with the same settings, window, rights and resource, no intent or unconfirmed pair waits to
 * be read back, no task the calendar refused is due to be offered again, and the planning
 * reports no change since the mark. With a calendar answer that is incremental and fully
 * read, the run may then take a shortcut (see `runSync`). Any doubt (a store or planning side
 * that cannot tell, no mark) means no. The last mark comes back with the answer.
 */
async function settledSinceMark(
  options: RunSyncOptions,
  start: RunStart,
): Promise<{ settled: boolean; previous: RunMark | null }> {
  const { state, planning } = options;
  if (!state.loadRunMark || !state.hasPending || !planning.changedSince) {
    return { settled: false, previous: null };
  }
  const previous = await state.loadRunMark();
  if (!previous || previous.fingerprint !== start.fingerprint) return { settled: false, previous };
  // Time to offer the tasks the calendar refused once more: only a full run does.
  const due = previous.retryAt !== undefined && start.startedAt >= previous.retryAt;
  if (due || (options.asked && previous.retryAt !== undefined)) {
    return { settled: false, previous };
  }
  if (await state.hasPending()) return { settled: false, previous };
  const since = previous.snapshot ?? null;
  return {
    settled: !(await planning.changedSince(previous.settledAt, undefined, since)),
    previous,
  };
}

const FIRST_REFUSAL_WAIT_MS = 5 * 60_000;
const LONGEST_REFUSAL_WAIT_MS = 6 * 3_600_000;

/**
 * The wait before offering refused tasks again, after `refusals` runs in a row in which the
 * calendar refused a write: 5 minutes, doubling, at most 6 hours.
 */
export function refusalRetryDelay(refusals: number): number {
  const doubled = FIRST_REFUSAL_WAIT_MS * 2 ** Math.max(0, refusals - 1);
  return Math.min(LONGEST_REFUSAL_WAIT_MS, doubled);
}

/** How many refused items a mark names at most (see `RunMark.recheck`). */
const MAX_RECHECK = 1_000;

/**
 * The mark with what it must say of refused writes. A run in which the calendar refused one
 * counts it, names the items refused, and sets when a full run offers the tasks again (sooner
 * than their next change, later after each refusal in a row); a narrowed run, which offered
 * none of the earlier ones again, keeps their items, and their time when it comes first. A
 * full run without a refusal clears all that; a no-change or narrowed run without one keeps it.
 */
function withRefusals(
  mark: RunMark,
  args: {
    refused: boolean;
    refusedRefs: readonly string[];
    full: boolean;
    previous: RunMark | null;
    startedAt: number;
  },
): RunMark {
  const before = args.previous?.refusals ?? 0;
  const earlier = args.previous?.retryAt;
  const earlierRefs = args.previous?.recheck ?? [];
  if (args.refused) {
    const refusals = before + 1;
    const retryAt = args.startedAt + refusalRetryDelay(refusals);
    const keepEarlier = !args.full && earlier !== undefined && earlier < retryAt;
    // TODO(when a calendar refuses more than MAX_RECHECK items at once): the items past the
    // bound are decided again only once they change, as before a mark named them.
    const refs = new Set([...(args.full ? [] : earlierRefs), ...args.refusedRefs]);
    return {
      ...mark,
      refusals,
      retryAt: keepEarlier ? earlier : retryAt,
      ...(refs.size > 0 ? { recheck: [...refs].slice(0, MAX_RECHECK) } : {}),
    };
  }
  if (args.full || earlier === undefined) return mark;
  return {
    ...mark,
    refusals: before,
    retryAt: earlier,
    ...(earlierRefs.length > 0 ? { recheck: earlierRefs } : {}),
  };
}

function remoteChanged(changes: ChangeSet): boolean {
  return changes.changed.length > 0 || changes.deleted.length > 0;
}

/**
 * The pairs holding the calendar's changed and deleted items, when every changed item is
 * held by one; `null` (the whole state is read) when one is new to us, since linking it may
 * match any unlinked task, or when the store cannot look pairs up by ref.
 */
async function pairsOfChangedItems(
  state: SyncStateStore,
  changes: ChangeSet,
): Promise<SyncPair[] | null> {
  if (!state.loadPairsByRefs) return null;
  const refs = [...changes.changed.map((item) => item.ref), ...changes.deleted];
  const pairs = await state.loadPairsByRefs(refs);
  const held = new Set(pairs.map((pair) => pair.ref));
  return changes.changed.every((item) => held.has(item.ref)) ? pairs : null;
}

/**
 * Saves the new cursor with a mark settled at this run's start: later changes count next, and
 * so do writes stamped before it that were not committed yet (the planning's snapshot).
 */
async function finishQuietRun(
  options: RunSyncOptions,
  args: { start: RunStart; changes: ChangeSet; previous: RunMark | null },
): Promise<SyncReport> {
  const { start, changes } = args;
  const mark = withRefusals(markAt(start.startedAt, start), {
    refused: false,
    refusedRefs: [],
    full: false,
    previous: args.previous,
    startedAt: start.startedAt,
  });
  await options.state.saveCursor(changes.cursor, mark);
  const builder = new ReportBuilder(start.startedAt);
  builder.listing = 'incremental';
  const report = builder.build(options.clock.now());
  options.logger
    .child({ component: 'sync-engine' })
    .info({ counts: report.counts, listing: report.listing }, 'sync run finished: no change');
  return report;
}

/**
 * The mark a full run leaves. Planning changes from its start on count for the next run,
 * except its own writes: when the planning confirms that nothing but them changed since the
 * start, the mark settles at the time of that check (else the next run would read everything
 * again only to find its predecessor's writes).
 */
async function markOf(run: RunContext, start: RunStart): Promise<RunMark> {
  const mark = markAt(start.startedAt, start);
  const own = run.ownWrites;
  if (!run.planning.changedSince || (own.tasks.size === 0 && own.deleted.size === 0)) return mark;
  const snapshot = (await run.planning.snapshot?.()) ?? null;
  const checkedAt = run.clock.now();
  if (await run.planning.changedSince(start.startedAt, own, start.snapshot)) return mark;
  return markAt(checkedAt, { fingerprint: start.fingerprint, snapshot });
}

function markAt(settledAt: number, of: { fingerprint: string; snapshot: string | null }): RunMark {
  const mark: RunMark = { settledAt, fingerprint: of.fingerprint };
  if (of.snapshot !== null) mark.snapshot = of.snapshot;
  return mark;
}

/**
 * The run's context. `pairs`: the pairs it reads, or `null` for all of them; `calendarReadAt`:
 * when the last finished run read the calendar (see `RunContext`).
 */
async function openRun(
  options: RunSyncOptions,
  start: RunStart,
  known: { pairs: SyncPair[] | null; calendarReadAt: number | undefined },
): Promise<RunContext> {
  const pairs = known.pairs ?? (await options.state.loadPairs());
  const ownWrites = { tasks: new Map<string, number>(), deleted: new Set<string>() };
  return {
    calendarReadAt: known.calendarReadAt,
    ...options,
    planning: recordingWrites(options.planning, ownWrites),
    ownWrites,
    logger: options.logger.child({ component: 'sync-engine' }),
    rights: start.rights,
    window: start.window,
    report: new ReportBuilder(start.startedAt),
    pairs: new Map(pairs.map((pair) => [pair.taskId, pair])),
    blocked: new Set(),
    seen: new Set(),
  };
}

/** `planning` with its writes recorded in `own` as they succeed (see `markOf`). */
function recordingWrites(
  planning: PlanningSide,
  own: { tasks: Map<string, number>; deleted: Set<string> },
): PlanningSide {
  const wrapped = Object.create(planning) as PlanningSide;
  const keep = (task: PlanningTask) => {
    own.tasks.set(task.id, task.modifiedAt);
    return task;
  };
  wrapped.createTask = async (fields) => keep(await planning.createTask(fields));
  wrapped.updateTask = async (taskId, fields) => keep(await planning.updateTask(taskId, fields));
  wrapped.deleteTask = async (taskId) => {
    // Recorded first: a delete that throws may still have deleted (a crash after the write).
    own.deleted.add(taskId);
    await planning.deleteTask(taskId);
  };
  if (planning.createTasks) {
    const createTasks = planning.createTasks.bind(planning);
    wrapped.createTasks = async (fields) => (await createTasks(fields)).map(keep);
  }
  if (planning.updateTasks) {
    const updateTasks = planning.updateTasks.bind(planning);
    wrapped.updateTasks = async (updates) => (await updateTasks(updates)).map(keep);
  }
  return wrapped;
}

/**
 * Reads the changes, continuing a paged answer; later pages override earlier ones. The
 * provider is told the ETags of the pairs, so it need not read our own writes back.
 */
async function listAllChanges(
  options: RunSyncOptions,
  args: { cursor: string | null; window: SyncWindow },
): Promise<ChangeSet & { unreadable: UnreadableItem[]; unchanged: string[] }> {
  const { provider, state } = options;
  const known: KnownItems = {
    etags: async (refs) => {
      const wanted = new Set(refs);
      const pairs = state.loadPairsByRefs
        ? await state.loadPairsByRefs(refs)
        : (await state.loadPairs()).filter((pair) => wanted.has(pair.ref));
      return new Map(pairs.flatMap((pair) => (pair.etag ? [[pair.ref, pair.etag]] : [])));
    },
  };
  let page = await provider.listChanges(args.cursor, args.window, known);
  const complete = page.complete;
  const changed = new Map<string, RemoteItem>();
  const deleted = new Set<string>();
  const unreadable = new Map<string, UnreadableItem>();
  const unchanged = new Set<string>();
  for (let pages = 1; ; pages += 1) {
    for (const item of page.changed) {
      deleted.delete(item.ref);
      unreadable.delete(item.ref);
      unchanged.delete(item.ref);
      changed.set(item.ref, item);
    }
    for (const ref of page.deleted) {
      changed.delete(ref);
      unreadable.delete(ref);
      unchanged.delete(ref);
      deleted.add(ref);
    }
    for (const item of page.unreadable ?? []) {
      changed.delete(item.ref);
      deleted.delete(item.ref);
      unchanged.delete(item.ref);
      unreadable.set(item.ref, item);
    }
    for (const ref of page.unchanged ?? []) {
      changed.delete(ref);
      deleted.delete(ref);
      unreadable.delete(ref);
      unchanged.add(ref);
    }
    if (!page.more) break;
    if (pages >= MAX_PAGES) {
      throw new OrdoError('SYNC_REMOTE_PROTOCOL', {
        message: 'The calendar kept answering with more pages',
      });
    }
    page = await provider.listChanges(page.cursor, args.window, known);
  }
  return {
    complete,
    changed: [...changed.values()],
    deleted: [...deleted],
    cursor: page.cursor,
    unreadable: [...unreadable.values()],
    unchanged: [...unchanged],
  };
}

/**
 * Reports every item the calendar holds but could not read, and blocks the pairs that hold
 * one: such an item is neither changed nor deleted, so its task stays as it is until the item
 * can be read again (a complete listing that omits it must not delete the task).
 */
function reportUnreadable(run: RunContext, changes: ChangeSet): void {
  const pairByRef = new Map([...run.pairs.values()].map((pair) => [pair.ref, pair]));
  for (const item of changes.unreadable ?? []) {
    const pair = pairByRef.get(item.ref);
    if (pair) run.blocked.add(pair.taskId);
    const error = new OrdoError('ICS_ITEM_INVALID', {
      message: item.reason,
      details: { ref: item.ref, etag: item.etag },
    });
    run.report.fail({ taskId: pair?.taskId ?? null, ref: item.ref }, error);
    run.logger.warn(
      { ref: item.ref, taskId: pair?.taskId, reason: item.reason },
      'item unreadable',
    );
  }
}

function unreadableRefs(changes: ChangeSet): Set<string> {
  return new Set((changes.unreadable ?? []).map((item) => item.ref));
}

/**
 * An empty complete listing while pairs in the window are known is far more often a server
 * or account fault than a calendar the user emptied: deleting on its word would wipe the
 * planning, so unless the items themselves confirm it the run stops and deletes nothing.
 */
async function guardEmptyListing(run: RunContext, changes: ChangeSet): Promise<void> {
  if (!changes.complete || changes.changed.length > 0) return;
  const unreadable = unreadableRefs(changes);
  const known = [...run.pairs.values()].filter(
    (pair) => overlaps(spanOfPair(pair), run.window) && !unreadable.has(pair.ref),
  );
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
 * did not exist then and does not exist now. So is an item in `recheck`, whose write the
 * calendar refused: in the window, it may still differ from its pair, unlisted since it has
 * not changed.
 */
async function resolveRemoteSides(
  run: RunContext,
  known: {
    changes: ChangeSet;
    changedByRef: Map<string, RemoteItem>;
    recheck: ReadonlySet<string>;
  },
): Promise<Map<string, RemoteView>> {
  const { changes, changedByRef, recheck } = known;
  const deleted = new Set(changes.deleted);
  const unreadable = unreadableRefs(changes);
  const views = new Map<string, RemoteView>();
  for (const ref of changedByRef.keys()) run.seen.add(ref);
  for (const pair of run.pairs.values()) {
    // Reported and blocked already (see `reportUnreadable`): not a deletion.
    if (unreadable.has(pair.ref)) continue;
    const item = changedByRef.get(pair.ref);
    if (item) {
      views.set(pair.taskId, { state: 'present', item });
      continue;
    }
    const inWindow = overlaps(spanOfPair(pair), run.window);
    const missing =
      deleted.has(pair.ref) ||
      (pair.unconfirmed === true && !run.seen.has(pair.ref)) ||
      (changes.complete && inWindow);
    // Out of the window, a pair is left as it is, refused write or not.
    const rechecked = !missing && inWindow && recheck.has(pair.ref);
    if (!missing && !rechecked) continue;
    const found = await readKnownItem(run, pair, { alone: rechecked });
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

/** Failures that concern the whole calendar, not the one item a request asked for. */
const CALENDAR_FAILURES = new Set([
  'SYNC_REMOTE_UNAVAILABLE',
  'SYNC_RECONNECT',
  'SYNC_ADDRESS_REFUSED',
  'GRAPH_THROTTLED',
  'GRAPH_AUTH',
]);

/**
 * Reads a known item the listing did not show. One the server holds but we cannot read is
 * neither deleted nor changed: its pair is left as it is for this run, and reported. With
 * `alone` (the item is read only to retry a refused write), any failure of that item's own
 * is reported so, and the run goes on: one item the server will not serve must not stop
 * every later run of the account.
 */
async function readKnownItem(
  run: RunContext,
  pair: SyncPair,
  how: { alone: boolean },
): Promise<RemoteItem | null | 'unreadable'> {
  try {
    return await run.provider.get(pair.ref);
  } catch (error) {
    const itemFailure = isOrdoError(error) && !CALENDAR_FAILURES.has(error.code);
    if (!isOrdoError(error, 'ICS_ITEM_INVALID') && !(how.alone && itemFailure)) throw error;
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
