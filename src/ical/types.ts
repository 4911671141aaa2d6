import type { Reminder, TaskTiming } from '../planning/types.js';
import type { ErrorCode } from '../shared/errors.js';

export type ItemKind = 'event' | 'todo';

/** One VEVENT or VTODO read from a file, in Ordo's terms. */
export interface ParsedItem {
  uid: string;
  kind: ItemKind;
  label: string;
  /** DESCRIPTION. */
  remark: string;
  location: string;
  categories: string[];
  timing: TaskTiming;
  /** From the first DISPLAY alarm (or the first alarm of any kind when none is DISPLAY). */
  reminder: Reminder;
  /** Every alarm's due instant, epoch ms, in the file's order. */
  alarms: number[];
  /** CLASS:PRIVATE or CLASS:CONFIDENTIAL. */
  private: boolean;
  /** Has RRULE or RDATE, or is an override (RECURRENCE-ID): such items are not imported. */
  recurring: boolean;
  sequence: number;
  lastModified: number | null;
  /** STATUS as written (`CONFIRMED`, `CANCELLED`, `NEEDS-ACTION`, ...), upper case. */
  status: string | null;
}

/** An item that could not be read, and why; the rest of the file is still read. */
export interface ParseProblem {
  uid: string | null;
  reason: string;
  code: ErrorCode;
}

export interface ParseResult {
  items: ParsedItem[];
  problems: ParseProblem[];
}

export interface ParseOptions {
  /** The IANA zone that floating times (no TZID, no `Z`) are read in: the company's. */
  timeZone: string;
}

export interface Person {
  name: string;
  email: string;
}

/** One task to write as a VEVENT or VTODO. */
export interface WriteItem {
  uid: string;
  kind: ItemKind;
  label: string;
  remark: string;
  location: string;
  categories: string[];
  timing: TaskTiming;
  reminder: Reminder;
  private: boolean;
  sequence: number;
  /** DTSTAMP, epoch ms: when this copy of the item was produced. */
  dtstamp: number;
  lastModified?: number;
  status?: 'CONFIRMED' | 'CANCELLED';
  organizer?: Person;
  attendees?: (Person & { rsvp?: boolean })[];
}

export interface WriteOptions {
  prodId?: string;
  method?: 'PUBLISH' | 'REQUEST' | 'CANCEL';
  /** The company's IANA zone, announced as X-WR-TIMEZONE; times are written in UTC. */
  timeZone: string;
  items: WriteItem[];
}
