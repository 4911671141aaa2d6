/**
 * Outlook appointments (https://learn.microsoft.com/graph/api/resources/event) to the engine's
 * fields and back. Times are read in UTC (we ask for it on every call); all-day events keep
 * date-only meaning: their start and end are midnights, which we read as dates.
 */
import type { CalendarDate, Reminder } from '../../planning/types.js';
import type { RemoteItem, SyncFields } from '../provider.js';
import { graphDateTime, parseGraphDateTime, type GraphJson } from './delta.js';

/**
 * Where our UID lives on an event: a single-value extended property in our own property set
 * (https://learn.microsoft.com/graph/api/resources/extended-properties-overview). Graph sets
 * the event's iCalUId itself, so it cannot carry ours.
 */
export const UID_PROPERTY = 'String {6b4c0d1e-3f7a-4e55-9a0c-2d1b8e7f4a10} Name OrdoUid';

export const UID_EXPAND = `singleValueExtendedProperties($filter=id eq '${UID_PROPERTY}')`;

const PRIVATE_SENSITIVITY = new Set(['private', 'personal', 'confidential']);
const RECURRING_TYPES = new Set(['seriesMaster', 'occurrence', 'exception']);
const DAY = 86_400_000;

/** Our UID when the JSON carries it (an expanded GET or listing); `null` when it does not. */
export function ordoUidOf(json: GraphJson): string | null {
  const properties = json['singleValueExtendedProperties'];
  if (!Array.isArray(properties)) return null;
  for (const property of properties as GraphJson[]) {
    if (String(property['id']).toLowerCase() === UID_PROPERTY.toLowerCase()) {
      return typeof property['value'] === 'string' ? property['value'] : null;
    }
  }
  return null;
}

/**
 * Whether the event may carry our UID that this JSON does not show: only events created with
 * a transactionId (ours always are) do. Events made in Outlook take their iCalUId as UID.
 */
export function needsUidLookup(json: GraphJson): boolean {
  if (ordoUidOf(json) !== null) return false;
  if (Array.isArray(json['singleValueExtendedProperties'])) return false;
  return typeof json['transactionId'] === 'string' && json['transactionId'] !== '';
}

export function isRecurringEvent(json: GraphJson): boolean {
  const type = json['type'];
  if (typeof type === 'string' && RECURRING_TYPES.has(type)) return true;
  return typeof json['seriesMasterId'] === 'string' && json['seriesMasterId'] !== '';
}

/** The item, or `null` when the JSON lacks what we need (a partial delta entry). */
export function fromGraphEvent(json: GraphJson, uidHint?: string | null): RemoteItem | null {
  const id = json['id'];
  const start = parseGraphDateTime(json['start']);
  const end = parseGraphDateTime(json['end']);
  if (typeof id !== 'string' || start === null || end === null) return null;
  if (typeof json['subject'] !== 'string' && json['subject'] !== null) return null;

  const allDay = json['isAllDay'] === true;
  const timing: SyncFields['timing'] = allDay
    ? { allDay: true, startDate: nearestDate(start), endDate: nearestDate(end) }
    : { allDay: false, start, end };
  const uid = ordoUidOf(json) ?? uidHint ?? String(json['iCalUId'] ?? id);
  const fields: SyncFields = {
    kind: 'event',
    uid,
    label: typeof json['subject'] === 'string' ? json['subject'] : '',
    timing,
    remark: bodyText(json['body']),
    reminder: readReminder(json),
    private: PRIVATE_SENSITIVITY.has(String(json['sensitivity'] ?? 'normal')),
    recurring: isRecurringEvent(json),
  };
  const lastModified = Date.parse(String(json['lastModifiedDateTime'] ?? ''));
  return {
    ref: id,
    etag: typeof json['@odata.etag'] === 'string' ? json['@odata.etag'] : null,
    fields,
    lastModified: Number.isNaN(lastModified) ? null : lastModified,
  };
}

/** The JSON for a create (with our UID property) or an update (`forCreate` false). */
export function toGraphEvent(fields: SyncFields, forCreate: boolean): GraphJson {
  const body: GraphJson = {
    subject: fields.label,
    body: { contentType: 'text', content: fields.remark },
    isAllDay: fields.timing.allDay,
    start: { dateTime: startOf(fields), timeZone: 'UTC' },
    end: { dateTime: endOf(fields), timeZone: 'UTC' },
    sensitivity: fields.private ? 'private' : 'normal',
    ...reminderJson(fields),
  };
  if (forCreate) {
    body['singleValueExtendedProperties'] = [{ id: UID_PROPERTY, value: fields.uid }];
  }
  return body;
}

function startOf(fields: SyncFields): string {
  const timing = fields.timing;
  return timing.allDay ? `${timing.startDate}T00:00:00.000` : graphDateTime(timing.start);
}

function endOf(fields: SyncFields): string {
  const timing = fields.timing;
  return timing.allDay ? `${timing.endDate}T00:00:00.000` : graphDateTime(timing.end);
}

function startMs(fields: SyncFields): number {
  const timing = fields.timing;
  return timing.allDay ? Date.parse(`${timing.startDate}T00:00:00Z`) : timing.start;
}

/** `null` (reminders not synchronized): the event's own reminder is left as it is. */
function reminderJson(fields: SyncFields): GraphJson {
  const reminder = fields.reminder;
  if (reminder === null) return {};
  if (reminder.kind === 'none') return { isReminderOn: false };
  const minutes =
    reminder.kind === 'before'
      ? reminder.minutes
      : Math.max(0, Math.round((startMs(fields) - reminder.at) / 60_000));
  return { isReminderOn: true, reminderMinutesBeforeStart: minutes };
}

function readReminder(json: GraphJson): Reminder {
  if (json['isReminderOn'] !== true) return { kind: 'none' };
  const minutes = Number(json['reminderMinutesBeforeStart'] ?? 0);
  return { kind: 'before', minutes: Number.isFinite(minutes) ? minutes : 0 };
}

/**
 * An all-day event starts and ends at midnight in the zone it was made in; read in UTC that
 * midnight can fall on the evening before (zones east of UTC) or the morning of (west). The
 * nearest UTC midnight is the date meant, for every zone between UTC-12 and UTC+12.
 */
function nearestDate(ms: number): CalendarDate {
  const midnight = Math.round(ms / DAY) * DAY;
  return new Date(midnight).toISOString().slice(0, 10) as CalendarDate;
}

function bodyText(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const content = (body as { content?: unknown }).content;
  // Outlook stores text bodies with CRLF line ends; the planning keeps LF.
  return typeof content === 'string' ? content.replace(/\r\n/g, '\n') : '';
}
