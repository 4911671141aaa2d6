/**
 * Property: a run narrowed to the calendar's changed items (see `runSync`) ends exactly as a
 * full run would. Two kits live the same history of planning and calendar edits, settings and
 * syncs; one store can look pairs up by ref (so its runs narrow when they may), the other
 * cannot (every run reads everything). After each sync both kits hold the same tasks, the
 * same calendar items and the same pairs, and report the same counts.
 *
 * ORDO_PROPERTY_RUNS sets the number of examples (default 1000).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  applyCalendarOp,
  applyPlanningOp,
  calendarOps,
  index,
  planningOps,
  settings,
} from '../../test-support/sync-property.js';
import { at, createKit } from './sync-test-kit.js';

const RUNS = Number(process.env.ORDO_PROPERTY_RUNS ?? 1000);

type Kit = ReturnType<typeof createKit>;

const label = fc.constantFrom('a', 'b', 'c');

// Calendar edits weigh most: they are what a narrowed run handles.
const op = fc.oneof(
  { arbitrary: calendarOps(label), weight: 6 },
  { arbitrary: planningOps(label), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('sync' as const) }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('tick' as const), minutes: fc.nat(90) }), weight: 1 },
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(kit: Kit, step: Op): void {
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
    case 'tick':
      kit.tick(step.minutes * 60_000);
      return;
    case 'sync':
      return;
  }
}

/** What a kit holds, in an order that does not depend on how it got there. */
function holdings(kit: Kit) {
  const sorted = <T>(values: T[]) => values.map((v) => JSON.stringify(v)).sort();
  return {
    tasks: sorted(kit.tasks()),
    items: sorted(kit.remoteItems().map(({ etag: _etag, ...item }) => item)),
    pairs: sorted([...kit.state.pairs.values()].map(({ etag: _etag, ...pair }) => pair)),
  };
}

describe('narrowed runs', () => {
  it('end as full runs would, step after step', async () => {
    // Runs that narrowed and wrote something: the property says little if there are few.
    let narrowedWrites = 0;
    await fc.assert(
      fc.asyncProperty(
        settings,
        fc.array(fc.record({ i: index, label }), { minLength: 1, maxLength: 6 }),
        fc.array(op, { maxLength: 30 }),
        async (chosen, seed, steps) => {
          const narrowing = createKit(chosen);
          const full = createKit(chosen);
          // Without the lookup by ref, the engine reads the whole state on every run.
          Object.defineProperty(full.state, 'loadPairsByRefs', { value: undefined });
          let fullReads = 0;
          const loadPairs = narrowing.state.loadPairs.bind(narrowing.state);
          narrowing.state.loadPairs = async () => ((fullReads += 1), loadPairs());

          for (const kit of [narrowing, full]) {
            for (const { i, label: text } of seed) kit.task({ label: text, timing: at(i % 30, 9) });
            kit.tick();
            await kit.sync();
            await kit.sync();
          }
          for (const step of steps) {
            for (const kit of [narrowing, full]) apply(kit, step);
            if (step.t !== 'sync') continue;
            const before = fullReads;
            const [a, b] = [await narrowing.sync(), await full.sync()];
            const wrote = a.counts.updated + a.counts.deleted + a.counts.restored > 0;
            if (fullReads === before && wrote) narrowedWrites += 1;
            expect(a.counts).toEqual(b.counts);
            expect(a.errors.map((e) => e.code)).toEqual(b.errors.map((e) => e.code));
            expect(holdings(narrowing)).toEqual(holdings(full));
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(narrowedWrites).toBeGreaterThan(RUNS / 10);
  });
});
