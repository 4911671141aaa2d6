/**
 * The reminders' tables. `reminders` holds one row per task whose reminder is still to come
 * or has been raised; a new due time is a new row (a new id), so what users did with the
 * old one (snoozed, dismissed) does not carry over. `reminder_states` holds what each
 * concerned user did with a raised reminder, shared by all their devices.
 */
export interface RemindersTable {
  id: string;
  task_id: string;
  due_at: number;
  /** 0 until a scheduler claimed and raised it, then 1. */
  fired: number;
  fired_at: number | null;
  created_at: number;
}

export type ReminderStateName = 'pending' | 'delivered' | 'snoozed' | 'dismissed';

export interface ReminderStatesTable {
  reminder_id: string;
  user_id: string;
  task_id: string;
  /** The due time of the occurrence this state is about. */
  due_at: number;
  state: ReminderStateName;
  /** Set while `state` is `snoozed`: when the reminder is raised again for this user. */
  snoozed_until: number | null;
  updated_at: number;
}

declare module '../store/schema.js' {
  interface OrdoTables {
    reminders: RemindersTable;
    reminder_states: ReminderStatesTable;
  }
}
