import { isOrdoError } from '../../shared/errors.js';
import type { Side } from './decide.js';

export type SyncActionKind = 'created' | 'updated' | 'deleted' | 'restored' | 'linked' | 'skipped';

/** One thing the run did, or chose not to do, and why. */
export interface SyncAction {
  taskId: string | null;
  ref: string | null;
  action: SyncActionKind;
  /** The side that was written (or, for `skipped`, that was left alone). */
  side: Side;
  reason: string;
  /** Set when both sides had moved: the winner and what of the loser was overwritten. */
  conflict?: { winner: Side; overwritten: string };
}

/** An item the run could not synchronize, with what the server (or planning) answered. */
export interface SyncItemError {
  taskId: string | null;
  ref: string | null;
  code: string;
  message: string;
  remote?: Record<string, unknown>;
}

export interface SyncReport {
  startedAt: number;
  finishedAt: number;
  /** Whether the calendar answered with a complete listing or with changes since the cursor. */
  listing: 'complete' | 'incremental';
  counts: Record<SyncActionKind, number>;
  actions: SyncAction[];
  errors: SyncItemError[];
}

/**
 * The codes of a calendar refusing one of our writes (see `CalendarProvider`): its data, an
 * ETag that kept changing under us, a create that found an item it could not then read.
 */
const CALENDAR_REFUSALS = new Set([
  'SYNC_REMOTE_REJECTED',
  'SYNC_REMOTE_CHANGED',
  'SYNC_REMOTE_EXISTS',
]);

export class ReportBuilder {
  private readonly actions: SyncAction[] = [];
  private readonly errors: SyncItemError[] = [];
  listing: SyncReport['listing'] = 'incremental';

  constructor(private readonly startedAt: number) {}

  /**
   * Whether the calendar refused a write of this run: trying the task again may go through,
   * unlike a failure on the calendar's side, whose item is only listed again once it changes.
   */
  get calendarRefusedWrite(): boolean {
    return this.errors.some((error) => CALENDAR_REFUSALS.has(error.code));
  }

  /** The calendar items named by the writes the calendar refused this run. */
  get calendarRefusedRefs(): string[] {
    const refused = this.errors.filter((error) => CALENDAR_REFUSALS.has(error.code));
    return refused.flatMap((error) => (error.ref === null ? [] : [error.ref]));
  }

  add(action: SyncAction): void {
    this.actions.push(action);
  }

  fail(where: { taskId: string | null; ref: string | null }, error: unknown): void {
    const entry: SyncItemError = {
      ...where,
      code: isOrdoError(error) ? error.code : 'INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    };
    if (isOrdoError(error) && error.remote) entry.remote = error.remote;
    this.errors.push(entry);
  }

  build(finishedAt: number): SyncReport {
    const counts: Record<SyncActionKind, number> = {
      created: 0,
      updated: 0,
      deleted: 0,
      restored: 0,
      linked: 0,
      skipped: 0,
    };
    for (const action of this.actions) counts[action.action] += 1;
    return {
      startedAt: this.startedAt,
      finishedAt,
      listing: this.listing,
      counts,
      actions: this.actions,
      errors: this.errors,
    };
  }
}
