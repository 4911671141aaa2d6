import { describe, expect, it } from 'vitest';

import { decide, type GridAction, type GridInput, type SideChange } from './decide.js';

const ALL = { add: true, modify: true, delete: true };
const NONE = { add: false, modify: false, delete: false };

function cell(planning: SideChange, calendar: SideChange, extra: Partial<GridInput> = {}) {
  return decide({
    planning,
    calendar,
    planningAt: 100,
    calendarAt: 100,
    sameContent: false,
    allowed: ALL,
    ...extra,
  });
}

describe('the decision grid, cell by cell', () => {
  const table: Array<[SideChange, SideChange, Partial<GridInput>, GridAction, string | undefined]> =
    [
      ['unchanged', 'unchanged', {}, 'none', undefined],
      ['unchanged', 'changed', {}, 'pull', undefined],
      ['unchanged', 'changed', { allowed: NONE }, 'revert', undefined],
      ['unchanged', 'deleted', {}, 'delete-planning', undefined],
      ['unchanged', 'deleted', { allowed: NONE }, 'restore-calendar', undefined],
      ['changed', 'unchanged', {}, 'push', undefined],
      ['changed', 'unchanged', { allowed: NONE }, 'push', undefined],
      ['deleted', 'unchanged', {}, 'delete-calendar', undefined],
      ['changed', 'changed', { calendarAt: 200 }, 'pull', 'calendar'],
      ['changed', 'changed', { planningAt: 200 }, 'push', 'planning'],
      ['changed', 'changed', {}, 'push', 'planning'],
      ['changed', 'changed', { calendarAt: 200, allowed: NONE }, 'push', 'planning'],
      ['changed', 'deleted', { calendarAt: 200 }, 'delete-planning', 'calendar'],
      ['changed', 'deleted', { planningAt: 200 }, 'restore-calendar', 'planning'],
      ['changed', 'deleted', { calendarAt: 200, allowed: NONE }, 'restore-calendar', 'planning'],
      ['deleted', 'changed', { calendarAt: 200 }, 'recreate-planning', 'calendar'],
      ['deleted', 'changed', { planningAt: 200 }, 'delete-calendar', 'planning'],
      ['deleted', 'changed', { calendarAt: 200, allowed: NONE }, 'delete-calendar', 'planning'],
      ['deleted', 'deleted', {}, 'forget', undefined],
    ];

  it.each(table)(
    'planning %s, calendar %s %j → %s (winner %s)',
    (planning, calendar, extra, action, winner) => {
      const decision = cell(planning, calendar, extra);
      expect(decision.action).toBe(action);
      expect(decision.winner).toBe(winner);
    },
  );

  it('records without writing when both sides changed to the same content', () => {
    expect(cell('changed', 'changed', { sameContent: true }).action).toBe('record');
    expect(cell('unchanged', 'changed', { sameContent: true, allowed: NONE }).action).toBe(
      'record',
    );
    expect(cell('changed', 'unchanged', { sameContent: true }).action).toBe('record');
  });
});
