/**
 * The synchronization API (per user): settings, calendar discovery, "sync now", the run log,
 * manual-mode marks, the Microsoft 365 connection, and the read-only feeds. The CalDAV
 * password and the Microsoft tokens are write-only: no answer carries them.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { Ordo } from '../app/ordo.js';
import { requireUser } from '../http/auth.js';
import type { OrdoPlugin } from '../http/types.js';
import type { User } from '../planning/types.js';
import { isOrdoError, OrdoError } from '../shared/errors.js';
import {
  httpUrl,
  settingsPatchSchema,
  storedPasswordServes,
  type SyncAccountRow,
} from './accounts.js';
import { syncOf } from './capability.js';
import type { Feed } from './feeds.js';
import { startGraphConnection } from './graph-connection.js';
import { discoverGuarded } from './guarded-discovery.js';
import { SYNC_NOW_GAP_MS } from './worker.js';

const tags = ['sync'];
const idParams = z.object({ id: z.string().min(1).max(200) });
const runsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });
const discoverBody = z.object({
  serverUrl: httpUrl,
  username: z.string().max(255).optional(),
  password: z.string().max(1000).optional().describe('Absent: the stored password is used'),
});
const markBody = z.object({ kind: z.enum(['event', 'todo']) });
const feedBody = z.object({ resourceId: z.string().min(1).max(200) });
const tokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}\.ics$/) });
const callbackQuery = z.object({
  code: z.string().max(5000).optional(),
  state: z.string().max(200).optional(),
  error: z.string().max(200).optional(),
});

const PKCE_COOKIE = 'ordo_graph_pkce';
const PKCE_PATH = '/api/sync/graph';
const PKCE_TTL_MS = 10 * 60_000;

export const syncRoutes: OrdoPlugin = async (app, { ordo }) => {
  const sync = () => syncOf(ordo);
  const userOf = (request: FastifyRequest): User => {
    requireUser(request);
    return request.ordoUser as User;
  };

  app.get(
    '/api/sync/settings',
    { config: { doc: { summary: "The caller's calendar synchronization settings", tags } } },
    async (request) => settingsJson(ordo, userOf(request)),
  );

  app.put(
    '/api/sync/settings',
    {
      config: {
        doc: { summary: 'Change the synchronization settings', tags, body: settingsPatchSchema },
      },
    },
    async (request) => {
      const user = userOf(request);
      const patch = settingsPatchSchema.parse(request.body);
      await sync().accounts.update(user.id, patch, { hasResource: user.resourceId !== null });
      request.log.info({ userId: user.id }, 'sync settings changed');
      return settingsJson(ordo, user);
    },
  );

  app.post(
    '/api/sync/discover',
    {
      config: {
        doc: { summary: 'List the calendars of a CalDAV account', tags, body: discoverBody },
      },
    },
    async (request) => {
      const user = userOf(request);
      const body = discoverBody.parse(request.body);
      const password =
        body.password ?? (await storedPassword(ordo, { user, serverUrl: body.serverUrl }));
      const calendars = await discoverGuarded({
        serverUrl: body.serverUrl,
        username: body.username,
        password,
      });
      return {
        calendars: calendars.map((c) => ({
          url: c.url,
          displayName: c.displayName,
          kinds: c.kinds,
        })),
      };
    },
  );

  app.post(
    '/api/sync/run',
    { config: { doc: { summary: "Synchronize the caller's calendar now", tags } } },
    // One run per account every 30 s: each run costs the calendar server several requests.
    async (request) => sync().worker.syncNow(userOf(request).id, { minGapMs: SYNC_NOW_GAP_MS }),
  );

  app.post(
    '/api/sync/start-over',
    {
      config: {
        doc: {
          summary:
            "Forget what the sync knew of the caller's calendar: the next run matches its items " +
            'to the tasks again, sends the tasks it lacks, and deletes nothing',
          tags,
        },
      },
    },
    async (request, reply) => {
      await sync().worker.startOver(userOf(request).id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/sync/runs',
    {
      config: {
        doc: { summary: 'The last synchronization runs, newest first', tags, query: runsQuery },
      },
    },
    async (request) => {
      const { limit } = runsQuery.parse(request.query);
      const account = await sync().accounts.forUser(userOf(request).id);
      return { runs: account ? await sync().accounts.listRuns(account.id, limit) : [] };
    },
  );

  app.post(
    '/api/tasks/:id/sync',
    {
      config: {
        doc: {
          summary: 'Manual mode: send this task to the calendar',
          tags,
          body: markBody,
          status: 204,
        },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const { id } = idParams.parse(request.params);
      const { kind } = markBody.parse(request.body);
      const task = await ordo.tasks.get(requireUser(request), id);
      if (!user.resourceId || !task.resourceIds.includes(user.resourceId)) {
        throw new OrdoError('VALIDATION', {
          message: 'Only tasks of your own resource go to your calendar',
          details: { field: 'id' },
        });
      }
      const account = await sync().accounts.ensure(user.id);
      await sync().accounts.mark({ accountId: account.id, taskId: id, kind });
      return reply.status(204).send();
    },
  );

  app.delete(
    '/api/tasks/:id/sync',
    {
      config: {
        doc: { summary: "Manual mode: stop this task's synchronization", tags, status: 204 },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const { id } = idParams.parse(request.params);
      const account = await sync().accounts.forUser(user.id);
      if (account) await sync().accounts.unmark(account.id, id);
      return reply.status(204).send();
    },
  );

  registerGraphRoutes(app, ordo, userOf);
  registerFeedRoutes(app, ordo, userOf);
};

type UserOf = (request: FastifyRequest) => User;
type App = Parameters<OrdoPlugin>[0];

function registerFeedRoutes(app: App, ordo: Ordo, userOf: UserOf): void {
  const feeds = () => syncOf(ordo).feeds;
  const feedTags = ['feeds'];
  const mayManage = (user: User, resourceId: string) =>
    user.isAdmin || user.resourceId === resourceId;
  const json = (request: FastifyRequest, feed: Feed & { token?: string }) => ({
    id: feed.id,
    resourceId: feed.resourceId,
    // Only the token's hash is stored: the URL can be shown when the feed is created only.
    url: feed.token ? feedUrl(request, feed.token) : null,
    createdAt: new Date(feed.createdAt).toISOString(),
  });

  app.get(
    '/api/feeds',
    {
      config: {
        doc: { summary: 'The live calendar feeds (all for an administrator)', tags: feedTags },
      },
    },
    async (request) => {
      const user = userOf(request);
      if (!user.isAdmin && !user.resourceId) return { feeds: [] };
      const list = await feeds().list(user.isAdmin ? null : user.resourceId);
      return { feeds: list.map((feed) => json(request, feed)) };
    },
  );

  app.post(
    '/api/feeds',
    {
      config: {
        doc: {
          summary: "Create a resource's read-only feed",
          tags: feedTags,
          body: feedBody,
          status: 201,
        },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const { resourceId } = feedBody.parse(request.body);
      if (!mayManage(user, resourceId)) throw new OrdoError('FORBIDDEN');
      const feed = await feeds().create({ resourceId, createdBy: user.id });
      request.log.info({ feedId: feed.id, resourceId }, 'feed created');
      const { id, url } = json(request, feed);
      return reply.status(201).send({ id, url });
    },
  );

  app.delete(
    '/api/feeds/:id',
    { config: { doc: { summary: 'Revoke a feed', tags: feedTags, status: 204 } } },
    async (request, reply) => {
      const user = userOf(request);
      const { id } = idParams.parse(request.params);
      const feed = await feeds().get(id);
      if (!mayManage(user, feed.resourceId))
        throw new OrdoError('FEED_NOT_FOUND', { details: { id } });
      await feeds().revoke(id);
      request.log.info({ feedId: id }, 'feed revoked');
      return reply.status(204).send();
    },
  );

  app.get(
    '/feeds/:token',
    {
      config: {
        public: true,
        doc: {
          summary: "A resource's tasks as iCalendar (the token is the feed's secret)",
          tags: feedTags,
          responseContentType: 'text/calendar',
        },
      },
    },
    async (request, reply) => {
      const parsed = tokenParams.safeParse(request.params);
      // An address that cannot be a feed's is any unknown page; a well-formed token that is
      // unknown or revoked is a feed that is not there.
      if (!parsed.success) throw new OrdoError('NOT_FOUND');
      const body = await feeds().calendarOf(parsed.data.token.slice(0, -'.ics'.length));
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('cache-control', 'private, max-age=300')
        .send(body);
    },
  );
}

function registerGraphRoutes(app: App, ordo: Ordo, userOf: UserOf): void {
  const redirectUri = (request: FastifyRequest) =>
    `${request.protocol}://${request.host}${PKCE_PATH}/callback`;
  const connectionFor = (userId: string) =>
    startGraphConnection({
      ordo,
      accounts: syncOf(ordo).accounts,
      userId,
      network: syncOf(ordo).graphNetwork,
    });

  app.get(
    '/api/sync/graph/connect',
    {
      config: {
        doc: { summary: 'Connect Microsoft 365 (redirects to Microsoft)', tags, status: 302 },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      // A browser followed a link here: a refusal goes back to the page, not as JSON.
      const connection = await connectionFor(user.id).catch((error: unknown) => {
        if (isOrdoError(error, 'GRAPH_NOT_CONFIGURED')) return null;
        throw error;
      });
      if (!connection) return backToPage(reply, 'GRAPH_NOT_CONFIGURED');
      const state = crypto.randomBytes(24).toString('base64url');
      const start = await connection.auth.startAuthorization({
        redirectUri: redirectUri(request),
        state,
      });
      // The PKCE verifier waits in a sealed cookie, so any server process can finish the flow.
      const pending: PendingAuthorization = {
        state,
        verifier: start.codeVerifier,
        userId: user.id,
        exp: ordo.clock.now() + PKCE_TTL_MS,
      };
      void reply.setCookie(PKCE_COOKIE, ordo.secrets.seal(JSON.stringify(pending)), {
        path: PKCE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
        maxAge: PKCE_TTL_MS / 1000,
      });
      return reply.redirect(start.url, 302);
    },
  );

  app.get(
    '/api/sync/graph/callback',
    {
      config: {
        doc: {
          summary: 'Where Microsoft sends the browser back',
          tags,
          query: callbackQuery,
          status: 302,
        },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const query = callbackQuery.parse(request.query);
      void reply.clearCookie(PKCE_COOKIE, { path: PKCE_PATH });
      const checked = checkCallback(ordo, {
        userId: user.id,
        sealed: request.cookies[PKCE_COOKIE],
        query,
      });
      if ('reason' in checked) {
        request.log.info({ userId: user.id, reason: checked.reason }, 'microsoft sign-in refused');
        return backToPage(reply, checked.reason);
      }
      try {
        const connection = await connectionFor(user.id);
        const connected = await connection.auth.redeemCode({
          code: checked.code,
          codeVerifier: checked.verifier,
          redirectUri: redirectUri(request),
        });
        await connection.save(connected);
      } catch (error) {
        if (!isOrdoError(error)) throw error;
        request.log.warn(
          { userId: user.id, code: error.code, remote: error.remote },
          'microsoft sign-in failed',
        );
        return backToPage(reply, error.code);
      }
      request.log.info({ userId: user.id }, 'microsoft account connected');
      return backToPage(reply, null);
    },
  );
}
interface PendingAuthorization {
  state: string;
  verifier: string;
  userId: string;
  exp: number;
}

/**
 * The browser's return must carry the state of a sign-in this user started here (RFC 6749
 * section 10.12: a foreign code would connect someone else's mailbox), within its lifetime.
 * The reasons name what was wrong for the page and the log; nothing is stored on refusal.
 */
function checkCallback(
  ordo: Ordo,
  input: { userId: string; sealed: string | undefined; query: z.infer<typeof callbackQuery> },
): { code: string; verifier: string } | { reason: string } {
  const { query } = input;
  if (query.error) return { reason: query.error };
  const pending = readPending(ordo, input.sealed);
  if (!pending || pending.userId !== input.userId) return { reason: 'session' };
  if (pending.exp <= ordo.clock.now()) return { reason: 'expired' };
  if (!query.state || !safeEqual(pending.state, query.state)) return { reason: 'state' };
  if (!query.code) return { reason: 'code' };
  return { code: query.code, verifier: pending.verifier };
}

/** The pending sign-in of the sealed cookie; `null` when absent, tampered with or malformed. */
function readPending(ordo: Ordo, sealed: string | undefined): PendingAuthorization | null {
  if (!sealed) return null;
  try {
    const value = JSON.parse(ordo.secrets.open(sealed)) as Partial<PendingAuthorization>;
    const complete =
      typeof value.state === 'string' &&
      typeof value.verifier === 'string' &&
      typeof value.userId === 'string' &&
      typeof value.exp === 'number';
    return complete ? (value as PendingAuthorization) : null;
  } catch {
    return null;
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

function backToPage(reply: FastifyReply, error: string | null): FastifyReply {
  const query = error ? `graph=error&reason=${encodeURIComponent(error)}` : 'graph=connected';
  return reply.redirect(`/?${query}#options/outlook`, 302);
}

function feedUrl(request: FastifyRequest, token: string): string {
  return `${request.protocol}://${request.host}/feeds/${token}.ics`;
}

/**
 * The stored password, for a discovery on the account's own server only: another address
 * must come with its password, or discovery would hand the stored one to any host asked.
 */
async function storedPassword(
  ordo: Ordo,
  { user, serverUrl }: { user: User; serverUrl: string },
): Promise<string | undefined> {
  const account = await syncOf(ordo).accounts.forUser(user.id);
  const password = account ? syncOf(ordo).accounts.caldavPassword(account) : undefined;
  if (password === undefined || !account) return undefined;
  if (!storedPasswordServes(account, serverUrl)) {
    throw new OrdoError('VALIDATION', {
      message: 'Type the password: the stored one is kept for the saved server only',
      details: { field: 'password' },
    });
  }
  return password;
}

/** The settings as GET /api/sync/settings answers them: never the password nor the tokens. */
export async function settingsJson(ordo: Ordo, user: User) {
  const sync = syncOf(ordo);
  const row = await sync.accounts.ensure(user.id);
  const [lastRun] = await sync.accounts.listRuns(row.id, 1);
  return {
    enabled: row.enabled === 1,
    everyMinutes: row.every_minutes,
    pastDays: row.past_days,
    futureDays: row.future_days,
    exportAs: row.export_as,
    importAppointments: row.import_appointments === 1,
    importTasks: row.import_tasks === 1,
    provider: row.provider,
    caldav: caldavJson(row),
    graph: graphJson(row),
    resourceId: user.resourceId,
    lastRun: lastRun ?? null,
    nextRunAt: row.enabled === 1 ? new Date(Number(row.next_run_at)).toISOString() : null,
  };
}

function caldavJson(row: SyncAccountRow) {
  if (row.provider !== 'caldav' && !row.caldav_calendar_url) return null;
  return {
    serverUrl: row.caldav_server_url,
    calendarUrl: row.caldav_calendar_url,
    username: row.caldav_username,
    passwordSet: row.caldav_password_sealed !== null,
  };
}

function graphJson(row: SyncAccountRow) {
  if (row.provider !== 'graph' && !row.graph_token_cache_sealed) return null;
  const connected = row.graph_token_cache_sealed !== null;
  return {
    connected,
    // Microsoft refused the stored sign-in (see SyncAccounts.dropGraphTokens).
    needsReconnect: !connected && row.provider === 'graph' && row.graph_account !== null,
    account: row.graph_account,
    calendarId: row.graph_calendar_id,
    todoListId: row.graph_todo_list_id,
  };
}
