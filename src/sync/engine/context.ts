import type { Logger } from '../../shared/logger.js';
import type { Clock } from '../../shared/clock.js';
import type {
  CalendarProvider,
  ItemKind,
  RemoteItem,
  SyncFields,
  SyncWindow,
} from '../provider.js';
import type { Allowed, GridDecision } from './decide.js';
import { comparable, contentHash, spanOf } from './fields.js';
import type { OwnWrites, PlanningRights, PlanningSide, PlanningTask } from './planning-side.js';
import type { ReportBuilder } from './report.js';
import { importsKind, type SyncSettings } from './settings.js';
import type { SyncPair, SyncStateStore } from './state-store.js';

/** Everything one run works with. */
export interface RunContext {
  provider: CalendarProvider;
  planning: PlanningSide;
  state: SyncStateStore;
  settings: SyncSettings;
  clock: Clock;
  logger: Logger;
  rights: PlanningRights;
  window: SyncWindow;
  report: ReportBuilder;
  /** Linked pairs by task id, kept in step with the state store as the run writes it. */
  pairs: Map<string, SyncPair>;
  /** Pairs left untouched this run (their calendar item cannot be read). */
  blocked: Set<string>;
  /** Refs this run saw on the calendar (listed, or read back): their items predate its cursor. */
  seen: Set<string>;
  /** The planning writes this run made, as `planning` records them (see `run-sync.ts`). */
  ownWrites: OwnWrites;
  /** Pulls waiting to be written together, while the run defers them (see `deferPulls`). */
  deferredPulls?: DeferredPull[] | undefined;
  /**
   * When the last finished run had read the calendar (its mark's time), if one did: a change
   * seen since cannot be older, so an item's LAST-MODIFIED before it is one its client did not
   * rewrite, and dates nothing.
   */
  calendarReadAt?: number | undefined;
}

/** A calendar item to copy onto its task, decided and not written yet. */
export interface DeferredPull {
  pair: SyncPair;
  task: PlanningTask;
  item: RemoteItem;
  decision: GridDecision;
  linkedBy?: string | undefined;
}

/** One side of a pair as this run found it. `unseen`: not examined (outside the window). */
export type RemoteView =
  { state: 'unseen' } | { state: 'present'; item: RemoteItem } | { state: 'deleted'; at: number };

export type PlanningView =
  { state: 'unseen' } | { state: 'present'; task: PlanningTask } | { state: 'deleted'; at: number };

/** What the run may do in the planning for items of this kind (SPEC 3.4). */
export function allowedFor(run: RunContext, kind: ItemKind): Allowed {
  if (run.rights.readOnly || !importsKind(run.settings, kind)) {
    return { add: false, modify: false, delete: false };
  }
  return { add: run.rights.canAdd, modify: run.rights.canModify, delete: run.rights.canDelete };
}

/** The task's fields as the calendar item of this pair should carry them. */
export function planningFields(
  run: RunContext,
  task: PlanningTask,
  pair: Pick<SyncPair, 'kind' | 'uid'>,
): SyncFields {
  const fields = comparable(task.fields, run.settings.carryReminders);
  return { ...fields, kind: pair.kind, uid: pair.uid, recurring: false };
}

export function remoteFields(run: RunContext, item: RemoteItem): SyncFields {
  return comparable(item.fields, run.settings.carryReminders);
}

/**
 * A pair as it stands once both sides hold these fields. It stays unconfirmed if `base` is
 * (pass `unconfirmed: true` for an item this run created).
 */
export function pairAfterSync(
  run: RunContext,
  base: Pick<SyncPair, 'taskId' | 'ref' | 'uid' | 'kind' | 'unconfirmed'>,
  sides: { planning: SyncFields; remote: SyncFields; etag: string | null },
): SyncPair {
  const span = spanOf(sides.remote.timing, run.settings.timeZone);
  return {
    taskId: base.taskId,
    ref: base.ref,
    uid: base.uid,
    kind: base.kind,
    etag: sides.etag,
    planningHash: contentHash(sides.planning),
    remoteHash: contentHash(heldFields(run, sides.remote)),
    startsAt: span.start,
    endsAt: span.end,
    planningDeletedSeenAt: null,
    remoteDeletedSeenAt: null,
    ...(base.unconfirmed ? { unconfirmed: true } : {}),
  };
}

/** The fields as the calendar keeps them, compared the way this run compares them. */
function heldFields(run: RunContext, fields: SyncFields): SyncFields {
  if (!run.provider.held) return fields;
  return comparable(run.provider.held(fields), run.settings.carryReminders);
}

export async function savePair(run: RunContext, pair: SyncPair): Promise<void> {
  await run.state.savePair(pair);
  run.pairs.set(pair.taskId, pair);
}

/** Saves pairs in one write when the store can, else one by one. */
export async function savePairs(run: RunContext, pairs: SyncPair[]): Promise<void> {
  if (pairs.length === 0) return;
  if (run.state.savePairs) await run.state.savePairs(pairs);
  else for (const pair of pairs) await run.state.savePair(pair);
  for (const pair of pairs) run.pairs.set(pair.taskId, pair);
}

/**
 * Confirms the unconfirmed pairs whose items this run saw. Called once the run's cursor is
 * saved: that cursor postdates the items, so their deletion will be reported to the next run.
 */
export async function confirmSeenPairs(run: RunContext): Promise<void> {
  for (const pair of [...run.pairs.values()]) {
    if (!pair.unconfirmed || !run.seen.has(pair.ref)) continue;
    const { unconfirmed: _unconfirmed, ...confirmed } = pair;
    await savePair(run, confirmed);
  }
}

export async function forgetPair(run: RunContext, taskId: string): Promise<void> {
  await run.state.deletePair(taskId);
  run.pairs.delete(taskId);
}

export function refLinkedTo(run: RunContext, ref: string): SyncPair | undefined {
  for (const pair of run.pairs.values()) if (pair.ref === ref) return pair;
  return undefined;
}
