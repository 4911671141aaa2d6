/** Shared set-up for the engine's tests: a planning, a calendar, a state and a clock. */
import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import type { SyncFields } from '../provider.js';
import { MemoryCalendar } from '../memory/memory-calendar.js';
import { MemoryPlanning, type MemoryTaskInput } from './planning-side.js';
import { runSync } from './run-sync.js';
import type { SyncSettings } from './settings.js';
import { MemorySyncStateStore } from './state-store.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 10 March 2025, 08:00 UTC. */
export const T0 = Date.UTC(2025, 2, 10, 8);

export const DEFAULT_SETTINGS: SyncSettings = {
  exportAs: 'appointments',
  importAppointments: true,
  importTasks: true,
  carryReminders: true,
  pastDays: 7,
  futureDays: 60,
  timeZone: 'UTC',
};

export function at(
  dayOffset: number,
  hour: number,
  hours = 1,
): { allDay: false; start: number; end: number } {
  const start = T0 - 8 * HOUR + dayOffset * DAY + hour * HOUR;
  return { allDay: false, start, end: start + hours * HOUR };
}

export function eventFields(label: string, timing = at(1, 10), extra: Partial<SyncFields> = {}) {
  return {
    kind: 'event' as const,
    label,
    timing,
    remark: '',
    reminder: { kind: 'none' as const },
    private: false,
    recurring: false,
    ...extra,
  };
}

export function createKit(settings: Partial<SyncSettings> = {}) {
  const clock = new ManualClock(T0);
  const planning = new MemoryPlanning(clock);
  const calendar = new MemoryCalendar({ clock });
  const state = new MemorySyncStateStore();
  const kit = {
    clock,
    planning,
    calendar,
    state,
    settings: { ...DEFAULT_SETTINGS, ...settings },
    /** One run; `asked` as when a user asks for it ("Sync now"). */
    sync: (options: { asked?: boolean } = {}) =>
      runSync({
        provider: calendar,
        planning,
        state,
        settings: kit.settings,
        clock,
        logger: silentLogger(),
        ...options,
      }),
    /** Moves time on, so the next edit is strictly more recent. */
    tick: (ms = 60_000) => clock.advance(ms),
    task: (input: MemoryTaskInput) => planning.add(input),
    /** Writes made by the engine on both sides. */
    writes: () => planning.writes + calendar.writes,
    remoteItems: () => [...calendar.items.values()],
    tasks: () => [...planning.tasks.values()],
  };
  return kit;
}
