import { describe, expect, it } from 'vitest';

import { silentLogger } from '../../shared/logger.js';
import type { SyncFields } from '../provider.js';
import { MemoryPlanning, type PlanningTask } from './planning-side.js';
import { runSync } from './run-sync.js';
import { MemorySyncStateStore, type SyncPair } from './state-store.js';
import { at, createKit, eventFields } from './sync-test-kit.js';

/** A planning that creates tasks in batches, all or none, as the SQL planning side does. */
class BatchPlanning extends MemoryPlanning {
  batches: number[] = [];

  async createTasks(fields: readonly SyncFields[]): Promise<PlanningTask[]> {
    this.batches.push(fields.length);
    const before = new Set(this.tasks.keys());
    try {
      const created: PlanningTask[] = [];
      for (const one of fields) created.push(await this.createTask(one));
      return created;
    } catch (error) {
      // All or none: a refused batch leaves nothing behind, as a rolled-back transaction.
      for (const id of [...this.tasks.keys()]) if (!before.has(id)) this.tasks.delete(id);
      throw error;
    }
  }
}

class BatchStateStore extends MemorySyncStateStore {
  batches: number[] = [];

  async savePairs(pairs: readonly SyncPair[]): Promise<void> {
    this.batches.push(pairs.length);
    for (const pair of pairs) await this.savePair(pair);
  }
}

function batchKit() {
  const kit = createKit();
  const planning = new BatchPlanning(kit.clock);
  const state = new BatchStateStore();
  const sync = () =>
    runSync({
      provider: kit.calendar,
      planning,
      state,
      settings: kit.settings,
      clock: kit.clock,
      logger: silentLogger(),
    });
  return { ...kit, planning, state, sync, tasks: () => [...planning.tasks.values()] };
}

describe('imports in batches when the planning writes batches', () => {
  it('imports 600 items in batches of 250, and a second sync writes nothing', async () => {
    const kit = batchKit();
    for (let i = 0; i < 600; i += 1) kit.calendar.userCreate(eventFields(`Item ${i}`));

    const first = await kit.sync();
    expect(first.counts.created).toBe(600);
    expect(first.errors).toEqual([]);
    expect(kit.planning.batches).toEqual([250, 250, 100]);
    expect(kit.state.batches).toEqual([250, 250, 100]);
    expect(new Set(kit.tasks().map((t) => t.uid)).size).toBe(600);
    expect((await kit.state.loadPairs()).length).toBe(600);

    kit.tick();
    const writes = kit.planning.writes;
    const second = await kit.sync();
    expect(second.actions).toEqual([]);
    expect(kit.planning.writes).toBe(writes);
  });

  it('retries a refused batch item by item: only the bad item fails', async () => {
    const kit = batchKit();
    kit.calendar.userCreate(eventFields('Good 1'));
    const bad = kit.calendar.userCreate(
      eventFields('Backwards', { ...at(1, 10), end: at(1, 9).start }),
    );
    kit.calendar.userCreate(eventFields('Good 2'));

    const report = await kit.sync();
    expect(kit.planning.batches).toEqual([3]);
    expect(
      kit
        .tasks()
        .map((t) => t.label)
        .sort(),
    ).toEqual(['Good 1', 'Good 2']);
    expect(report.counts.created).toBe(2);
    expect(report.errors).toEqual([
      expect.objectContaining({ ref: bad.ref, code: 'TASK_TIMING_INVALID' }),
    ]);
  });

  it('keeps refused items out of the batch and reports them skipped', async () => {
    const kit = batchKit();
    kit.calendar.userCreate(eventFields('Doctor', at(1, 10), { private: true }));
    kit.calendar.userCreate(eventFields('Site visit'));

    const report = await kit.sync();
    expect(kit.planning.batches).toEqual([1]);
    expect(kit.tasks().map((t) => t.label)).toEqual(['Site visit']);
    expect(report.actions.map((a) => `${a.action} ${a.side}: ${a.reason}`).sort()).toEqual([
      'created planning: created in the calendar',
      'skipped planning: private item: not imported',
    ]);
  });
});
