/**
 * To Do tasks cannot hold everything a task carries: no sensitivity, a reminder only as a
 * date-time. What the calendar dropped must not read back as a calendar change: the task
 * would lose its private flag, or a run that may not import would rewrite the item forever.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import {
  MemoryPlanning,
  MemorySyncStateStore,
  runSync,
  type SyncSettings,
} from '../engine/index.js';
import { createGraphProvider } from './graph-provider.js';
import { startGraphStandIn, type GraphStandIn } from './graph-stand-in.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2030, 2, 4, 9);
let standIn: GraphStandIn;

beforeAll(async () => {
  standIn = await startGraphStandIn();
});
afterAll(async () => {
  await standIn.close();
});

function setUp(settings: Partial<SyncSettings>) {
  const token = standIn.issueAccessToken();
  const clock = new ManualClock(NOW);
  const planning = new MemoryPlanning(clock);
  const state = new MemorySyncStateStore();
  const provider = createGraphProvider({
    baseUrl: standIn.graphUrl,
    getAccessToken: async () => token,
    calendarId: `lossy-${Math.random().toString(36).slice(2)}`,
    todoListId: standIn.addTaskList('Tasks'),
  });
  const sync = () => {
    clock.advance(60_000);
    return runSync({
      provider,
      planning,
      state,
      settings: {
        exportAs: 'tasks',
        importAppointments: true,
        importTasks: true,
        carryReminders: true,
        pastDays: 7,
        futureDays: 60,
        timeZone: 'UTC',
        ...settings,
      },
      clock,
      logger: silentLogger(),
    });
  };
  return { planning, sync };
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
