/**
 * End-to-end set-up for the synchronization tests: a real Ordo (SQLite or PostgreSQL), a
 * user with their resource, a fresh calendar on a real CalDAV server, the account pointing
 * at it, a worker whose requests are counted (and can be broken), and a "calendar user"
 * who edits the calendar with plain HTTP as any CalDAV client would.
 */
import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import type { TaskInput } from '../planning/task-input.js';
import type { Task, User } from '../planning/types.js';
import { ManualClock } from '../shared/clock.js';
import type { CalDavServer } from '../test-support/caldav-servers.js';
import { createTestOrdo, type TestDialect } from '../test-support/ordo.js';
import type { SyncRun } from './accounts.js';
import { createCalDavProvider } from './caldav/index.js';
import { syncOf } from './capability.js';
import type { RemoteItem, SyncFields, SyncWindow } from './provider.js';
import type { SyncWorker } from './worker.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 10 March 2025, 08:00 UTC. */
export const T0 = Date.UTC(2025, 2, 10, 8);
/** Wide enough for everything the tests put on the calendar. */
const READ_WINDOW: SyncWindow = { from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 1) };

export interface NetworkControl {
  /** Requests the worker's providers made. */
  count(): number;
  /** Requests by method, e.g. `{ REPORT: 1 }`. */
  methods(): Record<string, number>;
  reset(): void;
  /**
   * The next request of this method reaches the server, then the network goes down for the
   * worker (as a process dying there would see it) until `restore()`.
   */
  failAfter(method: string): void;
  restore(): void;
  /**
   * Requests of this method get this status without reaching the server (as from a proxy
   * refusing them) until `refuse(null)`.
   */
  refuse(method: string | null, status?: number): void;
}

export interface SyncKit {
  ordo: Ordo;
  clock: ManualClock;
  user: User;
  actor: Actor;
  resourceId: string;
  calendarUrl: string;
  worker: SyncWorker;
  net: NetworkControl;
  /** A run the user asked for ("Sync now"). */
  sync(): Promise<SyncRun>;
  /** A run the scheduler starts, the account being due now. */
  syncScheduled(): Promise<SyncRun>;
  /** A task of the user's resource, created in the planning by the user. */
  addTask(input: Partial<TaskInput> & Pick<TaskInput, 'label'>): Promise<Task>;
  tasks(): Promise<Task[]>;
  remote: CalendarUser;
  close(): Promise<void>;
}

export interface CalendarUser {
  items(): Promise<RemoteItem[]>;
  /** PUTs an object as a client would (a new href of its own). */
  put(name: string, ics: string): Promise<string>;
  putFields(name: string, fields: SyncFields): Promise<string>;
  /** Rewrites an item with changed fields (a plain PUT, as a client saving an edit). */
  edit(item: RemoteItem, patch: Partial<SyncFields>): Promise<void>;
  remove(ref: string): Promise<void>;
  /** The raw HTTP of the calendar user (with credentials). */
  request(method: string, url: string, body?: string): Promise<Response>;
}

export function at(dayOffset: number, hour: number, hours = 1) {
  const start = Date.UTC(2025, 2, 10) + dayOffset * DAY + hour * HOUR;
  return { allDay: false as const, start, end: start + hours * HOUR };
}

export async function createSyncKit(options: {
  dialect: TestDialect;
  server: CalDavServer;
  /** Group rights or access for the user; writable by default. */
  readOnly?: boolean;
  pastDays?: number | null;
  futureDays?: number;
}): Promise<SyncKit> {
  const clock = new ManualClock(T0);
  const ordo = await createTestOrdo({ dialect: options.dialect, clock });
  await ordo.settings.set('company.timeZone', 'UTC');
  const resource = await ordo.directory.createResource({ name: 'Alice', kind: 'human' });
  const user = await ordo.users.create({
    login: 'alice',
    password: 'alice-password-1',
    resourceId: resource.id,
    defaultAccess: options.readOnly ? 'read' : 'write',
  });
  const actor = await ordo.users.actorFor(user);
  const calendarUrl = await options.server.createCalendar();
  await syncOf(ordo).accounts.update(
    user.id,
    {
      enabled: true,
      pastDays: options.pastDays === undefined ? 7 : options.pastDays,
      futureDays: options.futureDays ?? 60,
      caldav: {
        calendarUrl,
        username: options.server.username ?? null,
        password: options.server.password ?? null,
      },
    },
    { hasResource: true },
  );
  const net = networkControl();
  const worker = syncOf(ordo).createWorker({ fetch: net.fetch });
  const remote = calendarUser(options.server, calendarUrl);

  return {
    ordo,
    clock,
    user,
    actor,
    resourceId: resource.id,
    calendarUrl,
    worker,
    net,
    remote,
    sync: () => worker.syncNow(user.id),
    syncScheduled: async () => {
      await ordo.store.db.updateTable('sync_accounts').set({ next_run_at: clock.now() }).execute();
      const [due] = await worker.runDue();
      if (!due) throw new Error('sync e2e kit: the account was not due');
      return due.run;
    },
    addTask: (input) =>
      ordo.tasks.create({
        actor,
        input: {
          timing: at(1, 10),
          resourceIds: [resource.id],
          clientId: null,
          remark: '',
          location: '',
          category: '',
          reminder: { kind: 'none' },
          private: false,
          ...input,
        },
      }),
    tasks: async () => {
      const rows = await ordo.store.db.selectFrom('tasks').select('id').execute();
      return Promise.all(rows.map((row) => ordo.tasks.get({ kind: 'system' }, row.id)));
    },
    close: () => ordo.close(),
  };
}

function networkControl(): NetworkControl & { fetch: typeof fetch } {
  let requests: string[] = [];
  let failing: string | null = null;
  let down = false;
  let refused: { method: string; status: number } | null = null;
  const counted: typeof fetch = async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    requests.push(method);
    if (down) throw new TypeError('fetch failed: the network is down');
    if (refused?.method === method) return new Response('Refused', { status: refused.status });
    const response = await fetch(input, init);
    if (failing === method) {
      failing = null;
      down = true;
      await response.arrayBuffer();
      throw new TypeError('fetch failed: the connection dropped after the server answered');
    }
    return response;
  };
  return {
    fetch: counted,
    count: () => requests.length,
    methods: () => {
      const byMethod: Record<string, number> = {};
      for (const method of requests) byMethod[method] = (byMethod[method] ?? 0) + 1;
      return byMethod;
    },
    reset: () => {
      requests = [];
    },
    failAfter: (method) => {
      failing = method;
    },
    restore: () => {
      down = false;
    },
    refuse: (method, status = 403) => {
      refused = method ? { method, status } : null;
    },
  };
}

function calendarUser(server: CalDavServer, calendarUrl: string): CalendarUser {
  const auth: Record<string, string> =
    server.username === undefined
      ? {}
      : {
          Authorization: `Basic ${Buffer.from(`${server.username}:${server.password ?? ''}`).toString('base64')}`,
        };
  const reader = createCalDavProvider({
    calendarUrl,
    username: server.username,
    password: server.password,
    timeZone: 'UTC',
  });
  const request = (method: string, url: string, body?: string) =>
    fetch(url, {
      method,
      headers: { ...auth, ...(body ? { 'Content-Type': 'text/calendar; charset=utf-8' } : {}) },
      body,
    });
  const put = async (name: string, ics: string) => {
    const url = new URL(name, calendarUrl).toString();
    const response = await request('PUT', url, ics);
    if (response.status >= 300) {
      throw new Error(`PUT ${url}: ${response.status} ${await response.text()}`);
    }
    return new URL(url).pathname;
  };
  return {
    items: async () => (await reader.listChanges(null, READ_WINDOW)).changed,
    put,
    putFields: (name, fields) => put(name, toIcs(fields)),
    edit: async (item, patch) => {
      await put(new URL(item.ref, calendarUrl).toString(), toIcs({ ...item.fields, ...patch }));
    },
    remove: async (ref) => {
      const response = await request('DELETE', new URL(ref, calendarUrl).toString());
      if (response.status >= 300 && response.status !== 404) {
        throw new Error(`DELETE ${ref}: ${response.status}`);
      }
    },
    request,
  };
}

/** An item as a plain client writes it (with LAST-MODIFIED and an alarm-free body). */
function toIcs(fields: SyncFields): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const date = (d: string) => d.replace(/-/g, '');
  const component = fields.kind === 'event' ? 'VEVENT' : 'VTODO';
  const timing = fields.timing.allDay
    ? [
        `DTSTART;VALUE=DATE:${date(fields.timing.startDate)}`,
        `${fields.kind === 'event' ? 'DTEND' : 'DUE'};VALUE=DATE:${date(fields.timing.endDate)}`,
      ]
    : [
        `DTSTART:${stamp(fields.timing.start)}`,
        `${fields.kind === 'event' ? 'DTEND' : 'DUE'}:${stamp(fields.timing.end)}`,
      ];
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Some calendar client//EN',
    `BEGIN:${component}`,
    `UID:${fields.uid}`,
    `DTSTAMP:${stamp(Date.now())}`,
    `SUMMARY:${escape(fields.label)}`,
    ...timing,
    ...(fields.remark ? [`DESCRIPTION:${escape(fields.remark)}`] : []),
    ...(fields.private ? ['CLASS:PRIVATE'] : []),
    `END:${component}`,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function escape(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

/** Fields of a new calendar-side event. */
export function eventFields(uid: string, label: string, timing = at(2, 9)): SyncFields {
  return {
    kind: 'event',
    uid,
    label,
    timing,
    remark: '',
    reminder: { kind: 'none' },
    private: false,
    recurring: false,
  };
}
