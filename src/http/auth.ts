/**
 * Who is calling: a session cookie (the web page) or an API token (scripts). Every /api/
 * route needs one of them unless its config says `public: true`; routes read the caller
 * with `requireUser(request)` or `requireAdmin(request)`.
 *
 * Cross-site request forgery: a change authenticated by the cookie must carry the
 * `X-Ordo-CSRF` header or a JSON body. A cross-site HTML form can send neither without a
 * CORS preflight, which Ordo never grants.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import { OrdoError, isOrdoError } from '../shared/errors.js';
import type { AuthMethod } from './types.js';

export const SESSION_COOKIE = 'ordo_session';
export const CSRF_HEADER = 'x-ordo-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The caller as an actor for the planning services; `AUTH_REQUIRED` when nobody is logged in. */
export function requireUser(request: FastifyRequest): Actor {
  if (!request.ordoActor) throw new OrdoError('AUTH_REQUIRED');
  return request.ordoActor;
}

/** The caller, who must be an administrator: `FORBIDDEN` otherwise. */
export function requireAdmin(request: FastifyRequest): Actor {
  const actor = requireUser(request);
  if (!request.ordoUser?.isAdmin) throw new OrdoError('FORBIDDEN');
  return actor;
}

/** Resolves the caller before any handler, and enforces the login and CSRF rules. */
export function installAuth(app: FastifyInstance, ordo: Ordo): void {
  app.decorateRequest('ordoUser', null);
  app.decorateRequest('ordoActor', null);
  app.decorateRequest('ordoAuth', null);

  app.addHook('onRequest', async (request) => {
    await identify(ordo, request);
    const path = request.url.split('?')[0] ?? '';
    const needsLogin =
      path.startsWith('/api/') && !request.is404 && !request.routeOptions.config.public;
    if (needsLogin && !request.ordoUser) throw new OrdoError('AUTH_REQUIRED');
    if (request.ordoAuth === 'session' && !SAFE_METHODS.has(request.method)) {
      checkCsrf(request);
    }
  });
}

async function identify(ordo: Ordo, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  let userId: string | null = null;
  let method: AuthMethod;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new OrdoError('TOKEN_INVALID');
    userId = await ordo.sessions.userOfApiToken(match[1]);
    method = 'token';
  } else {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) userId = await ordo.sessions.userOf(cookie);
    method = 'session';
  }
  if (!userId) return;

  const user = await ordo.users.get(userId).catch((error: unknown) => {
    if (isOrdoError(error, 'USER_NOT_FOUND')) return null;
    throw error;
  });
  if (!user) return;
  request.ordoUser = user;
  request.ordoActor = await ordo.users.actorFor(user);
  request.ordoAuth = method;
}

function checkCsrf(request: FastifyRequest): void {
  if (request.headers[CSRF_HEADER] === '1') return;
  const type = request.headers['content-type'] ?? '';
  if (/^application\/json\s*(;|$)/i.test(type)) return;
  throw new OrdoError('CSRF_REQUIRED');
}
