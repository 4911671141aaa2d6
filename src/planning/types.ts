/**
 * The planning's domain, in the words of the specification: resources are booked on tasks
 * for clients; unavailabilities block a resource without being tasks; a periodic task is a
 * rule whose occurrences are tasks, and an occurrence taken out of its series becomes an
 * ordinary task.
 */

/** A calendar date, `YYYY-MM-DD`. All-day tasks use dates, never instants. */
export type CalendarDate = string;

/** When a task happens: either two instants (epoch milliseconds) or two calendar dates. */
export type TaskTiming =
  | { allDay: false; start: number; end: number }
  /** `endDate` is exclusive, as in iCalendar: a one-day task on the 25th ends on the 26th. */
  | { allDay: true; startDate: CalendarDate; endDate: CalendarDate };

export type Reminder =
  { kind: 'none' } | { kind: 'before'; minutes: number } | { kind: 'at'; at: number };

export type ResourceKind = 'human' | 'material';

export interface Department {
  id: string;
  name: string;
}

export interface Resource {
  id: string;
  name: string;
  kind: ResourceKind;
  email: string | null;
  /** International form, `+33612345678`. */
  mobile: string | null;
  departmentId: string | null;
}

export interface Client {
  id: string;
  name: string;
  email: string | null;
  mobile: string | null;
}

export interface Task {
  id: string;
  label: string;
  timing: TaskTiming;
  /** Ordered; the first human one is "resource 1". */
  resourceIds: string[];
  clientId: string | null;
  remark: string;
  location: string;
  category: string;
  reminder: Reminder;
  private: boolean;
  /** Set on an occurrence of a periodic task; such tasks are never exported or synchronized. */
  periodicTaskId: string | null;
  /** Set on an occurrence that was taken out of its periodic task. */
  detachedFromPeriodicTaskId: string | null;
  /** The iCalendar UID the task is known by outside; our own id unless it came from a file. */
  uid: string;
  /** Raised on every change that recipients of an invitation must see. */
  sequence: number;
  createdAt: number;
  modifiedAt: number;
}

export interface Unavailability {
  id: string;
  resourceId: string;
  start: number;
  end: number;
  reason: string;
}

export interface PeriodicTask {
  id: string;
  /** An RFC 5545 RRULE value, for example `FREQ=WEEKLY;BYDAY=MO`. */
  rule: string;
  /** The first occurrence, and the shape every occurrence takes. */
  template: Omit<
    Task,
    | 'id'
    | 'periodicTaskId'
    | 'detachedFromPeriodicTaskId'
    | 'uid'
    | 'sequence'
    | 'createdAt'
    | 'modifiedAt'
  >;
  /** Occurrences are materialized as tasks up to this date. */
  until: CalendarDate | null;
}

export type Access = 'none' | 'read' | 'write';

export interface Group {
  id: string;
  name: string;
  canAdd: boolean;
  canModify: boolean;
  canDelete: boolean;
}

export interface User {
  id: string;
  login: string;
  isAdmin: boolean;
  /** "Who I am": the resource whose tasks are this user's. */
  resourceId: string | null;
  groupId: string | null;
  /** Access to departments not listed in `departmentAccess`. */
  defaultAccess: Access;
  departmentAccess: Record<string, Access>;
  language: 'fr' | 'en' | null;
}
