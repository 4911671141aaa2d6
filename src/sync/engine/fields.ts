import crypto from 'node:crypto';

import { DateTime } from 'luxon';

import type { TaskTiming } from '../../planning/types.js';
import type { SyncFields, SyncWindow } from '../provider.js';

/** An item's extent in time (epoch ms, end exclusive). */
export interface Span {
  start: number;
  end: number;
}

/**
 * The fields as the engine compares them: the reminder is dropped when reminders are not
 * carried. `uid` and `kind` are identity, not content: a pair linked by label and time keeps
 * two UIDs, and a pair's kind never changes.
 */
export function comparable(fields: SyncFields, carryReminders: boolean): SyncFields {
  return carryReminders ? fields : { ...fields, reminder: null };
}

/** A hash of the content the engine compares; equal hashes mean nothing to copy. */
export function contentHash(fields: SyncFields): string {
  const timing = fields.timing.allDay
    ? ['date', fields.timing.startDate, fields.timing.endDate]
    : ['time', fields.timing.start, fields.timing.end];
  const reminder = fields.reminder === null ? null : reminderKey(fields.reminder);
  const canonical = JSON.stringify([
    fields.label,
    timing,
    fields.remark,
    reminder,
    fields.private,
    fields.recurring,
  ]);
  return sha256(canonical).slice(0, 32);
}

/**
 * SHA-256 in base64url. The one-shot crypto.hash (Node 20.12 and later) gives the same digest
 * at about half the cost of a Hash object, which the sync pays twice per item.
 */
function sha256(text: string): string {
  if (typeof crypto.hash === 'function') return crypto.hash('sha256', text, 'base64url');
  return crypto.createHash('sha256').update(text).digest('base64url');
}

function reminderKey(reminder: NonNullable<SyncFields['reminder']>): unknown[] {
  if (reminder.kind === 'none') return ['none'];
  if (reminder.kind === 'before') return ['before', reminder.minutes];
  return ['at', reminder.at];
}

export function spanOf(timing: TaskTiming, timeZone: string): Span {
  if (!timing.allDay) return { start: timing.start, end: timing.end };
  return {
    start: DateTime.fromISO(timing.startDate, { zone: timeZone }).toMillis(),
    end: DateTime.fromISO(timing.endDate, { zone: timeZone }).toMillis(),
  };
}

/** Whether an item touches the window; an instant (start = end) counts when inside it. */
export function overlaps(span: Span, window: SyncWindow): boolean {
  if (span.end <= span.start) return span.start >= window.from && span.start < window.to;
  return span.start < window.to && span.end > window.from;
}

/** A short human summary for reports: what a conflict overwrote. */
export function summarize(fields: SyncFields): string {
  const when = fields.timing.allDay
    ? `${fields.timing.startDate}/${fields.timing.endDate}`
    : `${new Date(fields.timing.start).toISOString()}/${new Date(fields.timing.end).toISOString()}`;
  const remark = fields.remark ? `, remark "${truncate(fields.remark)}"` : '';
  return `"${truncate(fields.label)}" ${when}${remark}`;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Same label, start and end: the first-sync test for "this is the same item". */
export function sameLabelAndTiming(a: SyncFields, b: SyncFields): boolean {
  if (a.label !== b.label || a.timing.allDay !== b.timing.allDay) return false;
  if (a.timing.allDay && b.timing.allDay) {
    return a.timing.startDate === b.timing.startDate && a.timing.endDate === b.timing.endDate;
  }
  if (!a.timing.allDay && !b.timing.allDay) {
    return a.timing.start === b.timing.start && a.timing.end === b.timing.end;
  }
  return false;
}
