/** Logging in and out, who I am, and my API tokens. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ordo } from '../../app/ordo.js';
import { syncRights } from '../../planning/rights.js';
import type { User } from '../../planning/types.js';
import { isOrdoError } from '../../shared/errors.js';
import { SESSION_COOKIE, requireUser } from '../auth.js';
import { LoginLimiter } from '../login-limiter.js';
import type { OrdoPlugin } from '../types.js';

const loginBody = z.object({
  login: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});
const tokenBody = z.object({ name: z.string().trim().min(1).max(200) });
const idParams = z.object({ id: z.string().min(1) });

export function userJson(user: User) {
  return {
    id: user.id,
    login: user.login,
    isAdmin: user.isAdmin,
    resourceId: user.resourceId,
    groupId: user.groupId,
    language: user.language,
  };
}

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: 14 * 24 * 3600,
  });
}

async function login(ordo: Ordo, limiter: LoginLimiter, request: FastifyRequest) {
  const body = loginBody.parse(request.body);
  limiter.check(body.login, request.ip);
  try {
    const user = await ordo.users.authenticate(body.login, body.password);
    limiter.succeed(body.login, request.ip);
    return user;
  } catch (error) {
    if (isOrdoError(error, 'AUTH_INVALID')) limiter.fail(body.login, request.ip);
    throw error;
  }
}

export const sessionRoutes: OrdoPlugin = async (app, { ordo }) => {
  const limiter = new LoginLimiter({ clock: ordo.clock });
  const tags = ['session'];

  app.post(
    '/api/session',
    {
      config: {
        public: true,
        doc: { summary: 'Log in: sets the session cookie', tags, body: loginBody },
      },
    },
    async (request, reply) => {
      const user = await login(ordo, limiter, request);
      setSessionCookie(request, reply, await ordo.sessions.open(user.id));
      request.log.info({ userId: user.id }, 'logged in');
      return { user: userJson(user) };
    },
  );

  app.delete(
    '/api/session',
    { config: { public: true, doc: { summary: 'Log out', tags, status: 204 } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await ordo.sessions.close(token);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/me',
    { config: { doc: { summary: 'Who I am, my rights, and the settings the page needs', tags } } },
    async (request) => {
      const actor = requireUser(request);
      const user = request.ordoUser as User;
      const rights = await ordo.users.rightsFor(actor, () => ordo.directory.departmentMap());
      const own = rights ? syncRights(rights) : null;
      const settings = await ordo.settings.getMany([
        'company.timeZone',
        'task.reminderByDate',
        'company.name',
      ]);
      return {
        user: userJson(user),
        rights: {
          isAdmin: user.isAdmin,
          defaultAccess: user.defaultAccess,
          departmentAccess: user.departmentAccess,
          canAdd: user.isAdmin || (actor.kind === 'user' && (actor.group?.canAdd ?? true)),
          canModify: user.isAdmin || (actor.kind === 'user' && (actor.group?.canModify ?? true)),
          canDelete: user.isAdmin || (actor.kind === 'user' && (actor.group?.canDelete ?? true)),
          ownResourceReadOnly: own?.readOnly ?? false,
        },
        settings,
      };
    },
  );

  app.get(
    '/api/tokens',
    { config: { doc: { summary: 'My API tokens', tags } } },
    async (request) => {
      requireUser(request);
      const tokens = await ordo.sessions.listApiTokens((request.ordoUser as User).id);
      return {
        tokens: tokens.map((t) => ({
          id: t.id,
          name: t.name,
          createdAt: new Date(t.createdAt).toISOString(),
          lastUsedAt: t.lastUsedAt === null ? null : new Date(t.lastUsedAt).toISOString(),
        })),
      };
    },
  );

  app.post(
    '/api/tokens',
    {
      config: {
        doc: { summary: 'Create an API token (shown once)', tags, body: tokenBody, status: 201 },
      },
    },
    async (request, reply) => {
      requireUser(request);
      const { name } = tokenBody.parse(request.body);
      const created = await ordo.sessions.createApiToken((request.ordoUser as User).id, name);
      return reply.status(201).send({ id: created.id, token: created.token });
    },
  );

  app.delete(
    '/api/tokens/:id',
    { config: { doc: { summary: 'Revoke one of my API tokens', tags, status: 204 } } },
    async (request, reply) => {
      requireUser(request);
      const { id } = idParams.parse(request.params);
      await ordo.sessions.revokeApiToken((request.ordoUser as User).id, id);
      return reply.status(204).send();
    },
  );
};
