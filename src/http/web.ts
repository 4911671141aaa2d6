/**
 * The web page: static files at `/`, index.html for any other page address (the page
 * routes itself), and the security headers that keep it from running injected scripts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { OrdoError } from '../shared/errors.js';
import { errorBody } from './errors.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const SECURITY_HEADERS: Record<string, string> = {
  // No inline scripts or styles and no framing: an injected `<script>` never runs.
  'content-security-policy':
    "default-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; " +
    "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** The built page (dist/web) when there is one, else the sources' public folder. */
export function defaultWebRoot(): string | null {
  const candidates = [
    path.join(PROJECT_ROOT, 'dist/web'),
    path.join(PROJECT_ROOT, 'src/web/public'),
  ];
  const built = candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
  return built ?? candidates.find((dir) => fs.existsSync(dir)) ?? null;
}

export async function installWeb(app: FastifyInstance, root: string | null): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
    return payload;
  });

  if (root) await app.register(fastifyStatic, { root, index: ['index.html'] });
  const hasIndex = root !== null && fs.existsSync(path.join(root, 'index.html'));

  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !/^\/(api|feeds)(\/|$)/.test(pathname);
    if (isPage && hasIndex) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    const error = new OrdoError('NOT_FOUND', {
      message: `No route ${request.method} ${pathname}`,
      details: { method: request.method, path: pathname },
    });
    request.log.info({ code: error.code }, 'request refused');
    return reply.status(404).send(errorBody(error));
  });
}
