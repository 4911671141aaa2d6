/**
 * A local stand-in for the parts of Microsoft Graph and the Microsoft identity platform that
 * Ordo uses, on node:http (port 0), for tests and the benchmark. Each behaviour names the
 * documentation page it follows; where the documentation is silent, the choice is said.
 *
 * Graph (under /v1.0):
 * - calendarView delta: https://learn.microsoft.com/graph/api/event-delta and
 *   https://learn.microsoft.com/graph/delta-query-events — startDateTime/endDateTime on the
 *   first call, pages linked by `@odata.nextLink` ($skiptoken), the last page carrying
 *   `@odata.deltaLink` ($deltatoken); page size from `Prefer: odata.maxpagesize`; the window
 *   is frozen in the token; removed events as `{ id, "@removed": { reason } }` with reason
 *   "deleted", or "changed" when the event still exists but left the window.
 *   `$expand` on calendarView delta is refused (reported by users: microsoft-graph-docs
 *   issue 2270, msgraph-sdk-dotnet issue 2678), so delta entries never carry extended
 *   properties.
 * - Expired tokens: https://learn.microsoft.com/graph/delta-query-overview ("Synchronization
 *   reset"): 410 Gone with error code syncStateNotFound (switchable: `expireDeltaTokens`).
 * - Events: create https://learn.microsoft.com/graph/api/user-post-events (201, the event);
 *   `transactionId` (event resource) — a second POST with a transactionId already used
 *   answers the existing event, unchanged (the page says the server avoids the redundant
 *   create; the status it answers is not documented: 201 is our choice); get with
 *   `$expand=singleValueExtendedProperties($filter=id eq '…')`
 *   (https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get);
 *   update https://learn.microsoft.com/graph/api/event-update and delete
 *   https://learn.microsoft.com/graph/api/event-delete honour If-Match with the
 *   `@odata.etag` (412 on a stale one, https://learn.microsoft.com/graph/errors); a missing
 *   item answers 404 ErrorItemNotFound. ETags are `W/"<changeKey>"`, new on every change.
 * - Immutable ids: https://learn.microsoft.com/graph/outlook-immutable-id — ids never change
 *   (`moveEvent` moves an event to another calendar keeping its id). Requests without
 *   `Prefer: IdType="ImmutableId"` or `outlook.timezone="UTC"` are counted (`stats`).
 * - To Do: https://learn.microsoft.com/graph/api/todotask-delta (same paging and removal
 *   shape), create https://learn.microsoft.com/graph/api/todotasklist-post-tasks with
 *   linkedResources in the body, https://learn.microsoft.com/graph/api/resources/linkedresource;
 *   tasks listed with `$expand=linkedResources`; ETags as for events. Not documented, our
 *   assumption: tasks found by `$filter=linkedResources/any(r: r/externalId eq '…')`
 *   (`refuseLinkedFilter` makes it answer 400, as a service without it would).
 * - sendMail: https://learn.microsoft.com/graph/api/user-sendmail — 202 Accepted, no body;
 *   400 ErrorInvalidRecipients without a recipient. The MIME form
 *   (https://learn.microsoft.com/graph/outlook-send-mime-message): a `text/plain` body holding
 *   the base64 of the message, recipients from its To, Cc and Bcc lines; a body that is not
 *   base64 answers 400 ErrorMimeContentInvalidBase64String. `failSendMail` makes the next
 *   sendMail answer an error of the test's choice (Exchange's refusals cannot be derived).
 * - Throttling: https://learn.microsoft.com/graph/throttling — 429 TooManyRequests with
 *   Retry-After (seconds), switchable (`throttle`); requests in flight are counted
 *   (https://learn.microsoft.com/graph/throttling-limits: 4 concurrent per mailbox).
 *
 * Identity platform (under /{tenant}):
 * - /v2.0/.well-known/openid-configuration (OpenID Connect discovery, what MSAL reads).
 * - /oauth2/v2.0/authorize and /oauth2/v2.0/token with PKCE:
 *   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow — the
 *   code is bound to its code_challenge (S256) and redirect_uri; refresh_token grant; a
 *   revoked consent answers 400 invalid_grant (AADSTS65001 / interaction required).
 * - /oauth2/v2.0/devicecode: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-
 * code
 *   — authorization_pending until the user code is approved (`approveDeviceCode`).
 * - client_credentials grant on /oauth2/v2.0/token:
 *   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow —
 *   client_id and client_secret (form fields or HTTP Basic), scope ending in `/.default`;
 *   answers token_type, expires_in, ext_expires_in and access_token, no refresh token. An
 *   unknown client or a wrong secret answers 400 invalid_client (AADSTS700016 / AADSTS7000215),
 *   a scope without `/.default` 400 invalid_scope (AADSTS1002012). Applications and their
 *   secrets are registered with `registerApp`.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

interface Span {
  start: number;
  end: number;
}

interface StoredEvent {
  id: string;
  calendarId: string;
  subject: string;
  body: string;
  start: number;
  end: number;
  isAllDay: boolean;
  sensitivity: string;
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  type: string;
  seriesMasterId: string | null;
  transactionId: string | null;
  iCalUId: string;
  properties: Map<string, string>;
  changeKey: string;
  created: number;
  modified: number;
}

interface StoredTask {
  id: string;
  listId: string;
  title: string;
  body: string;
  start: number | null;
  due: number | null;
  reminder: number | null;
  isReminderOn: boolean;
  recurrence: Json | null;
  linkedResources: Json[];
  changeKey: string;
  created: number;
  modified: number;
}

interface LogEntry {
  seq: number;
  collection: string;
  id: string;
  /** Span before the change (`null`: did not exist); todo items use a span that is always in. */
  before: Span | null;
}

interface DeltaState {
  collection: string;
  window: Span | null;
  seq: number;
}

interface PageState {
  entries: Json[];
  next: DeltaState;
  basePath: string;
}

export interface StandInStats {
  requests: number;
  byRoute: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  /** Graph requests that lacked the UTC or immutable-id Prefer value. */
  missingPrefer: number;
  tokenGrants: Record<string, number>;
}

export interface SentMail {
  mailbox: string;
  /** The JSON request body (`{}` for the MIME form). */
  body: Json;
  /** The MIME form: the message as it was decoded from the base64 body. */
  mime?: string;
}

export interface SendMailFailure {
  status: number;
  code: string;
  message: string;
}

export interface GraphStandInOptions {
  /** The origin MSAL is told (an https authority); tests map it onto this server. */
  loginOrigin?: string;
  /** Delay before each Graph answer, so concurrent requests overlap (ms). */
  latencyMs?: number;
  /** Lifetime of issued access tokens (s). */
  tokenLifetimeSeconds?: number;
  /** Seconds between device-code polls the client is told. */
  deviceCodeInterval?: number;
}

export interface GraphStandIn {
  readonly url: string;
  /** `${url}/v1.0`, the base URL a provider is given. */
  readonly graphUrl: string;
  readonly stats: StandInStats;
  readonly sentMail: SentMail[];
  /** An access token the Graph routes accept. */
  issueAccessToken(): string;
  /** The next `count` Graph requests answer `status` (429) with Retry-After when given. */
  throttle(count: number, retryAfterSeconds: number | null, status?: number): void;
  /** Task listings refuse the linkedResources filter with 400 (a service without it). */
  refuseLinkedFilter(refuse: boolean): void;
  /** Every delta token issued so far becomes unknown: the next use answers 410. */
  expireDeltaTokens(): void;
  /** Seeds an event as Outlook would make it (no transactionId, no extended property). */
  addEvent(input: OutlookEventInput): string;
  /** Edits an event as a user in Outlook would. */
  editEvent(id: string, changes: Partial<OutlookEventInput>): void;
  removeEvent(id: string): void;
  /** Moves an event to another calendar: its immutable id stays. */
  moveEvent(id: string, calendarId: string): void;
  addTaskList(name: string): string;
  eventCount(): number;
  /** Approves a device code's user code, as the user would on the verification page. */
  approveDeviceCode(userCode: string): void;
  /** The user withdrew consent: refresh tokens answer invalid_grant. */
  revokeConsent(): void;
  /** An application that may use the client credentials grant with this secret. */
  registerApp(clientId: string, clientSecret: string): void;
  /** The next `count` sendMail calls answer this error instead of 202. */
  failSendMail(failure: SendMailFailure, count?: number): void;
  resetStats(): void;
  close(): Promise<void>;
}

export interface OutlookEventInput {
  subject: string;
  start: number;
  end: number;
  isAllDay?: boolean;
  body?: string;
  sensitivity?: string;
  type?: string;
  seriesMasterId?: string | null;
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  calendarId?: string;
}

const DEFAULT_CALENDAR = 'default';
const TASK_LIST_SPAN: Span = { start: -Infinity, end: Infinity };

export async function startGraphStandIn(options: GraphStandInOptions = {}): Promise<GraphStandIn> {
  const state = createState(options);
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      send(res, 500, { error: { code: 'InternalServerError', message: String(error) } });
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${port}`;

  return {
    url: state.origin,
    graphUrl: `${state.origin}/v1.0`,
    stats: state.stats,
    sentMail: state.sentMail,
    issueAccessToken: () => issueAccess(state),
    throttle(count, retryAfterSeconds, status = 429) {
      state.throttle = { count, retryAfterSeconds, status };
    },
    expireDeltaTokens: () => state.tokens.clear(),
    refuseLinkedFilter(refuse) {
      state.refuseLinkedFilter = refuse;
    },
    addEvent: (input) => insertEvent(state, input, null, new Map()).id,
    editEvent(id, changes) {
      const event = mustEvent(state, id);
      const before = spanOf(event);
      Object.assign(event, definedOnly(changes));
      touch(state, event, 'events', before);
    },
    removeEvent(id) {
      const event = mustEvent(state, id);
      state.events.delete(id);
      logChange(state, collectionOf(event), id, spanOf(event));
    },
    moveEvent(id, calendarId) {
      const event = mustEvent(state, id);
      const before = spanOf(event);
      logChange(state, collectionOf(event), id, before);
      event.calendarId = calendarId;
      touch(state, event, 'events', null);
    },
    addTaskList(name) {
      const id = newId('list');
      state.lists.set(id, { name, tasks: new Map() });
      return id;
    },
    eventCount: () => state.events.size,
    approveDeviceCode(userCode) {
      for (const grant of state.deviceCodes.values()) {
        if (grant.userCode === userCode) grant.approved = true;
      }
    },
    revokeConsent: () => state.refreshTokens.clear(),
    registerApp(clientId, clientSecret) {
      state.apps.set(clientId, clientSecret);
    },
    failSendMail(failure, count = 1) {
      state.sendMailFailure = { ...failure, count };
    },
    resetStats() {
      Object.assign(state.stats, {
        requests: 0,
        byRoute: {},
        maxInFlight: state.stats.inFlight,
        missingPrefer: 0,
        tokenGrants: {},
      });
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

type State = ReturnType<typeof createState>;

function createState(options: GraphStandInOptions) {
  return {
    options,
    origin: '',
    events: new Map<string, StoredEvent>(),
    transactions: new Map<string, string>(),
    lists: new Map<string, { name: string; tasks: Map<string, StoredTask> }>(),
    log: [] as LogEntry[],
    seq: 0,
    tokens: new Map<string, DeltaState>(),
    pages: new Map<string, PageState>(),
    refuseLinkedFilter: false,
    throttle: null as { count: number; retryAfterSeconds: number | null; status: number } | null,
    stats: {
      requests: 0,
      byRoute: {},
      inFlight: 0,
      maxInFlight: 0,
      missingPrefer: 0,
      tokenGrants: {},
    } as StandInStats,
    sentMail: [] as SentMail[],
    sendMailFailure: null as (SendMailFailure & { count: number }) | null,
    apps: new Map<string, string>(),
    accessTokens: new Set<string>(),
    refreshTokens: new Map<string, { clientId: string; scope: string }>(),
    codes: new Map<
      string,
      { clientId: string; challenge: string; redirectUri: string; scope: string }
    >(),
    deviceCodes: new Map<
      string,
      { userCode: string; clientId: string; scope: string; approved: boolean }
    >(),
  };
}

// ---------------------------------------------------------------- routing

async function handle(state: State, req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', state.origin);
  const body = await readBody(req);
  if (url.pathname.startsWith('/v1.0/')) return graph(state, { req, res, url, body });
  return identity(state, { req, res, url, body });
}

interface Call {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  body: string;
}

async function graph(state: State, call: Call): Promise<void> {
  const { req, res } = call;
  state.stats.requests += 1;
  state.stats.inFlight += 1;
  state.stats.maxInFlight = Math.max(state.stats.maxInFlight, state.stats.inFlight);
  try {
    if (state.options.latencyMs) await delay(state.options.latencyMs);
    const prefer = String(req.headers['prefer'] ?? '');
    if (!/outlook\.timezone="UTC"/i.test(prefer) || !/IdType="ImmutableId"/i.test(prefer)) {
      state.stats.missingPrefer += 1;
    }
    const bearer = /^Bearer (.+)$/.exec(String(req.headers['authorization'] ?? ''))?.[1];
    if (!bearer || !state.accessTokens.has(bearer)) {
      return send(res, 401, graphErr('InvalidAuthenticationToken', 'Access token is empty.'));
    }
    if (state.throttle && state.throttle.count > 0) {
      state.throttle.count -= 1;
      const headers: Record<string, string> = {};
      if (state.throttle.retryAfterSeconds !== null) {
        headers['Retry-After'] = String(state.throttle.retryAfterSeconds);
      }
      const code = state.throttle.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable';
      return send(res, state.throttle.status, graphErr(code, 'Please retry later.'), headers);
    }
    route(state, call);
  } finally {
    state.stats.inFlight -= 1;
  }
}

function route(state: State, call: Call): void {
  const path = call.url.pathname.slice('/v1.0'.length);
  const method = call.req.method ?? 'GET';
  const count = (name: string) => {
    state.stats.byRoute[name] = (state.stats.byRoute[name] ?? 0) + 1;
  };
  let m: RegExpExecArray | null;

  if ((m = /^\/me(?:\/calendars\/([^/]+))?\/calendarView\/delta$/.exec(path)) && method === 'GET') {
    count('calendarView.delta');
    return eventDelta(state, call, calendarOf(m[1]));
  }
  if ((m = /^\/me(?:\/calendars\/([^/]+))?\/events$/.exec(path))) {
    count(`events.${method}`);
    if (method === 'POST') return createEvent(state, call, calendarOf(m[1]));
    if (method === 'GET') return listEvents(state, call, calendarOf(m[1]));
  }
  if ((m = /^\/me\/events\/([^/]+)$/.exec(path))) {
    count(`event.${method}`);
    return oneEvent(state, call, decodeURIComponent(m[1]!));
  }
  if ((m = /^\/me\/todo\/lists\/([^/]+)\/tasks\/delta$/.exec(path)) && method === 'GET') {
    count('tasks.delta');
    return taskDelta(state, call, decodeURIComponent(m[1]!));
  }
  if ((m = /^\/me\/todo\/lists\/([^/]+)\/tasks$/.exec(path))) {
    count(`tasks.${method}`);
    const list = state.lists.get(decodeURIComponent(m[1]!));
    if (!list) return send(call.res, 404, graphErr('ErrorItemNotFound', 'No such list.'));
    if (method === 'POST') return createTask(state, call, decodeURIComponent(m[1]!));
    if (method === 'GET') return listTasks(state, call, decodeURIComponent(m[1]!));
  }
  if ((m = /^\/me\/todo\/lists\/([^/]+)\/tasks\/([^/]+)$/.exec(path))) {
    count(`task.${method}`);
    return oneTask(state, call, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
  }
  if ((m = /^\/(?:me|users\/([^/]+))\/sendMail$/.exec(path)) && method === 'POST') {
    count('sendMail');
    return sendMail(state, call, m[1] ? decodeURIComponent(m[1]) : 'me');
  }
  send(call.res, 400, graphErr('BadRequest', `Unsupported ${method} ${path}`));
}

function calendarOf(segment: string | undefined): string {
  return segment ? decodeURIComponent(segment) : DEFAULT_CALENDAR;
}

// ---------------------------------------------------------------- delta

function eventDelta(state: State, call: Call, calendarId: string): void {
  const query = call.url.searchParams;
  if (query.has('$expand')) {
    return send(call.res, 400, graphErr('BadRequest', 'Parsing OData Select and Expand failed'));
  }
  const basePath = call.url.pathname;
  const collection = `calendar:${calendarId}`;
  const continued = continueRound(state, call, basePath);
  if (continued !== 'initial') return;

  const from = Date.parse(String(query.get('startDateTime')));
  const to = Date.parse(String(query.get('endDateTime')));
  if (Number.isNaN(from) || Number.isNaN(to)) {
    return send(
      call.res,
      400,
      graphErr('ErrorInvalidParameter', 'startDateTime and endDateTime are required'),
    );
  }
  const window = { start: from, end: to };
  const entries = [...state.events.values()]
    .filter((event) => event.calendarId === calendarId && overlaps(spanOf(event), window))
    .map((event) => eventJson(event, false));
  startPages(state, call, { entries, basePath, next: { collection, window, seq: state.seq } });
}

function taskDelta(state: State, call: Call, listId: string): void {
  const list = state.lists.get(listId);
  if (!list) return send(call.res, 404, graphErr('ErrorItemNotFound', 'No such list.'));
  const basePath = call.url.pathname;
  const continued = continueRound(state, call, basePath);
  if (continued !== 'initial') return;
  const entries = [...list.tasks.values()].map((task) => taskJson(task, false));
  startPages(state, call, {
    entries,
    basePath,
    next: { collection: `list:${listId}`, window: null, seq: state.seq },
  });
}

/** Serves a $skiptoken page or a $deltatoken round; 'initial' when the call has neither. */
function continueRound(state: State, call: Call, basePath: string): 'initial' | 'done' {
  const query = call.url.searchParams;
  const skip = query.get('$skiptoken');
  const delta = query.get('$deltatoken');
  if (skip !== null) {
    const page = state.pages.get(skip);
    if (!page) {
      send(call.res, 410, graphErr('syncStateNotFound', 'The sync state is not found.'));
      return 'done';
    }
    state.pages.delete(skip);
    servePage(state, call, page);
    return 'done';
  }
  if (delta !== null) {
    const token = state.tokens.get(delta);
    if (!token) {
      send(call.res, 410, graphErr('syncStateNotFound', 'The sync state generation is not found.'));
      return 'done';
    }
    const entries = changesSince(state, token);
    startPages(state, call, { entries, basePath, next: { ...token, seq: state.seq } });
    return 'done';
  }
  return 'initial';
}

function changesSince(state: State, token: DeltaState): Json[] {
  const firstBefore = new Map<string, Span | null>();
  for (const entry of state.log) {
    if (entry.seq <= token.seq || entry.collection !== token.collection) continue;
    if (!firstBefore.has(entry.id)) firstBefore.set(entry.id, entry.before);
  }
  const entries: Json[] = [];
  const window = token.window ?? TASK_LIST_SPAN;
  for (const [id, before] of firstBefore) {
    const current = currentOf(state, token.collection, id);
    const wasIn = before !== null && overlaps(before, window);
    const isIn = current !== null && overlaps(current.span, window);
    if (isIn) entries.push(current!.json);
    else if (wasIn && current === null) entries.push(removed(id, 'deleted'));
    else if (wasIn) entries.push(removed(id, 'changed'));
  }
  return entries;
}

function currentOf(
  state: State,
  collection: string,
  id: string,
): { span: Span; json: Json } | null {
  if (collection.startsWith('calendar:')) {
    const event = state.events.get(id);
    if (!event || `calendar:${event.calendarId}` !== collection) return null;
    return { span: spanOf(event), json: eventJson(event, false) };
  }
  const task = state.lists.get(collection.slice('list:'.length))?.tasks.get(id);
  return task ? { span: TASK_LIST_SPAN, json: taskJson(task, false) } : null;
}

function removed(id: string, reason: string): Json {
  return { '@odata.type': '#microsoft.graph.event', id, '@removed': { reason } };
}

function startPages(state: State, call: Call, page: PageState): void {
  servePage(state, call, page);
}

function servePage(state: State, call: Call, page: PageState): void {
  const size = pageSizeOf(call);
  const value = page.entries.slice(0, size);
  const rest = page.entries.slice(size);
  const link = `${state.origin}${page.basePath}`;
  const body: Json = {
    '@odata.context': `${state.origin}/v1.0/$metadata#Collection(event)`,
    value,
  };
  if (rest.length > 0) {
    const skip = randomToken();
    state.pages.set(skip, { ...page, entries: rest });
    body['@odata.nextLink'] = `${link}?$skiptoken=${skip}`;
  } else {
    const delta = randomToken();
    state.tokens.set(delta, page.next);
    body['@odata.deltaLink'] = `${link}?$deltatoken=${delta}`;
  }
  send(call.res, 200, body);
}

function pageSizeOf(call: Call): number {
  const prefer = String(call.req.headers['prefer'] ?? '');
  const asked = /odata\.maxpagesize=(\d+)/.exec(prefer)?.[1];
  // Without the preference the service picks a size; ten is a small one that makes paging show.
  return Math.max(1, Math.min(1000, Number(asked ?? 10)));
}

// ---------------------------------------------------------------- events

function createEvent(state: State, call: Call, calendarId: string): void {
  const input = parseJson(call.body);
  const transactionId = typeof input['transactionId'] === 'string' ? input['transactionId'] : null;
  if (transactionId) {
    const existing = state.events.get(state.transactions.get(transactionId) ?? '');
    if (existing) return send(call.res, 201, eventJson(existing, false));
  }
  const parsed = parseEventInput(input, null);
  if ('error' in parsed) return send(call.res, 400, graphErr('ErrorInvalidRequest', parsed.error));

  const properties = new Map<string, string>();
  for (const property of (input['singleValueExtendedProperties'] as Json[] | undefined) ?? []) {
    properties.set(String(property['id']).toLowerCase(), String(property['value']));
  }
  const event = insertEvent(state, { ...parsed.value, calendarId }, transactionId, properties);
  if (transactionId) state.transactions.set(transactionId, event.id);
  send(call.res, 201, eventJson(event, false));
}

function listEvents(state: State, call: Call, calendarId: string): void {
  const query = call.url.searchParams;
  const skip = Number(query.get('$skip') ?? 0);
  const top = Math.min(1000, Number(query.get('$top') ?? 10));
  const filter = query.get('$filter');
  let events = [...state.events.values()].filter((event) => event.calendarId === calendarId);
  if (filter) {
    const range = /^end\/dateTime gt '([^']+)' and start\/dateTime lt '([^']+)'$/.exec(filter);
    if (!range) return send(call.res, 400, graphErr('ErrorInvalidUrlQueryFilter', filter));
    const window = { start: parseUtc(range[1]!), end: parseUtc(range[2]!) };
    events = events.filter((event) => overlaps(spanOf(event), window));
  }
  const expandId = expandedPropertyId(query.get('$expand'));
  const page = events.slice(skip, skip + top);
  const body: Json = {
    value: page.map((event) => selected(eventJson(event, false, expandId), query.get('$select'))),
  };
  if (skip + top < events.length) {
    const next = new URL(call.url.toString());
    next.searchParams.set('$skip', String(skip + top));
    body['@odata.nextLink'] = `${state.origin}${next.pathname}${next.search}`;
  }
  send(call.res, 200, body);
}

function oneEvent(state: State, call: Call, id: string): void {
  const event = state.events.get(id);
  if (!event)
    return send(
      call.res,
      404,
      graphErr('ErrorItemNotFound', 'The specified object was not found in the store.'),
    );
  const method = call.req.method;
  if (method === 'GET') {
    const expandId = expandedPropertyId(call.url.searchParams.get('$expand'));
    return send(call.res, 200, eventJson(event, false, expandId));
  }
  const ifMatch = call.req.headers['if-match'];
  if (ifMatch && ifMatch !== etagOf(event)) {
    return send(
      call.res,
      412,
      graphErr(
        'ErrorIrresolvableConflict',
        'The change key passed in the request does not match the current change key for the item.',
      ),
    );
  }
  if (method === 'DELETE') {
    state.events.delete(id);
    logChange(state, collectionOf(event), id, spanOf(event));
    return send(call.res, 204, null);
  }
  if (method === 'PATCH') {
    const parsed = parseEventInput(parseJson(call.body), event);
    if ('error' in parsed)
      return send(call.res, 400, graphErr('ErrorInvalidRequest', parsed.error));
    const before = spanOf(event);
    Object.assign(event, parsed.value);
    touch(state, event, 'events', before);
    return send(call.res, 200, eventJson(event, false));
  }
  send(call.res, 405, graphErr('ErrorInvalidRequest', 'Method not allowed'));
}

function parseEventInput(
  input: Json,
  current: StoredEvent | null,
): { value: Omit<OutlookEventInput, 'calendarId'> } | { error: string } {
  const start = input['start'] ? readDateTime(input['start']) : (current?.start ?? null);
  const end = input['end'] ? readDateTime(input['end']) : (current?.end ?? null);
  if (start === null || end === null)
    return { error: 'start and end must be dateTimeTimeZone in UTC' };
  const isAllDay =
    typeof input['isAllDay'] === 'boolean' ? input['isAllDay'] : (current?.isAllDay ?? false);
  // event resource, isAllDay: start and end must be midnights for an all-day event.
  if (isAllDay && (start % 86_400_000 !== 0 || end % 86_400_000 !== 0)) {
    return { error: 'All-day events must start and end at midnight' };
  }
  const body = input['body'] as { content?: unknown } | undefined;
  return {
    value: {
      subject: String(input['subject'] ?? current?.subject ?? ''),
      body: body ? String(body.content ?? '') : (current?.body ?? ''),
      start,
      end,
      isAllDay,
      sensitivity: String(input['sensitivity'] ?? current?.sensitivity ?? 'normal'),
      // Outlook's default: a reminder 15 minutes before.
      isReminderOn:
        typeof input['isReminderOn'] === 'boolean'
          ? input['isReminderOn']
          : (current?.isReminderOn ?? true),
      reminderMinutesBeforeStart: Number(
        input['reminderMinutesBeforeStart'] ?? current?.reminderMinutesBeforeStart ?? 15,
      ),
    },
  };
}

function insertEvent(
  state: State,
  input: OutlookEventInput,
  transactionId: string | null,
  properties: Map<string, string>,
): StoredEvent {
  const now = Date.now();
  const event: StoredEvent = {
    id: newId('AAMkAGI2'),
    calendarId: input.calendarId ?? DEFAULT_CALENDAR,
    subject: input.subject,
    body: input.body ?? '',
    start: input.start,
    end: input.end,
    isAllDay: input.isAllDay ?? false,
    sensitivity: input.sensitivity ?? 'normal',
    isReminderOn: input.isReminderOn ?? true,
    reminderMinutesBeforeStart: input.reminderMinutesBeforeStart ?? 15,
    type: input.type ?? 'singleInstance',
    seriesMasterId: input.seriesMasterId ?? null,
    transactionId,
    iCalUId: `040000008200E00074C5B7101A82E008${crypto.randomBytes(16).toString('hex').toUpperCase()}`,
    properties,
    changeKey: '',
    created: now,
    modified: now,
  };
  state.events.set(event.id, event);
  touch(state, event, 'events', null);
  return event;
}

function eventJson(event: StoredEvent, _full: boolean, expandId: string | null = null): Json {
  const json: Json = {
    '@odata.type': '#microsoft.graph.event',
    '@odata.etag': etagOf(event),
    id: event.id,
    createdDateTime: new Date(event.created).toISOString(),
    lastModifiedDateTime: new Date(event.modified).toISOString(),
    changeKey: event.changeKey,
    transactionId: event.transactionId,
    iCalUId: event.iCalUId,
    reminderMinutesBeforeStart: event.reminderMinutesBeforeStart,
    isReminderOn: event.isReminderOn,
    subject: event.subject,
    bodyPreview: event.body.slice(0, 255),
    sensitivity: event.sensitivity,
    isAllDay: event.isAllDay,
    seriesMasterId: event.seriesMasterId,
    type: event.type,
    body: { contentType: 'text', content: event.body },
    start: { dateTime: graphTime(event.start), timeZone: 'UTC' },
    end: { dateTime: graphTime(event.end), timeZone: 'UTC' },
  };
  if (expandId !== null) {
    const value = event.properties.get(expandId.toLowerCase());
    // Graph leaves the navigation property out when no property matches the filter.
    if (value !== undefined) json['singleValueExtendedProperties'] = [{ id: expandId, value }];
  }
  return json;
}

function expandedPropertyId(expand: string | null): string | null {
  if (!expand) return null;
  return /^singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)$/i.exec(expand)?.[1] ?? null;
}

// ---------------------------------------------------------------- To Do

function createTask(state: State, call: Call, listId: string): void {
  const input = parseJson(call.body);
  const now = Date.now();
  const task: StoredTask = {
    id: newId('AAkALgAAAAAAHYQDEapmEc2byACqAC'),
    listId,
    title: String(input['title'] ?? ''),
    body: String((input['body'] as Json | undefined)?.['content'] ?? ''),
    start: input['startDateTime'] ? readDateTime(input['startDateTime']) : null,
    due: input['dueDateTime'] ? readDateTime(input['dueDateTime']) : null,
    reminder: input['reminderDateTime'] ? readDateTime(input['reminderDateTime']) : null,
    isReminderOn: input['isReminderOn'] === true,
    recurrence: (input['recurrence'] as Json | undefined) ?? null,
    linkedResources: ((input['linkedResources'] as Json[] | undefined) ?? []).map((r) => ({
      ...r,
      id: newId('lr'),
    })),
    changeKey: '',
    created: now,
    modified: now,
  };
  state.lists.get(listId)!.tasks.set(task.id, task);
  touchTask(state, task, null);
  send(call.res, 201, taskJson(task, true));
}

function listTasks(state: State, call: Call, listId: string): void {
  const query = call.url.searchParams;
  const skip = Number(query.get('$skip') ?? 0);
  const top = Math.min(1000, Number(query.get('$top') ?? 10));
  let tasks = [...state.lists.get(listId)!.tasks.values()];
  const filter = query.get('$filter');
  if (filter && state.refuseLinkedFilter) {
    return send(call.res, 400, graphErr('invalidRequest', 'Invalid filter clause'));
  }
  if (filter) {
    const match = /^linkedResources\/any\(\w+: \w+\/externalId eq '((?:[^']|'')*)'\)$/.exec(filter);
    if (!match)
      return send(call.res, 400, graphErr('invalidRequest', `Unsupported filter ${filter}`));
    const externalId = match[1]!.replace(/''/g, "'");
    tasks = tasks.filter((task) =>
      task.linkedResources.some((r) => r['externalId'] === externalId),
    );
  }
  const expand = query.get('$expand') === 'linkedResources';
  const body: Json = { value: tasks.slice(skip, skip + top).map((task) => taskJson(task, expand)) };
  if (skip + top < tasks.length) {
    const next = new URL(call.url.toString());
    next.searchParams.set('$skip', String(skip + top));
    body['@odata.nextLink'] = `${state.origin}${next.pathname}${next.search}`;
  }
  send(call.res, 200, body);
}

function oneTask(state: State, call: Call, listId: string, id: string): void {
  const task = state.lists.get(listId)?.tasks.get(id);
  if (!task)
    return send(
      call.res,
      404,
      graphErr('ErrorItemNotFound', 'The specified object was not found in the store.'),
    );
  const method = call.req.method;
  if (method === 'GET') {
    return send(
      call.res,
      200,
      taskJson(task, call.url.searchParams.get('$expand') === 'linkedResources'),
    );
  }
  const ifMatch = call.req.headers['if-match'];
  if (ifMatch && ifMatch !== etagOf(task)) {
    return send(call.res, 412, graphErr('PreconditionFailed', 'The etag does not match.'));
  }
  if (method === 'DELETE') {
    state.lists.get(listId)!.tasks.delete(id);
    logChange(state, `list:${listId}`, id, TASK_LIST_SPAN);
    return send(call.res, 204, null);
  }
  if (method === 'PATCH') {
    const input = parseJson(call.body);
    if ('title' in input) task.title = String(input['title'] ?? '');
    if ('body' in input) task.body = String((input['body'] as Json | null)?.['content'] ?? '');
    if ('startDateTime' in input) task.start = readDateTime(input['startDateTime']);
    if ('dueDateTime' in input) task.due = readDateTime(input['dueDateTime']);
    if ('reminderDateTime' in input) task.reminder = readDateTime(input['reminderDateTime']);
    if ('isReminderOn' in input) task.isReminderOn = input['isReminderOn'] === true;
    touchTask(state, task, TASK_LIST_SPAN);
    return send(call.res, 200, taskJson(task, false));
  }
  send(call.res, 405, graphErr('invalidRequest', 'Method not allowed'));
}

function taskJson(task: StoredTask, expand: boolean): Json {
  const time = (ms: number | null) =>
    ms === null ? null : { dateTime: graphTime(ms), timeZone: 'UTC' };
  const json: Json = {
    '@odata.etag': etagOf(task),
    id: task.id,
    importance: 'normal',
    isReminderOn: task.isReminderOn,
    status: 'notStarted',
    title: task.title,
    createdDateTime: new Date(task.created).toISOString(),
    lastModifiedDateTime: new Date(task.modified).toISOString(),
    body: { content: task.body, contentType: 'text' },
    ...(task.start !== null ? { startDateTime: time(task.start) } : {}),
    ...(task.due !== null ? { dueDateTime: time(task.due) } : {}),
    ...(task.reminder !== null ? { reminderDateTime: time(task.reminder) } : {}),
    ...(task.recurrence ? { recurrence: task.recurrence } : {}),
  };
  if (expand) json['linkedResources'] = task.linkedResources;
  return json;
}

function touchTask(state: State, task: StoredTask, before: Span | null): void {
  task.changeKey = crypto.randomBytes(12).toString('base64');
  task.modified = Date.now();
  logChange(state, `list:${task.listId}`, task.id, before);
}

// ---------------------------------------------------------------- mail

function sendMail(state: State, call: Call, mailbox: string): void {
  const failure = state.sendMailFailure;
  if (failure && failure.count > 0) {
    failure.count -= 1;
    return send(call.res, failure.status, graphErr(failure.code, failure.message));
  }
  if (/^text\/plain\b/i.test(String(call.req.headers['content-type'] ?? ''))) {
    return sendMimeMail(state, call, mailbox);
  }
  const input = parseJson(call.body);
  const message = input['message'] as Json | undefined;
  const to = (message?.['toRecipients'] as unknown[] | undefined) ?? [];
  if (!message || to.length === 0) {
    return send(
      call.res,
      400,
      graphErr('ErrorInvalidRecipients', 'At least one recipient is not valid.'),
    );
  }
  state.sentMail.push({ mailbox, body: input });
  send(call.res, 202, null);
}

function sendMimeMail(state: State, call: Call, mailbox: string): void {
  const text = call.body.replace(/\s+/g, '');
  if (text === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    return send(
      call.res,
      400,
      graphErr('ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.'),
    );
  }
  const mime = Buffer.from(text, 'base64').toString('utf8');
  const head = mime.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const recipients = head
    .split(/\r?\n/)
    .filter((line) => /^(to|cc|bcc):/i.test(line))
    .filter((line) => line.includes('@'));
  if (recipients.length === 0) {
    return send(
      call.res,
      400,
      graphErr('ErrorInvalidRecipients', 'At least one recipient is not valid.'),
    );
  }
  state.sentMail.push({ mailbox, body: {}, mime });
  send(call.res, 202, null);
}

// ---------------------------------------------------------------- identity platform

async function identity(state: State, call: Call): Promise<void> {
  const m =
    /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/(authorize|token|devicecode))$/.exec(
      call.url.pathname,
    );
  if (!m) return send(call.res, 404, { error: 'not_found' });
  const tenant = m[1]!;
  const endpoint = m[3] ?? 'openid';
  const grants = state.stats.tokenGrants;
  grants[endpoint] = (grants[endpoint] ?? 0) + 1;
  if (endpoint === 'openid') return send(call.res, 200, openIdConfiguration(state, tenant));
  if (endpoint === 'authorize') return authorize(state, call);
  const form = new URLSearchParams(call.body);
  if (endpoint === 'devicecode') return deviceCode(state, call, form);
  return token(state, call, form, tenant);
}

function openIdConfiguration(state: State, tenant: string): Json {
  const base = `${state.options.loginOrigin ?? state.origin}/${tenant}`;
  return {
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    tenant_region_scope: null,
  };
}

/** The user signs in and consents at once; the browser is sent back with the code. */
function authorize(state: State, call: Call): void {
  const query = call.url.searchParams;
  const redirectUri = String(query.get('redirect_uri'));
  if (query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) {
    return send(call.res, 400, {
      error: 'invalid_request',
      error_description: 'PKCE S256 required',
    });
  }
  const code = randomToken();
  state.codes.set(code, {
    clientId: String(query.get('client_id')),
    challenge: String(query.get('code_challenge')),
    redirectUri,
    scope: String(query.get('scope')),
  });
  const target = new URL(redirectUri);
  target.searchParams.set('code', code);
  const stateParam = query.get('state');
  if (stateParam) target.searchParams.set('state', stateParam);
  call.res.writeHead(302, { Location: target.toString() });
  call.res.end();
}

function deviceCode(state: State, call: Call, form: URLSearchParams): void {
  const code = randomToken();
  const userCode = crypto.randomBytes(4).toString('hex').toUpperCase();
  state.deviceCodes.set(code, {
    userCode,
    clientId: String(form.get('client_id')),
    scope: String(form.get('scope')),
    approved: false,
  });
  const verification = `${state.options.loginOrigin ?? state.origin}/devicelogin`;
  send(call.res, 200, {
    device_code: code,
    user_code: userCode,
    verification_uri: verification,
    expires_in: 900,
    interval: state.options.deviceCodeInterval ?? 5,
    message: `To sign in, use a web browser to open the page ${verification} and enter the code ${userCode} to authenticate.`,
  });
}

function token(state: State, call: Call, form: URLSearchParams, tenant: string): void {
  const grant = String(form.get('grant_type'));
  const grants = state.stats.tokenGrants;
  grants[grant] = (grants[grant] ?? 0) + 1;
  const fail = (error: string, description: string) =>
    send(call.res, 400, {
      error,
      error_description: description,
      error_codes: [70000],
      suberror: error === 'invalid_grant' ? 'consent_required' : undefined,
    });

  if (grant === 'authorization_code') {
    const code = state.codes.get(String(form.get('code')));
    state.codes.delete(String(form.get('code')));
    if (!code)
      return fail(
        'invalid_grant',
        'AADSTS70008: The provided authorization code is expired or was already used.',
      );
    const verifier = String(form.get('code_verifier') ?? '');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== code.challenge)
      return fail(
        'invalid_grant',
        'AADSTS501481: The Code_Verifier does not match the code_challenge.',
      );
    if (form.get('redirect_uri') !== code.redirectUri)
      return fail('invalid_grant', 'AADSTS50148: redirect_uri mismatch.');
    return send(
      call.res,
      200,
      tokens(state, { clientId: code.clientId, scope: code.scope, tenant }),
    );
  }
  if (grant === 'refresh_token') {
    const known = state.refreshTokens.get(String(form.get('refresh_token')));
    if (!known)
      return fail(
        'invalid_grant',
        'AADSTS65001: The user or administrator has not consented to use the application.',
      );
    return send(call.res, 200, tokens(state, { ...known, tenant }));
  }
  if (grant === 'device_code' || grant === 'urn:ietf:params:oauth:grant-type:device_code') {
    const device = state.deviceCodes.get(String(form.get('device_code')));
    if (!device) return fail('expired_token', 'AADSTS70020: The device code expired.');
    if (!device.approved)
      return fail('authorization_pending', 'AADSTS70016: Pending end-user authorization.');
    state.deviceCodes.delete(String(form.get('device_code')));
    return send(
      call.res,
      200,
      tokens(state, { clientId: device.clientId, scope: device.scope, tenant }),
    );
  }
  if (grant === 'client_credentials') return clientCredentials(state, call, form, tenant);
  fail('unsupported_grant_type', `AADSTS70003: ${grant}`);
}

/** The client credentials grant: the application itself, no user, no refresh token. */
function clientCredentials(state: State, call: Call, form: URLSearchParams, tenant: string) {
  const basic = /^Basic (.+)$/.exec(String(call.req.headers['authorization'] ?? ''))?.[1];
  const [basicId, basicSecret] = basic
    ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
    : [];
  const clientId = String(form.get('client_id') ?? basicId ?? '');
  const secret = form.get('client_secret') ?? basicSecret ?? null;
  const refuse = (error: string, code: number, description: string) =>
    send(call.res, 400, { error, error_description: description, error_codes: [code] });

  const known = state.apps.get(clientId);
  if (known === undefined) {
    return refuse(
      'unauthorized_client',
      700016,
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
    );
  }
  if (secret !== known) {
    return refuse(
      'invalid_client',
      7000215,
      'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the ' +
        "request is the client secret value, not the client secret ID, for a secret added to app '" +
        `${clientId}'.`,
    );
  }
  const scope = String(form.get('scope') ?? '');
  if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
    return refuse(
      'invalid_scope',
      1002012,
      `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential ` +
        'flows must have a scope value with /.default suffixed to the resource identifier.',
    );
  }
  const lifetime = state.options.tokenLifetimeSeconds ?? 3600;
  send(call.res, 200, {
    token_type: 'Bearer',
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: issueAccess(state),
  });
}

function tokens(state: State, grant: { clientId: string; scope: string; tenant: string }): Json {
  const access = issueAccess(state);
  const refresh = randomToken();
  state.refreshTokens.set(refresh, { clientId: grant.clientId, scope: grant.scope });
  const now = Math.floor(Date.now() / 1000);
  const lifetime = state.options.tokenLifetimeSeconds ?? 3600;
  const uid = '00000000-0000-0000-66f3-3332eca7ea81';
  const utid = '9188040d-6c67-4c5b-b112-36a304b66dad';
  const idToken = unsignedJwt({
    aud: grant.clientId,
    iss: `${state.options.loginOrigin ?? state.origin}/${utid}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + lifetime,
    name: 'Zoë Müller',
    oid: uid,
    preferred_username: 'zoe@contoso.example',
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    tid: utid,
    ver: '2.0',
  });
  return {
    token_type: 'Bearer',
    scope: grant.scope
      .split(' ')
      .filter((s) => !['openid', 'profile', 'offline_access'].includes(s))
      .join(' '),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: access,
    refresh_token: refresh,
    id_token: idToken,
    client_info: Buffer.from(JSON.stringify({ uid, utid })).toString('base64url'),
  };
}

function issueAccess(state: State): string {
  const token = `stand-in-${randomToken()}`;
  state.accessTokens.add(token);
  return token;
}

function unsignedJwt(claims: Json): string {
  const part = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'none' })}.${part(claims)}.`;
}

// ---------------------------------------------------------------- helpers

function touch(state: State, event: StoredEvent, _kind: 'events', before: Span | null): void {
  event.changeKey = crypto.randomBytes(12).toString('base64');
  event.modified = Date.now();
  logChange(state, collectionOf(event), event.id, before);
}

function collectionOf(event: StoredEvent): string {
  return `calendar:${event.calendarId}`;
}

function logChange(state: State, collection: string, id: string, before: Span | null): void {
  state.seq += 1;
  state.log.push({ seq: state.seq, collection, id, before });
}

function etagOf(item: { changeKey: string }): string {
  return `W/"${item.changeKey}"`;
}

function spanOf(event: StoredEvent): Span {
  return { start: event.start, end: event.end };
}

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && a.end > b.start;
}

function mustEvent(state: State, id: string): StoredEvent {
  const event = state.events.get(id);
  if (!event) throw new Error(`stand-in: no event ${id}`);
  return event;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readDateTime(value: unknown): number | null {
  if (!value || typeof value !== 'object') return null;
  const { dateTime, timeZone } = value as { dateTime?: unknown; timeZone?: unknown };
  if (typeof dateTime !== 'string') return null;
  if (typeof timeZone === 'string' && timeZone.toUpperCase() !== 'UTC') return null;
  return parseUtc(dateTime);
}

function parseUtc(value: string): number {
  return Date.parse(`${value.replace(/(\.\d{3})\d*$/, '$1').replace(/Z$/, '')}Z`);
}

/** Graph's shape: seven fractional digits, no zone designator. */
function graphTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.0000000`;
}

function selected(json: Json, select: string | null): Json {
  if (!select) return json;
  const keep = new Set([
    ...select.split(','),
    'id',
    '@odata.etag',
    'singleValueExtendedProperties',
  ]);
  return Object.fromEntries(Object.entries(json).filter(([key]) => keep.has(key)));
}

function graphErr(code: string, message: string): Json {
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': crypto.randomUUID() },
    },
  };
}

function newId(prefix: string): string {
  return `${prefix}${crypto.randomBytes(18).toString('base64url')}`;
}

function randomToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

function parseJson(text: string): Json {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return value && typeof value === 'object' ? (value as Json) : {};
  } catch {
    return {};
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === null) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
