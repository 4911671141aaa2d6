/**
 * To Do tasks cannot hold everything a task carries: no sensitivity, a reminder only as a
 * date-time. What the calendar dropped must not read back as a calendar change: the task
 * would lose its private flag, or a run that may not import would rewrite the item forever.
 */
import { expect, it } from 'vitest';

import type { SyncSettings } from '../engine/index.js';
import { HOUR, NOW, setUpEngine, useGraphStandIn } from './test-kit.js';

const standIn = useGraphStandIn();

function setUp(settings: Partial<SyncSettings>) {
  return setUpEngine(standIn(), {
    calendarPrefix: 'lossy',
    settings: { exportAs: 'tasks', ...settings },
  });
}

const quiet = { created: 0, updated: 0, deleted: 0, restored: 0 };

it('keeps a private task private and unchanged once exported to To Do', async () => {
  const kit = setUp({});
  const task = kit.planning.add({
    label: 'Médecin',
    timing: { allDay: false, start: NOW + 26 * HOUR, end: NOW + 27 * HOUR },
    private: true,
    reminder: { kind: 'before', minutes: 15 },
  });
  expect((await kit.sync()).counts.created).toBe(1);

  const second = await kit.sync();
  expect(second.errors).toEqual([]);
  expect(second.counts).toMatchObject(quiet);
  expect(kit.planning.tasks.get(task.id)).toMatchObject({
    private: true,
    reminder: { kind: 'before', minutes: 15 },
  });
});

it('does not restore a To Do task again and again when tasks are not imported', async () => {
  const kit = setUp({ importTasks: false });
  kit.planning.add({
    label: 'Médecin',
    timing: { allDay: false, start: NOW + 26 * HOUR, end: NOW + 27 * HOUR },
    private: true,
  });
  await kit.sync();
  for (let run = 0; run < 2; run += 1) expect((await kit.sync()).counts).toMatchObject(quiet);
});
