/**
 * The decision for one linked pair, on the grid of what happened on each side since the
 * last synchronization (unchanged / changed / deleted × planning / calendar). Every cell is
 * decided here and nowhere else, so the table can be read and tested on its own.
 */

export type SideChange = 'unchanged' | 'changed' | 'deleted';
export type Side = 'planning' | 'calendar';

/** What the engine may do in the planning on the user's behalf for this pair. */
export interface Allowed {
  add: boolean;
  modify: boolean;
  delete: boolean;
}

export interface GridInput {
  planning: SideChange;
  calendar: SideChange;
  /** When the planning side changed or was deleted (epoch ms); ignored when unchanged. */
  planningAt: number;
  /** When the calendar side changed or was deleted; ignored when unchanged. */
  calendarAt: number;
  /** Both sides present and equal in content. */
  sameContent: boolean;
  allowed: Allowed;
}

export type GridAction =
  /** Nothing to do. */
  | 'none'
  /** Both sides already agree: only the state is brought up to date. */
  | 'record'
  /** Copy the planning's version onto the calendar item. */
  | 'push'
  /** Copy the calendar item onto the task. */
  | 'pull'
  /** The calendar change is not allowed into the planning: put the planning's version back. */
  | 'revert'
  | 'delete-calendar'
  | 'delete-planning'
  /** The calendar item is gone but the task stays: create the calendar item again. */
  | 'restore-calendar'
  /** The task is gone but the calendar item changed later: create the task again. */
  | 'recreate-planning'
  /** Gone on both sides: forget the pair. */
  | 'forget';

export interface GridDecision {
  action: GridAction;
  reason: string;
  /** Set when both sides moved: which side won (SPEC 3.5: the most recent change). */
  winner?: Side;
}

/**
 * Decides one pair. Ties go to the planning, the master data. A deletion is timed like a
 * change (when it was first seen, if the side cannot say), so it does not win by itself.
 */
export function decide(input: GridInput): GridDecision {
  const { planning, calendar } = input;
  if (planning === 'deleted' && calendar === 'deleted') {
    return { action: 'forget', reason: 'deleted on both sides' };
  }
  if (planning !== 'deleted' && calendar !== 'deleted' && input.sameContent) {
    if (planning === 'unchanged' && calendar === 'unchanged') return { action: 'none', reason: '' };
    return { action: 'record', reason: 'both sides already agree' };
  }
  if (planning === 'unchanged') return decideCalendarOnly(input);
  if (calendar === 'unchanged') {
    return planning === 'changed'
      ? { action: 'push', reason: 'changed in the planning' }
      : { action: 'delete-calendar', reason: 'deleted in the planning' };
  }
  return decideConflict(input);
}

function decideCalendarOnly(input: GridInput): GridDecision {
  if (input.calendar === 'unchanged') return { action: 'none', reason: '' };
  if (input.calendar === 'changed') {
    return input.allowed.modify
      ? { action: 'pull', reason: 'changed in the calendar' }
      : { action: 'revert', reason: 'not allowed to modify the task: calendar change reverted' };
  }
  return input.allowed.delete
    ? { action: 'delete-planning', reason: 'deleted in the calendar' }
    : { action: 'restore-calendar', reason: 'not allowed to delete the task: item put back' };
}

function decideConflict(input: GridInput): GridDecision {
  const calendarNewer = input.calendarAt > input.planningAt;
  const { planning, calendar, allowed } = input;

  if (planning === 'changed' && calendar === 'changed') {
    if (calendarNewer && allowed.modify) {
      return {
        action: 'pull',
        reason: 'changed on both sides: calendar more recent',
        winner: 'calendar',
      };
    }
    const why = calendarNewer ? 'not allowed to modify the task' : 'planning more recent';
    return { action: 'push', reason: `changed on both sides: ${why}`, winner: 'planning' };
  }
  if (planning === 'changed') {
    if (calendarNewer && allowed.delete) {
      return {
        action: 'delete-planning',
        reason: 'deleted in the calendar after the planning change',
        winner: 'calendar',
      };
    }
    const why = calendarNewer ? 'not allowed to delete the task' : 'planning change more recent';
    return {
      action: 'restore-calendar',
      reason: `deleted in the calendar: ${why}`,
      winner: 'planning',
    };
  }
  if (calendarNewer && allowed.add) {
    return {
      action: 'recreate-planning',
      reason: 'changed in the calendar after the planning deletion',
      winner: 'calendar',
    };
  }
  const why = calendarNewer ? 'not allowed to add the task again' : 'planning deletion more recent';
  return {
    action: 'delete-calendar',
    reason: `deleted in the planning: ${why}`,
    winner: 'planning',
  };
}
