/**
 * What the Graph integration tests share: one stand-in per test file, the sync engine wired to
 * the Graph provider on it, and the fields of a plain task to write.
 */
import { afterAll, beforeAll } from 'vitest';

import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import {
  MemoryPlanning,
  MemorySyncStateStore,
  runSync,
  type SyncSettings,
} from '../engine/index.js';
import type { SyncFields } from '../provider.js';
import { createGraphProvider } from './graph-provider.js';
import { startGraphStandIn, type GraphStandIn } from './graph-stand-in.js';

export const HOUR = 3_600_000;
/** The engine tests' "now": a Monday morning, UTC. */
export const NOW = Date.UTC(2030, 2, 4, 9);
/** A listing window holding every task the tests write. */
export const WINDOW = { from: Date.UTC(2030, 0, 1), to: Date.UTC(2031, 0, 1) };

/** Starts a stand-in before the file's tests and closes it after; call at the top level. */
export function useGraphStandIn(): () => GraphStandIn {
  let standIn: GraphStandIn | undefined;
  beforeAll(async () => {
    standIn = await startGraphStandIn();
  });
  afterAll(async () => {
    await standIn?.close();
  });
  return () => {
    if (!standIn) throw new Error('the Graph stand-in is not started yet');
    return standIn;
  };
}

export interface EngineKitOptions {
  /** Prefix of the fresh calendar id each kit writes to. */
  calendarPrefix: string;
  /** Over the defaults: import everything, carry reminders, a week back, 60 days ahead, UTC. */
  settings: Partial<SyncSettings> & Pick<SyncSettings, 'exportAs'>;
}

/**
 * A planning and a sync state in memory, synced to a fresh calendar and a fresh To Do list of
 * the stand-in; each `sync()` moves the clock a minute on first.
 */
export function setUpEngine(standIn: GraphStandIn, options: EngineKitOptions) {
  const token = standIn.issueAccessToken();
  const clock = new ManualClock(NOW);
  const planning = new MemoryPlanning(clock);
  const state = new MemorySyncStateStore();
  const calendarId = `${options.calendarPrefix}-${Math.random().toString(36).slice(2)}`;
  const provider = createGraphProvider({
    baseUrl: standIn.graphUrl,
    getAccessToken: async () => token,
    calendarId,
    todoListId: standIn.addTaskList('Tasks'),
  });
  const sync = async () => {
    clock.advance(60_000);
    return runSync({
      provider,
      planning,
      state,
      settings: {
        importAppointments: true,
        importTasks: true,
        carryReminders: true,
        pastDays: 7,
        futureDays: 60,
        timeZone: 'UTC',
        ...options.settings,
      },
      clock,
      logger: silentLogger(),
    });
  };
  return { planning, state, sync, calendarId, clock };
}

/** The fields of a plain one-hour task, 4 March 2030 at 09:00 UTC, uid `task-1`. */
export function plainFields(kind: SyncFields['kind'], label: string): SyncFields {
  return {
    kind,
    uid: 'task-1',
    label,
    timing: { allDay: false, start: Date.UTC(2030, 2, 4, 9), end: Date.UTC(2030, 2, 4, 10) },
    remark: '',
    reminder: { kind: 'none' },
    private: false,
    recurring: false,
  };
}
