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
import {
  applyCalendarOp,
  applyPlanningOp,
  calendarOps,
  checkAgreement as checkAgreementOf,
  index,
  pick,
  planningOps,
  settings,
} from '../../test-support/sync-property.js';
import { SimulatedCrash, type MemoryCalendarFaults } from '../memory/memory-calendar.js';
import { overlaps, spanOf } from './fields.js';
import { syncWindow } from './settings.js';
import { at, createKit } from './sync-test-kit.js';

const RUNS = Number(process.env.ORDO_PROPERTY_RUNS ?? 1000);

type Kit = ReturnType<typeof createKit>;

const label = fc.constantFrom('a', 'b', 'c', 'd', '!rejected');

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

// Weighted so that each of the ten kinds of step is drawn as often as the others.
const op = fc.oneof(
  { arbitrary: planningOps(label), weight: 3 },
  { arbitrary: calendarOps(label), weight: 3 },
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

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Per sync with restricted rights: the calendar sequence when it started. */
interface History {
  restrictedAt: number[];
}

async function apply(kit: Kit, history: History, step: Op): Promise<void> {
  const items = kit.remoteItems();
  switch (step.t) {
    case 'pCreate':
    case 'pEdit':
    case 'pDelete':
      applyPlanningOp(kit.planning, step, at);
      return;
    case 'rCreate':
    case 'rEdit':
    case 'rDelete':
      applyCalendarOp(kit.calendar, step, at);
      return;
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
  const { netDifferenceDeltas } = kit.calendar.faults;
  kit.calendar.clearFaults();
  kit.calendar.setFaults({ rejectLabelPrefix: '!', netDifferenceDeltas });
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

/** The server's kind of incremental answer, kept for the whole example (clean syncs too). */
const netDifference = fc.boolean();

function checkAgreement(kit: Kit, history: History, strict: boolean): void {
  checkAgreementOf({
    tasks: kit.tasks(),
    remoteItems: kit.remoteItems(),
    pairs: [...kit.state.pairs.values()],
    settings: kit.settings,
    now: kit.clock.now(),
    refused: (task) => task.label.startsWith('!'),
    excused: (item) => {
      const changed = kit.calendar.changedSeqOf(item.ref) ?? 0;
      return !strict && history.restrictedAt.some((seq) => seq >= changed);
    },
  });
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
      fc.asyncProperty(
        settings,
        netDifference,
        fc.array(op, { maxLength: 60 }),
        async (chosen, netDifferenceDeltas, steps) => {
          const kit = createKit(chosen);
          const history: History = { restrictedAt: [] };
          watchDeletions(kit);
          kit.calendar.setFaults({ rejectLabelPrefix: '!', netDifferenceDeltas });
          for (const step of steps) await apply(kit, history, step);

          if ((await cleanSync(kit)) === 'empty-listing') return;
          checkAgreement(kit, history, false);
          await expectNoWrites(kit);

          kit.calendar.expireCursors();
          if ((await cleanSync(kit)) === 'empty-listing') return;
          checkAgreement(kit, history, true);
          await expectNoWrites(kit);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
