/**
 * What the sync engine's property tests share, whatever calendar they run against (the
 * in-memory one, Radicale, Xandikos, the Graph stand-in): the random edits each side makes,
 * and the check that a clean synchronization left both sides agreeing with nothing
 * duplicated.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

import type { Reminder, TaskTiming } from '../planning/types.js';
import { comparable, contentHash, overlaps, spanOf } from '../sync/engine/fields.js';
import type { MemoryPlanning, MemoryTask } from '../sync/engine/planning-side.js';
import type { MemoryCalendar } from '../sync/memory/memory-calendar.js';
import { syncWindow, type SyncSettings } from '../sync/engine/settings.js';
import type { SyncPair } from '../sync/engine/state-store.js';
import type { ItemKind, RemoteItem, SyncFields } from '../sync/provider.js';

// Days -20..90 around a window of -7..60: some items live outside it, some move across it.
export const day = fc.integer({ min: -20, max: 90 });
export const hour = fc.integer({ min: 6, max: 18 });
export const reminder: fc.Arbitrary<Reminder> = fc.constantFrom<Reminder>(
  { kind: 'none' },
  { kind: 'before', minutes: 15 },
  { kind: 'before', minutes: 60 },
);
export const index = fc.nat({ max: 50 });

export const settings: fc.Arbitrary<Partial<SyncSettings>> = fc.record({
  exportAs: fc.constantFrom<SyncSettings['exportAs']>('appointments', 'tasks', 'manual'),
  importAppointments: fc.boolean(),
  importTasks: fc.boolean(),
  carryReminders: fc.boolean(),
});

/** The planning user's edits. */
export function planningOps(label: fc.Arbitrary<string>) {
  return fc.oneof(
    fc.record({
      t: fc.constant('pCreate' as const),
      label,
      day,
      hour,
      reminder,
      periodic: fc.boolean(),
      private: fc.boolean(),
      manualKind: fc.constantFrom<ItemKind | null>('event', 'todo', null),
    }),
    fc.record({
      t: fc.constant('pEdit' as const),
      i: index,
      label,
      day,
      hour,
      reminder,
      remark: fc.constantFrom('', 'x', 'y'),
    }),
    fc.record({ t: fc.constant('pDelete' as const), i: index }),
  );
}

/** The calendar user's edits. */
export function calendarOps(label: fc.Arbitrary<string>) {
  return fc.oneof(
    fc.record({
      t: fc.constant('rCreate' as const),
      label,
      day,
      hour,
      reminder,
      kind: fc.constantFrom<ItemKind>('event', 'todo'),
      private: fc.boolean(),
      recurring: fc.boolean(),
    }),
    fc.record({
      t: fc.constant('rEdit' as const),
      i: index,
      label,
      day,
      hour,
      reminder,
      remark: fc.constantFrom('', 'x', 'z'),
    }),
    fc.record({ t: fc.constant('rDelete' as const), i: index }),
  );
}

type ArbitraryOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
export type PlanningOp = ArbitraryOf<ReturnType<typeof planningOps>>;
export type CalendarOp = ArbitraryOf<ReturnType<typeof calendarOps>>;

/** A timing from a day offset and an hour, as each suite anchors it. */
export type TimingAt = (dayOffset: number, hour: number) => TaskTiming;

export function pick<T>(list: readonly T[], i: number): T | undefined {
  return list.length === 0 ? undefined : list[i % list.length];
}

export function applyPlanningOp(planning: MemoryPlanning, step: PlanningOp, at: TimingAt): void {
  const tasks = [...planning.tasks.values()];
  switch (step.t) {
    case 'pCreate':
      planning.add({
        label: step.label,
        timing: at(step.day, step.hour),
        reminder: step.reminder,
        periodic: step.periodic,
        private: step.private,
        manualKind: step.manualKind,
      });
      return;
    case 'pEdit': {
      const task = pick(tasks, step.i);
      if (task)
        planning.edit(task.id, {
          label: step.label,
          timing: at(step.day, step.hour),
          reminder: step.reminder,
          remark: step.remark,
        });
      return;
    }
    case 'pDelete': {
      const task = pick(tasks, step.i);
      if (task) planning.remove(task.id);
      return;
    }
  }
}

/** The calendar user's edits, on the in-memory calendar. */
export function applyCalendarOp(calendar: MemoryCalendar, step: CalendarOp, at: TimingAt): void {
  const items = [...calendar.items.values()];
  switch (step.t) {
    case 'rCreate':
      calendar.userCreate({
        kind: step.kind,
        label: step.label,
        timing: at(step.day, step.hour),
        remark: '',
        reminder: step.reminder,
        private: step.private,
        recurring: step.recurring,
      });
      return;
    case 'rEdit': {
      const item = pick(items, step.i);
      if (item)
        calendar.userEdit(item.ref, {
          label: step.label,
          timing: at(step.day, step.hour),
          reminder: step.reminder,
          remark: step.remark,
        });
      return;
    }
    case 'rDelete': {
      const item = pick(items, step.i);
      if (item) calendar.userDelete(item.ref);
      return;
    }
  }
}

export interface AgreementInput {
  tasks: readonly MemoryTask[];
  /** Every item of the calendar, wherever it is in time. */
  remoteItems: readonly RemoteItem[];
  pairs: readonly SyncPair[];
  settings: SyncSettings;
  now: number;
  /**
   * The fields as this calendar can hold them (a To Do task has no sensitivity and keeps a
   * reminder as a date-time): both sides are compared through it. Unchanged by default.
   */
  asHeld?: (fields: SyncFields) => SyncFields;
  /** A task the calendar refuses: it has no copy there, or an old one. */
  refused?: (task: MemoryTask) => boolean;
  /** An unlinked item in the window that a run with restricted rights may leave unlinked. */
  excused?: (item: RemoteItem) => boolean;
}

/**
 * Both sides agree after a clean synchronization, modulo the rules: private and recurring
 * items are not imported, kinds not imported stay out, non-exportable tasks are not exported.
 * Nothing is duplicated: one item per UID, one task per UID, one pair per ref.
 */
export function checkAgreement(input: AgreementInput): void {
  const { settings } = input;
  const window = syncWindow(settings, input.now);
  const inWindow = (fields: Pick<SyncFields, 'timing'>) =>
    overlaps(spanOf(fields.timing, 'UTC'), window);
  const asHeld = input.asHeld ?? ((fields: SyncFields) => fields);
  const hashOf = (fields: SyncFields) =>
    contentHash(comparable(asHeld(fields), settings.carryReminders));
  const pairByTask = new Map(input.pairs.map((p) => [p.taskId, p]));
  const pairByRef = new Map(input.pairs.map((p) => [p.ref, p]));
  const tasksById = new Map(input.tasks.map((task) => [task.id, task]));
  const itemsByRef = new Map(input.remoteItems.map((item) => [item.ref, item]));

  const remoteUids = input.remoteItems.map((item) => item.fields.uid);
  expect(new Set(remoteUids).size, `calendar UIDs ${remoteUids.join(' ')}`).toBe(remoteUids.length);
  const taskUids = input.tasks.map((task) => task.uid);
  expect(new Set(taskUids).size, `task UIDs ${taskUids.join(' ')}`).toBe(taskUids.length);
  expect(pairByRef.size).toBe(input.pairs.length);

  const inScope = (task: MemoryTask) =>
    !task.periodic && (settings.exportAs !== 'manual' || task.manualKind !== null);
  for (const task of input.tasks) {
    if (!inWindow(task) || !inScope(task)) continue;
    if (input.refused?.(task)) continue;
    const pair = pairByTask.get(task.id);
    expect(pair, `task ${task.id} ${task.label} is linked`).toBeDefined();
    const item = itemsByRef.get(pair!.ref);
    expect(item, `calendar item of ${task.id}`).toBeDefined();
    const view: SyncFields = {
      kind: pair!.kind,
      uid: task.uid,
      label: task.label,
      timing: task.timing,
      remark: task.remark,
      reminder: task.reminder,
      private: task.private,
      recurring: false,
    };
    expect(hashOf(item!.fields), `${task.id} ${JSON.stringify(item!.fields)}`).toBe(hashOf(view));
  }

  for (const item of input.remoteItems) {
    if (!inWindow(item.fields)) continue;
    const pair = pairByRef.get(item.ref);
    const importable =
      item.fields.kind === 'event' ? settings.importAppointments : settings.importTasks;
    if (!pair) {
      if (item.fields.private || item.fields.recurring || !importable) continue;
      // The same item as a task that is not synchronized is not imported (no duplicate).
      const twin = input.tasks.some(
        (task) =>
          !inScope(task) &&
          task.label === item.fields.label &&
          JSON.stringify(task.timing) === JSON.stringify(item.fields.timing),
      );
      if (twin) continue;
      const excused = input.excused?.(item) ?? false;
      expect(excused, `calendar item ${item.ref} ${item.fields.label} is linked`).toBe(true);
      continue;
    }
    expect(tasksById.get(pair.taskId), `task of ${item.ref}`).toBeDefined();
  }
}
