/**
 * Calendar edits copied onto their tasks in batches (one `updateTasks` per batch), and what
 * happens when the planning refuses a batch: each pull is written alone, so only the bad one
 * fails.
 */
import { describe, expect, it, vi } from 'vitest';

import { at, createKit } from './sync-test-kit.js';

async function syncedKit(count: number) {
  const kit = createKit();
  const tasks = Array.from({ length: count }, (_, i) =>
    kit.task({ label: `T${i}`, timing: at(1 + i, 8) }),
  );
  kit.tick();
  await kit.sync();
  await kit.sync();
  kit.tick();
  const refOf = (taskId: string) =>
    kit.state.pairs.get(taskId)?.ref ?? expect.fail(`no pair for ${taskId}`);
  return { kit, tasks, refOf };
}

describe('pulls in batches', () => {
  it('copies every edited item onto its task in one planning batch', async () => {
    const { kit, tasks, refOf } = await syncedKit(3);
    const updateTasks = vi.spyOn(kit.planning, 'updateTasks');
    const updateTask = vi.spyOn(kit.planning, 'updateTask');
    for (const task of tasks) kit.calendar.userEdit(refOf(task.id), { label: `${task.label}!` });

    const report = await kit.sync();
    expect(report.counts.updated).toBe(3);
    expect(kit.tasks().map((task) => task.label)).toEqual(['T0!', 'T1!', 'T2!']);
    expect(updateTasks).toHaveBeenCalledTimes(1);
    expect(updateTasks.mock.calls[0]?.[0]).toHaveLength(3);
    expect(updateTask).not.toHaveBeenCalled();
    const writes = kit.writes();
    await kit.sync();
    expect(kit.writes()).toBe(writes);
  });

  it('writes a refused batch pull by pull: the bad item fails alone, the others land', async () => {
    const { kit, tasks, refOf } = await syncedKit(3);
    const updateTask = vi.spyOn(kit.planning, 'updateTask');
    const [first, bad, last] = tasks;
    kit.calendar.userEdit(refOf(first!.id), { label: 'T0, moved' });
    const backwards = at(2, 10);
    kit.calendar.userEdit(refOf(bad!.id), {
      label: 'T1, backwards',
      timing: { ...backwards, end: backwards.start - 3_600_000 },
    });
    kit.calendar.userEdit(refOf(last!.id), { label: 'T2, moved' });

    const report = await kit.sync();
    expect(report.counts.updated).toBe(2);
    expect(report.errors.map((e) => [e.code, e.taskId])).toEqual([
      ['TASK_TIMING_INVALID', bad!.id],
    ]);
    expect(kit.tasks().map((task) => task.label)).toEqual(['T0, moved', 'T1', 'T2, moved']);
    expect(updateTask).toHaveBeenCalledTimes(3);
  });
});
