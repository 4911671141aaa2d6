/**
 * Real calendars for the sync engine's property tests: a fresh collection on a CalDAV server
 * (Radicale, Xandikos) or a fresh calendar and To Do list on the Graph stand-in, each with
 * - the provider under test, on a network that counts writes and injects faults (503s, an
 *   answer lost after the server acted, the process dying right after a write);
 * - a calendar user who edits with plain HTTP as any other client would (raw PUT and DELETE
 *   of iCalendar, raw POST, PATCH and DELETE of Graph JSON), never through the provider;
 * - an observer that reads everything the calendar holds, on its own undisturbed network.
 */
import { randomUUID } from 'node:crypto';

import type { Reminder } from '../planning/types.js';
import { createCalDavProvider } from '../sync/caldav/index.js';
import { decodeCursor, encodeCursor } from '../sync/caldav/caldav-cursor.js';
import { createGraphProvider } from '../sync/graph/index.js';
import type { GraphStandIn } from '../sync/graph/graph-stand-in.js';
import type { CalendarProvider, RemoteItem, SyncFields, SyncWindow } from '../sync/provider.js';
import type { CalDavServer } from './caldav-servers.js';

/** Wide enough for every item the tests make. */
const EVERYTHING: SyncWindow = { from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 1) };
const READS = new Set(['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'REPORT']);
const noWait = async () => {};

export interface NetworkFaults {
  /** The n-th request from now answers 503 without reaching the server, `times` in a row. */
  unavailable: { at: number; times: number } | null;
  /** The n-th write from now reaches the server, but the answer is lost: a 503 instead. */
  lostAnswer: number | null;
  /**
   * The n-th write from now reaches the server, then the network is gone until `clear()`:
   * the engine never learns the write succeeded, as when the process dies right after it.
   */
  crashAfterWrite: number | null;
}

export interface FaultyNetwork {
  fetch: typeof fetch;
  /** Write requests (anything but GET, HEAD, OPTIONS, PROPFIND, REPORT) that were sent. */
  writes(): number;
  requests(): number;
  inject(faults: Partial<NetworkFaults>): void;
  /** No more faults; the network is up again. */
  clear(): void;
}

export function faultyNetwork(): FaultyNetwork {
  let faults: NetworkFaults = { unavailable: null, lostAnswer: null, crashAfterWrite: null };
  let writes = 0;
  let requests = 0;
  let down = false;
  let requestsSince = 0;
  let writesSince = 0;

  const faulty: typeof fetch = async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const write = !READS.has(method);
    if (down) throw new TypeError('fetch failed: the process stopped');
    requests += 1;
    requestsSince += 1;
    const busy = faults.unavailable;
    if (busy && requestsSince >= busy.at && requestsSince < busy.at + busy.times) {
      return new Response('busy', { status: 503 });
    }
    if (write) {
      writes += 1;
      writesSince += 1;
    }
    const response = await fetch(input, init);
    if (write && writesSince === faults.lostAnswer) {
      await response.arrayBuffer();
      return new Response('gateway timeout', { status: 503 });
    }
    if (write && writesSince === faults.crashAfterWrite) {
      await response.arrayBuffer();
      down = true;
      throw new TypeError('fetch failed: the process stopped');
    }
    return response;
  };

  return {
    fetch: faulty,
    writes: () => writes,
    requests: () => requests,
    inject(next) {
      faults = { ...faults, ...next };
      requestsSince = 0;
      writesSince = 0;
    },
    clear() {
      faults = { unavailable: null, lostAnswer: null, crashAfterWrite: null };
      down = false;
    },
  };
}

/** A user of the calendar, editing with another client. */
export interface CalendarUser {
  create(fields: Omit<SyncFields, 'uid'>): Promise<void>;
  edit(item: RemoteItem, patch: Partial<Omit<SyncFields, 'uid' | 'kind'>>): Promise<void>;
  remove(item: RemoteItem): Promise<void>;
}

export interface RealCalendar {
  provider: CalendarProvider;
  net: FaultyNetwork;
  user: CalendarUser;
  /** Everything the calendar holds, read on an undisturbed network. */
  items(): Promise<RemoteItem[]>;
  /** The next listing from this cursor must start over (Radicale's 30-day token expiry). */
  expire(cursor: string | null): string | null;
  /** The fields as this calendar can hold them (what the engine's hashes can absorb). */
  asHeld(fields: SyncFields): SyncFields;
}

// ---------------------------------------------------------------- CalDAV

export async function caldavCalendar(server: CalDavServer): Promise<RealCalendar> {
  const calendarUrl = await server.createCalendar();
  const net = faultyNetwork();
  const options = {
    calendarUrl,
    username: server.username,
    password: server.password,
    timeZone: 'UTC',
  };
  const provider = createCalDavProvider({ ...options, fetch: net.fetch, sleep: noWait });
  const observer = createCalDavProvider(options);
  const auth: Record<string, string> =
    server.username === undefined
      ? {}
      : {
          Authorization: `Basic ${Buffer.from(`${server.username}:${server.password ?? ''}`).toString('base64')}`,
        };
  const send = async (method: string, url: string, body?: string) => {
    const response = await fetch(url, {
      method,
      headers: { ...auth, ...(body ? { 'Content-Type': 'text/calendar; charset=utf-8' } : {}) },
      body,
    });
    const text = await response.text();
    if (response.status >= 300 && response.status !== 404) {
      throw new Error(`calendar user: ${method} ${url} answered ${response.status}: ${text}`);
    }
  };

  return {
    provider,
    net,
    user: {
      create: (fields) =>
        send('PUT', new URL(`${randomUUID()}.ics`, calendarUrl).toString(), foreignIcs(fields)),
      edit: (item, patch) =>
        send(
          'PUT',
          new URL(item.ref, calendarUrl).toString(),
          foreignIcs({ ...item.fields, ...patch }),
        ),
      remove: (item) => send('DELETE', new URL(item.ref, calendarUrl).toString()),
    },
    items: async () => (await observer.listChanges(null, EVERYTHING)).changed,
    expire: (cursor) => {
      const decoded = decodeCursor(cursor);
      if (!decoded?.token) return cursor;
      // A token of the right shape the server never issued: Radicale answers 403, Xandikos 500.
      const forged = decoded.token.replace(/[0-9a-f]{8}$/, '00000000');
      return encodeCursor({ ...decoded, token: forged });
    },
    asHeld: (fields) => fields,
  };
}

/** An object as another client writes it: its own PRODID, LAST-MODIFIED, an alarm. */
function foreignIcs(fields: Omit<SyncFields, 'uid'> & { uid?: string }): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const date = (d: string) => d.replace(/-/g, '');
  const component = fields.kind === 'event' ? 'VEVENT' : 'VTODO';
  const endName = fields.kind === 'event' ? 'DTEND' : 'DUE';
  const timing = fields.timing.allDay
    ? [
        `DTSTART;VALUE=DATE:${date(fields.timing.startDate)}`,
        `${endName};VALUE=DATE:${date(fields.timing.endDate)}`,
      ]
    : [`DTSTART:${stamp(fields.timing.start)}`, `${endName}:${stamp(fields.timing.end)}`];
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Another calendar client//EN',
    `BEGIN:${component}`,
    `UID:${fields.uid ?? `${randomUUID()}@client.example`}`,
    `DTSTAMP:${stamp(Date.now())}`,
    `LAST-MODIFIED:${stamp(Date.now())}`,
    `SUMMARY:${escapeText(fields.label)}`,
    ...timing,
    ...(fields.remark ? [`DESCRIPTION:${escapeText(fields.remark)}`] : []),
    ...(fields.private ? ['CLASS:PRIVATE'] : []),
    ...(fields.recurring ? ['RRULE:FREQ=WEEKLY;COUNT=3'] : []),
    ...alarm(fields.reminder),
    `END:${component}`,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function alarm(reminder: Reminder | null): string[] {
  if (!reminder || reminder.kind === 'none') return [];
  const trigger =
    reminder.kind === 'before'
      ? `TRIGGER:-PT${reminder.minutes}M`
      : `TRIGGER;VALUE=DATE-TIME:${new Date(reminder.at).toISOString().replace(/[-:]|\.\d{3}/g, '')}`;
  return ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', trigger, 'END:VALARM'];
}

function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

// ---------------------------------------------------------------- Microsoft Graph

export function graphCalendar(standIn: GraphStandIn): RealCalendar {
  const token = standIn.issueAccessToken();
  const calendarId = `property-${randomUUID()}`;
  const todoListId = standIn.addTaskList(`Property ${calendarId}`);
  const net = faultyNetwork();
  const options = {
    baseUrl: standIn.graphUrl,
    getAccessToken: async () => token,
    calendarId,
    todoListId,
  };
  const provider = createGraphProvider({ ...options, fetch: net.fetch, sleep: noWait });
  const observer = createGraphProvider(options);
  const listPath = `/me/todo/lists/${encodeURIComponent(todoListId)}/tasks`;
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${standIn.graphUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Prefer: 'outlook.timezone="UTC", IdType="ImmutableId"',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (response.status >= 300 && response.status !== 404) {
      throw new Error(`calendar user: ${method} ${path} answered ${response.status}: ${text}`);
    }
  };
  const pathOf = (ref: string) =>
    ref.startsWith('todo:')
      ? `${listPath}/${encodeURIComponent(ref.slice('todo:'.length))}`
      : `/me/events/${encodeURIComponent(ref)}`;

  return {
    provider,
    net,
    user: {
      async create(fields) {
        if (fields.kind === 'todo') return send('POST', listPath, outlookTask(fields));
        // The stand-in's POST ignores `recurrence`: a series is seeded as Outlook shows one.
        if (fields.recurring) {
          const { start, end } = instants(fields);
          standIn.addEvent({ subject: fields.label, start, end, type: 'seriesMaster', calendarId });
          return;
        }
        return send('POST', `/me/calendars/${encodeURIComponent(calendarId)}/events`, {
          ...outlookEvent(fields),
          sensitivity: fields.private ? 'private' : 'normal',
        });
      },
      edit: (item, patch) => {
        const fields = { ...item.fields, ...patch };
        const body = fields.kind === 'todo' ? outlookTask(fields) : outlookEvent(fields);
        return send('PATCH', pathOf(item.ref), body);
      },
      remove: (item) => send('DELETE', pathOf(item.ref)),
    },
    items: async () => (await observer.listChanges(null, EVERYTHING)).changed,
    expire: (cursor) => {
      standIn.expireDeltaTokens();
      return cursor;
    },
    asHeld: (fields) => {
      const start = instants(fields).start;
      // A To Do task has no sensitivity, and keeps its reminder as a date-time.
      const reminder: Reminder | null =
        fields.reminder?.kind === 'before'
          ? { kind: 'at', at: start - fields.reminder.minutes * 60_000 }
          : fields.reminder;
      if (fields.kind === 'todo') return { ...fields, private: false, reminder };
      return {
        ...fields,
        reminder:
          reminder?.kind === 'at'
            ? { kind: 'before', minutes: Math.round((start - reminder.at) / 60_000) }
            : reminder,
      };
    },
  };
}

function instants(fields: Pick<SyncFields, 'timing'>): { start: number; end: number } {
  const timing = fields.timing;
  if (!timing.allDay) return { start: timing.start, end: timing.end };
  return {
    start: Date.parse(`${timing.startDate}T00:00:00Z`),
    end: Date.parse(`${timing.endDate}T00:00:00Z`),
  };
}

function graphTime(ms: number): { dateTime: string; timeZone: string } {
  return { dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: 'UTC' };
}

/** An event as Outlook's own PATCH or POST carries it (no transactionId, no UID property). */
function outlookEvent(fields: Omit<SyncFields, 'uid'>): Record<string, unknown> {
  const { start, end } = instants(fields);
  const reminder = fields.reminder ?? { kind: 'none' };
  return {
    subject: fields.label,
    body: { contentType: 'text', content: fields.remark },
    start: graphTime(start),
    end: graphTime(end),
    isAllDay: fields.timing.allDay,
    isReminderOn: reminder.kind !== 'none',
    ...(reminder.kind === 'before' ? { reminderMinutesBeforeStart: reminder.minutes } : {}),
  };
}

/** A To Do task as the To Do app makes it (no linkedResources). */
function outlookTask(fields: Omit<SyncFields, 'uid'>): Record<string, unknown> {
  const { start, end } = instants(fields);
  const reminder = fields.reminder ?? { kind: 'none' };
  const at = reminder.kind === 'before' ? start - reminder.minutes * 60_000 : null;
  return {
    title: fields.label,
    body: { contentType: 'text', content: fields.remark },
    startDateTime: graphTime(start),
    dueDateTime: graphTime(end),
    isReminderOn: at !== null,
    ...(at !== null ? { reminderDateTime: graphTime(at) } : {}),
    ...(fields.recurring ? { recurrence: { pattern: { type: 'weekly', interval: 1 } } } : {}),
  };
}
