/**
 * The reminders' HTTP API. The live path is Server-Sent Events (the WHATWG HTML "Server-sent
 * events" format): one long response per open page, a snapshot first, then each reminder as
 * it is raised and each one closed elsewhere; comment lines keep proxies from timing out an
 * idle stream, and `X-Accel-Buffering: no` keeps nginx from holding events back.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ordo } from '../app/ordo.js';
import { requireUser, SESSION_COOKIE } from '../http/auth.js';
import type { OrdoPlugin } from '../http/types.js';
import type { HubMessage } from './hub.js';
import { startReminders } from './reminders.js';

export interface ReminderRoutesOptions {
  /** How often an idle stream gets a comment line; 20 s by default. */
  heartbeatMs?: number;
}

const HEARTBEAT_MS = 20_000;
/** A page that reads nothing while this much waits for it is cut off; it reconnects later. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long the browser waits before reconnecting a dropped stream (the `retry` field). */
const RETRY_MS = 5_000;

const idParams = z.object({ id: z.string().min(1).max(100) });
const snoozeBody = z.object({
  minutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .describe('5, 10, 60 or any positive count'),
});

export function reminderRoutesWith(options: ReminderRoutesOptions = {}): OrdoPlugin {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;

  return async (app, { ordo }) => {
    const reminders = await startReminders(ordo);
    const tags = ['reminders'];
    const streams = new Set<ServerResponse>();
    // Open streams never finish by themselves: end them, or closing the server waits forever.
    app.addHook('preClose', async () => {
      for (const stream of streams) stream.end();
    });

    app.get(
      '/api/reminders',
      { config: { doc: { summary: 'My due reminders, not dismissed', tags } } },
      async (request) => ({ reminders: await reminders.list(requireUser(request)) }),
    );

    app.post(
      '/api/reminders/:id/snooze',
      {
        config: {
          doc: { summary: 'Show the reminder again in N minutes', tags, body: snoozeBody },
        },
      },
      async (request) => {
        const { id } = idParams.parse(request.params);
        const { minutes } = snoozeBody.parse(request.body);
        const { until } = await reminders.snooze({ actor: requireUser(request), id, minutes });
        return { id, snoozedUntil: new Date(until).toISOString() };
      },
    );

    app.post(
      '/api/reminders/:id/dismiss',
      { config: { doc: { summary: 'Dismiss the reminder on all my devices', tags, status: 204 } } },
      async (request, reply) => {
        const { id } = idParams.parse(request.params);
        await reminders.dismiss({ actor: requireUser(request), id });
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/reminders/stream',
      {
        config: {
          doc: {
            summary: 'My reminders, live (Server-Sent Events: snapshot, reminder, closed)',
            tags,
            responseContentType: 'text/event-stream',
          },
        },
      },
      async (request, reply) => {
        const actor = requireUser(request);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        request.raw.socket.setNoDelay(true);
        raw.write(`retry: ${RETRY_MS}\n: connected\n\n`);

        let closed = false;
        let disconnect = () => {};
        // The stream outlives the request that opened it: each write first checks that its
        // login still holds (logged out, token revoked, user deleted or given another
        // resource end the stream; the page reconnects as whoever is logged in then). The
        // chain keeps the events in order.
        const stillHolds = loginCheck(ordo, request);
        let writes = Promise.resolve();
        const write = (chunk: string) => {
          writes = writes.then(async () => {
            if (closed) return;
            if (!(await stillHolds())) raw.end();
            else if (raw.writableLength > MAX_BUFFERED_BYTES) raw.destroy();
            else raw.write(chunk);
          });
        };
        const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
        raw.on('close', () => {
          closed = true;
          clearInterval(heartbeat);
          streams.delete(raw);
          disconnect();
        });
        streams.add(raw);

        try {
          const off = await reminders.connect(actor, (message) => write(eventOf(message)));
          if (closed) off();
          else disconnect = off;
        } catch (err) {
          request.log.error({ err }, 'reminder stream failed');
          raw.destroy();
        }
      },
    );
  };
}

/**
 * Whether the credentials that opened a stream still name the same user with the same
 * resource; a failed lookup counts as "no", which only ends the stream.
 */
function loginCheck(ordo: Ordo, request: FastifyRequest): () => Promise<boolean> {
  const opened = request.ordoUser;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const cookie = request.cookies[SESSION_COOKIE];
  const userIdNow = () => {
    if (bearer) return ordo.sessions.userOfApiToken(bearer);
    return cookie ? ordo.sessions.userOf(cookie) : Promise.resolve(null);
  };
  return async () => {
    try {
      const userId = await userIdNow();
      if (!opened || userId !== opened.id) return false;
      const user = await ordo.users.get(userId);
      return user.resourceId === opened.resourceId;
    } catch {
      return false;
    }
  };
}

/** The page's reminders routes, with the default heartbeat. */
export const reminderRoutes: OrdoPlugin = reminderRoutesWith();

function eventOf(message: HubMessage): string {
  const { type, ...data } = message;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
