import { DateTime } from 'luxon';

import type { ItemKind, SyncWindow } from '../provider.js';

/** One user's synchronization settings (SPEC 3.1), as the engine reads them. */
export interface SyncSettings {
  /**
   * Planning → calendar: every task as an appointment, every task as a calendar task, or
   * only the tasks marked one by one (manual mode, with the kind chosen per task).
   */
  exportAs: 'appointments' | 'tasks' | 'manual';
  /** Calendar → planning: whether new appointments (VEVENT) and tasks (VTODO) are imported. */
  importAppointments: boolean;
  importTasks: boolean;
  /**
   * `false` when the "reminder at a date" option is on: reminders are neither compared nor copied.
   */
  carryReminders: boolean;
  /** How many days before today are synchronized; `0` means from today. */
  pastDays: number;
  /** How many days after today are synchronized. */
  futureDays: number;
  /** The zone "today" and all-day tasks are read in. */
  timeZone: string;
}

/** The window a run covers, from the start of today (in the settings' zone) minus `pastDays`. */
export function syncWindow(settings: SyncSettings, now: number): SyncWindow {
  const today = DateTime.fromMillis(now, { zone: settings.timeZone }).startOf('day');
  return {
    from: today.minus({ days: settings.pastDays }).toMillis(),
    to: today.plus({ days: settings.futureDays + 1 }).toMillis(),
  };
}

/** The kind new tasks are exported as; `null` in manual mode, where each task says. */
export function exportKind(settings: SyncSettings): ItemKind | null {
  if (settings.exportAs === 'appointments') return 'event';
  if (settings.exportAs === 'tasks') return 'todo';
  return null;
}

/**
 * Whether calendar-side changes of this kind may reach the planning. When they may not
 * (that kind is not imported), the calendar is a mirror of the planning for it: its changes
 * are reverted, as for a read-only user.
 */
export function importsKind(settings: SyncSettings, kind: ItemKind): boolean {
  return kind === 'event' ? settings.importAppointments : settings.importTasks;
}
