/**
 * Microsoft To Do tasks (https://learn.microsoft.com/graph/api/resources/todotask) to the
 * engine's fields and back. A task has no sensitivity and no all-day flag: startDateTime and
 * dueDateTime carry the task's span, both at midnight UTC meaning an all-day task; the
 * reminder is an absolute date-time.
 */
import type { CalendarDate, Reminder } from '../../planning/types.js';
import type { RemoteItem, SyncFields } from '../provider.js';
import { graphDateTime, parseGraphDateTime, type GraphJson } from './delta.js';

export const LINK_APPLICATION = 'Ordo';
const DAY = 86_400_000;

/** Our UID from the task's linkedResources (present when they were expanded). */
export function linkedUidOf(json: GraphJson): string | null {
  const resources = json['linkedResources'];
  if (!Array.isArray(resources)) return null;
  for (const resource of resources as GraphJson[]) {
    if (
      resource['applicationName'] === LINK_APPLICATION &&
      typeof resource['externalId'] === 'string'
    ) {
      return resource['externalId'];
    }
  }
  return null;
}

/** The item; `null` for a task without dates (nothing to plan) or a partial JSON. */
export function fromTodoTask(json: GraphJson, refOf: (id: string) => string): RemoteItem | null {
  const id = json['id'];
  if (typeof id !== 'string' || typeof json['title'] !== 'string') return null;
  const timing = timingOf(json);
  if (!timing) return null;

  const fields: SyncFields = {
    kind: 'todo',
    uid: linkedUidOf(json) ?? id,
    label: json['title'],
    timing,
    remark: bodyText(json['body']),
    reminder: readReminder(json),
    private: false,
    recurring: json['recurrence'] !== undefined && json['recurrence'] !== null,
  };
  const lastModified = Date.parse(String(json['lastModifiedDateTime'] ?? ''));
  return {
    ref: refOf(id),
    etag: typeof json['@odata.etag'] === 'string' ? json['@odata.etag'] : null,
    fields,
    lastModified: Number.isNaN(lastModified) ? null : lastModified,
  };
}

// TODO(To Do keeps times): the To Do apps show dates only; a timed task keeps its times in
// Graph, but a user who edits its due date in the app turns it into an all-day task.
export function toTodoTask(fields: SyncFields, forCreate: boolean): GraphJson {
  const timing = fields.timing;
  const start = timing.allDay ? Date.parse(`${timing.startDate}T00:00:00Z`) : timing.start;
  const end = timing.allDay ? Date.parse(`${timing.endDate}T00:00:00Z`) : timing.end;
  const body: GraphJson = {
    title: fields.label,
    body: { contentType: 'text', content: fields.remark },
    startDateTime: { dateTime: graphDateTime(start), timeZone: 'UTC' },
    dueDateTime: { dateTime: graphDateTime(end), timeZone: 'UTC' },
    ...reminderJson(fields.reminder, start),
  };
  if (forCreate) {
    body['linkedResources'] = [
      { applicationName: LINK_APPLICATION, externalId: fields.uid, displayName: fields.label },
    ];
  }
  return body;
}

function reminderJson(reminder: Reminder | null, start: number): GraphJson {
  if (reminder === null) return {};
  if (reminder.kind === 'none') return { isReminderOn: false };
  const at = reminder.kind === 'at' ? reminder.at : start - reminder.minutes * 60_000;
  return { isReminderOn: true, reminderDateTime: { dateTime: graphDateTime(at), timeZone: 'UTC' } };
}

function readReminder(json: GraphJson): Reminder {
  const at = parseGraphDateTime(json['reminderDateTime']);
  if (json['isReminderOn'] !== true || at === null) return { kind: 'none' };
  return { kind: 'at', at };
}

function timingOf(json: GraphJson): SyncFields['timing'] | null {
  const due = parseGraphDateTime(json['dueDateTime']);
  if (due === null) return null;
  const start = parseGraphDateTime(json['startDateTime']);
  if (start !== null && start < due && !(isMidnight(start) && isMidnight(due))) {
    return { allDay: false, start, end: due };
  }
  // A due date alone (the usual To Do task) is an all-day task on that date.
  const first = nearestDate(start ?? due);
  const last = start !== null && start < due ? nearestDate(due) : nextDate(nearestDate(due));
  return { allDay: true, startDate: first, endDate: last };
}

function isMidnight(ms: number): boolean {
  return ms % DAY === 0;
}

/** To Do keeps a due date as the midnight of the user's zone: the nearest UTC midnight. */
function nearestDate(ms: number): CalendarDate {
  return new Date(Math.round(ms / DAY) * DAY).toISOString().slice(0, 10) as CalendarDate;
}

function nextDate(date: CalendarDate): CalendarDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10) as CalendarDate;
}

function bodyText(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const content = (body as { content?: unknown }).content;
  return typeof content === 'string' ? content.replace(/\r\n/g, '\n') : '';
}
