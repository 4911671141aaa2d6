/**
 * Property: whatever both sides do, with whatever faults the calendar and the planning throw in
 * between, a clean synchronization afterwards leaves both sides agreeing (modulo the rules:
 * private and recurring items not imported, non-exportable tasks not exported, rights), with
 * nothing duplicated, and a second synchronization writes nothing.
 *
 * ORDO_PROPERTY_RUNS sets the number of examples (default 1000, about 2 s here).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isOrdoError } from '../../shared/errors.js';
import type { Reminder } from '../../planning/types.js';
import { SimulatedCrash, type MemoryCalendarFaults } from '../memory/memory-calendar.js';
import type { ItemKind, SyncFields } from '../provider.js';
import { comparable, contentHash, overlaps, spanOf } from './fields.js';
import { syncWindow, type SyncSettings } from './settings.js';
import { at, createKit } from './sync-test-kit.js';

const RUNS = Number(process.env.ORDO_PROPERTY_RUNS ?? 1000);

type Kit = ReturnType<typeof createKit>;

const label = fc.constantFrom('a', 'b', 'c', 'd', '!rejected');
// Days -20..90 around a window of -7..60: some items live outside it, some move across it.
const day = fc.integer({ min: -20, max: 90 });
const hour = fc.integer({ min: 6, max: 18 });
const reminder: fc.Arbitrary<Reminder> = fc.constantFrom<Reminder>(
  { kind: 'none' },
  { kind: 'before', minutes: 15 },
  { kind: 'before', minutes: 60 },
);
const index = fc.nat({ max: 50 });

const faults: fc.Arbitrary<Partial<MemoryCalendarFaults>> = fc.record(
  {
    rewriteEtags: fc.boolean(),
    nullEtagOnWrite: fc.boolean(),
    noLastModified: fc.boolean(),
    reformatOnWrite: fc.boolean(),
    unwindowedDeltas: fc.boolean(),
    pageSize: fc.option(fc.integer({ min: 1, max: 3 })),
    unavailableOnCall: fc.option(fc.integer({ min: 1, max: 8 })),
    raceOnWrite: fc.option(fc.integer({ min: 1, max: 3 })),
    crashOnWrite: fc.option(fc.integer({ min: 1, max: 3 })),
  },
  { requiredKeys: [] },
);

const op = fc.oneof(
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
  fc.record({ t: fc.constant('reformat' as const), i: index }),
  fc.record({ t: fc.constant('expire' as const) }),
  fc.record({ t: fc.constant('tick' as const), minutes: fc.integer({ min: 0, max: 3 * 24 * 60 }) }),
  fc.record({
    t: fc.constant('sync' as const),
    readOnly: fc.boolean(),
    canAdd: fc.boolean(),
    canModify: fc.boolean(),
    canDelete: fc.boolean(),
    faults,
    planningCrash: fc.option(fc.integer({ min: 0, max: 2 })),
  }),
);

const settings: fc.Arbitrary<Partial<SyncSettings>> = fc.record({
  exportAs: fc.constantFrom<SyncSettings['exportAs']>('appointments', 'tasks', 'manual'),
  importAppointments: fc.boolean(),
  importTasks: fc.boolean(),
  carryReminders: fc.boolean(),
});

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Per sync with restricted rights: the calendar sequence when it started. */
interface History {
  restrictedAt: number[];
}

function pick<T>(list: T[], i: number): T | undefined {
  return list.length === 0 ? undefined : list[i % list.length];
}

async function apply(kit: Kit, history: History, step: Op): Promise<void> {
  const tasks = kit.tasks();
  const items = kit.remoteItems();
  switch (step.t) {
    case 'pCreate':
      kit.task({
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
        kit.planning.edit(task.id, {
          label: step.label,
          timing: at(step.day, step.hour),
          reminder: step.reminder,
          remark: step.remark,
        });
      return;
    }
    case 'pDelete': {
      const task = pick(tasks, step.i);
      if (task) kit.planning.remove(task.id);
      return;
    }
    case 'rCreate':
      kit.calendar.userCreate({
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
        kit.calendar.userEdit(item.ref, {
          label: step.label,
          timing: at(step.day, step.hour),
          reminder: step.reminder,
          remark: step.remark,
        });
      return;
    }
    case 'rDelete': {
      const item = pick(items, step.i);
      if (item) kit.calendar.userDelete(item.ref);
      return;
    }
    case 'reformat': {
      const item = pick(items, step.i);
      if (item) kit.calendar.reformat(item.ref);
      return;
    }
    case 'expire':
      kit.calendar.expireCursors();
      return;
    case 'tick':
      kit.tick(step.minutes * 60_000);
      return;
    case 'sync':
      return faultySync(kit, history, step);
  }
}

async function faultySync(
  kit: Kit,
  history: History,
  step: Extract<Op, { t: 'sync' }>,
): Promise<void> {
  kit.planning.currentRights = {
    readOnly: step.readOnly,
    canAdd: step.canAdd,
    canModify: step.canModify,
    canDelete: step.canDelete,
  };
  if (step.readOnly || !step.canAdd) history.restrictedAt.push(kit.calendar.sequence);
  kit.calendar.setFaults(step.faults);
  if (step.planningCrash !== null) {
    kit.planning.crashAfterNextWrite = new Error('planning crash');
    kit.planning.crashSkips = step.planningCrash;
  }
  try {
    await kit.sync();
  } catch (error) {
    const expected =
      error instanceof SimulatedCrash ||
      (error instanceof Error && error.message === 'planning crash') ||
      isOrdoError(error, 'SYNC_REMOTE_UNAVAILABLE') ||
      isOrdoError(error, 'SYNC_EMPTY_LISTING');
    if (!expected) throw error;
  } finally {
    kit.calendar.setFaults({
      ...kit.calendar.faults,
      unavailableOnCall: null,
      raceOnWrite: null,
      crashOnWrite: null,
    });
    kit.planning.crashAfterNextWrite = null;
  }
}

async function cleanSync(kit: Kit): Promise<'synced' | 'empty-listing'> {
  kit.planning.currentRights = { readOnly: false, canAdd: true, canModify: true, canDelete: true };
  kit.calendar.clearFaults();
  kit.calendar.setFaults({ rejectLabelPrefix: '!' });
  try {
    const report = await kit.sync();
    expect(report.errors.filter((e) => e.code !== 'SYNC_REMOTE_REJECTED')).toEqual([]);
    return 'synced';
  } catch (error) {
    if (!isOrdoError(error, 'SYNC_EMPTY_LISTING')) throw error;
    // The guard may only fire when the calendar really lists nothing in the window.
    const window = syncWindow(kit.settings, kit.clock.now());
    expect(
      kit.remoteItems().filter((item) => overlaps(spanOf(item.fields.timing, 'UTC'), window)),
    ).toEqual([]);
    return 'empty-listing';
  }
}

function hashOf(kit: Kit, fields: SyncFields): string {
  return contentHash(comparable(fields, kit.settings.carryReminders));
}

function checkAgreement(kit: Kit, history: History, strict: boolean): void {
  const window = syncWindow(kit.settings, kit.clock.now());
  const inWindow = (fields: Pick<SyncFields, 'timing'>) =>
    overlaps(spanOf(fields.timing, 'UTC'), window);
  const pairs = [...kit.state.pairs.values()];
  const pairByTask = new Map(pairs.map((p) => [p.taskId, p]));
  const pairByRef = new Map(pairs.map((p) => [p.ref, p]));
  const views = new Map(kit.tasks().map((task) => [task.id, task]));

  // Nothing duplicated: one calendar item per UID, one task per UID, one pair per ref.
  const remoteUids = kit.remoteItems().map((item) => item.fields.uid);
  expect(new Set(remoteUids).size).toBe(remoteUids.length);
  const taskUids = kit.tasks().map((task) => task.uid);
  expect(new Set(taskUids).size).toBe(taskUids.length);
  expect(pairByRef.size).toBe(pairs.length);

  const inScope = (task: typeof kit.planning.tasks extends Map<string, infer T> ? T : never) =>
    !task.periodic && (kit.settings.exportAs !== 'manual' || task.manualKind !== null);
  for (const task of kit.tasks()) {
    if (!inWindow(task) || !inScope(task)) continue;
    const pair = pairByTask.get(task.id);
    if (task.label.startsWith('!')) continue; // the calendar rejects it: no copy, or an old one
    expect(pair, `task ${task.id} ${task.label} is linked`).toBeDefined();
    const item = kit.calendar.items.get(pair!.ref);
    expect(item, `calendar item of ${task.id}`).toBeDefined();
    const view = {
      kind: pair!.kind,
      uid: task.uid,
      label: task.label,
      timing: task.timing,
      remark: task.remark,
      reminder: task.reminder,
      private: task.private,
      recurring: false,
    };
    expect(hashOf(kit, item!.fields)).toBe(hashOf(kit, view));
  }

  for (const item of kit.remoteItems()) {
    if (!inWindow(item.fields)) continue;
    const pair = pairByRef.get(item.ref);
    const importable =
      item.fields.kind === 'event' ? kit.settings.importAppointments : kit.settings.importTasks;
    if (!pair) {
      if (item.fields.private || item.fields.recurring || !importable) continue;
      // The same item as a task that is not synchronized is not imported (no duplicate).
      const twin = kit
        .tasks()
        .some(
          (task) =>
            !inScope(task) &&
            task.label === item.fields.label &&
            JSON.stringify(task.timing) === JSON.stringify(item.fields.timing),
        );
      if (twin) continue;
      const changed = kit.calendar.changedSeqOf(item.ref) ?? 0;
      const excused = !strict && history.restrictedAt.some((seq) => seq >= changed);
      expect(excused, `calendar item ${item.ref} ${item.fields.label} is linked`).toBe(true);
      continue;
    }
    const task = views.get(pair.taskId);
    expect(task, `task of ${item.ref}`).toBeDefined();
  }
}

/**
 * The engine deletes on one side only what is gone (or no longer synchronized) on the other:
 * checked at the moment of each deletion, wherever the items are in time.
 */
function watchDeletions(kit: Kit): void {
  const deleteTask = kit.planning.deleteTask.bind(kit.planning);
  kit.planning.deleteTask = async (taskId) => {
    const pair = kit.state.pairs.get(taskId);
    expect(pair, `deleted task ${taskId} was linked`).toBeDefined();
    expect(
      kit.calendar.items.has(pair!.ref),
      `calendar item of deleted task ${taskId} is gone`,
    ).toBe(false);
    return deleteTask(taskId);
  };
  const deleteItem = kit.calendar.delete.bind(kit.calendar);
  kit.calendar.delete = async (ref, etag) => {
    const pair = [...kit.state.pairs.values()].find((p) => p.ref === ref);
    const uid = kit.calendar.items.get(ref)?.fields.uid;
    const task = pair
      ? kit.planning.tasks.get(pair.taskId)
      : kit.tasks().find((t) => t.uid === uid);
    const synchronized =
      task && !task.periodic && (kit.settings.exportAs !== 'manual' || task.manualKind !== null);
    expect(synchronized, `calendar item ${ref} deleted while its task is synchronized`).toBeFalsy();
    return deleteItem(ref, etag);
  };
}

async function expectNoWrites(kit: Kit): Promise<void> {
  const writes = kit.writes();
  const report = await kit.sync();
  const failed = report.errors.filter((e) => e.code !== 'SYNC_REMOTE_REJECTED');
  expect(failed).toEqual([]);
  expect(kit.writes()).toBe(writes);
}

describe('two-way synchronization converges', () => {
  it(`after random edits, faults and rights flips (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(settings, fc.array(op, { maxLength: 60 }), async (chosen, steps) => {
        const kit = createKit(chosen);
        const history: History = { restrictedAt: [] };
        watchDeletions(kit);
        kit.calendar.setFaults({ rejectLabelPrefix: '!' });
        for (const step of steps) await apply(kit, history, step);

        if ((await cleanSync(kit)) === 'empty-listing') return;
        checkAgreement(kit, history, false);
        await expectNoWrites(kit);

        kit.calendar.expireCursors();
        if ((await cleanSync(kit)) === 'empty-listing') return;
        checkAgreement(kit, history, true);
        await expectNoWrites(kit);
      }),
      { numRuns: RUNS },
    );
  });
});
