/**
 * The HTTP server: Fastify with Ordo's logger, one error format, the caller resolved on
 * every request, the route plugins of every capability, the OpenAPI document and the web
 * page. `buildServer` returns it ready to `listen` or to `inject` in tests.
 */
import crypto from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Ordo } from '../app/ordo.js';
import { installAuth } from './auth.js';
import { HTTP_CAPABILITIES } from './capabilities.js';
import { installErrorHandler } from './errors.js';
import { collectRoutes, openApiDocument } from './openapi.js';
import type { OrdoPlugin } from './types.js';
import { defaultWebRoot, installWeb } from './web.js';

export interface BuildServerOptions {
  /** The route plugins; the capabilities list by default. */
  capabilities?: readonly OrdoPlugin[];
  /** The folder served at `/`; found by default, `null` for none. */
  webRoot?: string | null;
  /** Behind a reverse proxy: trust its X-Forwarded-* headers (client IP, https). */
  trustProxy?: boolean | string;
  /** Largest JSON body accepted, in bytes. */
  bodyLimit?: number;
}

export async function buildServer(
  ordo: Ordo,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ordo.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below with the status's level.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
  });
  app.decorate('ordo', ordo);
  const routes = collectRoutes(app);

  installErrorHandler(app);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const fields = {
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0],
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      userId: request.ordoUser?.id,
    };
    if (reply.statusCode >= 500) request.log.error(fields, 'request done');
    else request.log.info(fields, 'request done');
  });
  await app.register(fastifyCookie);
  installAuth(app, ordo);

  app.get(
    '/api/health',
    { config: { public: true, doc: { summary: 'Is the server up', tags: ['server'] } } },
    async () => ({ ok: true }),
  );
  let document: unknown;
  app.get(
    '/api/openapi.json',
    { config: { public: true, doc: { summary: 'This document', tags: ['server'] } } },
    async () => (document ??= openApiDocument(routes)),
  );

  for (const plugin of options.capabilities ?? HTTP_CAPABILITIES) {
    await app.register(plugin, { ordo });
  }
  await installWeb(app, options.webRoot === undefined ? defaultWebRoot() : options.webRoot);
  return app;
}
