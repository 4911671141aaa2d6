import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_CAPABILITIES } from './capabilities.js';
import { buildServer } from './server.js';
import { ADMIN, call, login, startTestServer, type TestServer } from './test-helpers.js';
import type { OrdoPlugin } from './types.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

/** The routes of the API contract, which the web page is written against. */
const CONTRACT_ROUTES = [
  'POST /api/session',
  'DELETE /api/session',
  'GET /api/me',
  'GET /api/tasks',
  'POST /api/tasks',
  'GET /api/tasks/:id',
  'PATCH /api/tasks/:id',
  'DELETE /api/tasks/:id',
  'POST /api/tasks/:id/detach',
  'GET /api/periodic-tasks',
  'POST /api/periodic-tasks',
  'DELETE /api/periodic-tasks/:id',
  'GET /api/unavailabilities',
  'POST /api/unavailabilities',
  'DELETE /api/unavailabilities/:id',
  'GET /api/resources',
  'POST /api/resources',
  'PATCH /api/resources/:id',
  'DELETE /api/resources/:id',
  'GET /api/clients',
  'POST /api/clients',
  'PATCH /api/clients/:id',
  'DELETE /api/clients/:id',
  'GET /api/departments',
  'POST /api/departments',
  'GET /api/users',
  'POST /api/users',
  'PATCH /api/users/:id',
  'DELETE /api/users/:id',
  'GET /api/groups',
  'POST /api/groups',
  'PATCH /api/groups/:id',
  'DELETE /api/groups/:id',
  'GET /api/settings',
  'PUT /api/settings/:key',
  'GET /api/tokens',
  'POST /api/tokens',
  'DELETE /api/tokens/:id',
  'POST /api/import',
  'GET /api/export',
  'GET /api/openapi.json',
  'GET /api/health',
];

/** `METHOD /path` for every /api/ and /feeds/ route of Fastify's printed route tree. */
function registeredRoutes(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    const url = stack.join('');
    if (!m[3] || !/^\/(api|feeds)\//.test(url)) continue;
    for (const method of m[3].split(', ')) {
      if (method !== 'HEAD' && method !== 'OPTIONS') out.push(`${method} ${url}`);
    }
  }
  return out;
}

describe('HTTP server', () => {
  it('describes every registered route in the OpenAPI document', async () => {
    server = await startTestServer('sqlite');
    const res = await call(server.app, { url: '/api/openapi.json' });
    const doc = res.json() as {
      openapi: string;
      paths: Record<string, Record<string, { summary: string; requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe('3.1.0');

    const registered = registeredRoutes(server.app.printRoutes({ commonPrefix: false }));
    expect(registered).toEqual(expect.arrayContaining(CONTRACT_ROUTES));
    for (const entry of registered) {
      const [method, url] = entry.split(' ') as [string, string];
      const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(op, entry).toBeDefined();
      expect(op?.summary, entry).not.toBe('');
    }
    const taskBody = doc.paths['/api/tasks']?.post?.requestBody as {
      content: {
        'application/json': { schema: { properties: Record<string, unknown>; required: string[] } };
      };
    };
    const schema = taskBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['label', 'allDay', 'start', 'end', 'resourceIds', 'reminder']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['label', 'start', 'end']));
  });

  it('lists the routes a capability plugin adds', async () => {
    const extra: OrdoPlugin = async (app) => {
      app.get('/api/extra', { config: { doc: { summary: 'An extra route' } } }, async () => ({}));
    };
    server = await startTestServer('sqlite', { capabilities: [...HTTP_CAPABILITIES, extra] });
    const doc = (await call(server.app, { url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/extra'].get.summary).toBe('An extra route');
  });

  it('answers an unexpected failure with 500 INTERNAL, logs it at error, and hides its insides', async () => {
    const { lines, logger } = captureLogs();
    const broken: OrdoPlugin = async (app) => {
      app.get('/api/broken', { config: { public: true, doc: { summary: 'x' } } }, async () => {
        throw new Error('connection to db://user:hunter2@host failed');
      });
    };
    server = await startTestServer('sqlite', { capabilities: [...HTTP_CAPABILITIES, broken] });
    const app = (await import('./server.js')).buildServer;
    const withLogs = await app(
      { ...server.ordo, logger },
      { webRoot: null, capabilities: [broken] },
    );
    const res = await call(withLogs, { url: '/api/broken' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: 'INTERNAL', message: 'Something went wrong on the server' },
    });
    expect(res.body).not.toContain('hunter2');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ component: 'http', reqId: res.headers['x-request-id'] });
    await withLogs.close();
  });

  it('logs 4xx at info and never logs passwords, cookies or tokens', async () => {
    const { lines, logger } = captureLogs();
    server = await startTestServer('sqlite');
    const app = await buildServer({ ...server.ordo, logger }, { webRoot: null });
    const cookie = await login(app);
    await call(app, {
      method: 'POST',
      url: '/api/session',
      body: { login: 'admin', password: 'bad-guess-77' },
    });
    const token = (
      await call(app, { method: 'POST', url: '/api/tokens', cookie, body: { name: 't' } })
    ).json().token;
    await call(app, { url: '/api/me', token });
    await call(app, { url: '/api/me?token=abc' });
    const text = JSON.stringify(lines);
    for (const secret of [ADMIN.password, 'bad-guess-77', cookie.split('=')[1] ?? '', token]) {
      expect(text).not.toContain(secret);
    }
    const refused = lines.find((l) => l.statusCode === 401);
    expect(refused?.level).toBe(30);
    expect(lines.some((l) => l.msg === 'request done' && l.route === '/api/me')).toBe(true);
    await app.close();
  });

  it('sets the session cookie Secure when the request came over https', async () => {
    server = await startTestServer('sqlite', { trustProxy: true });
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'x-forwarded-proto': 'https' },
      payload: ADMIN,
    });
    expect(res.cookies.find((c) => c.name === 'ordo_session')?.secure).toBe(true);
  });

  it('serves the web page with security headers, and index.html for page addresses', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-web-'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Ordo</title>');
    fs.writeFileSync(path.join(root, 'app.js'), 'export {};');
    try {
      server = await startTestServer('sqlite', { webRoot: root });
      const home = await call(server.app, { url: '/' });
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('<title>Ordo</title>');
      expect(home.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(home.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(home.headers['content-security-policy']).not.toMatch(/unsafe-inline/);
      expect(home.headers['x-content-type-options']).toBe('nosniff');
      expect(home.headers['referrer-policy']).toBe('same-origin');

      const page = await call(server.app, { url: '/planning/week?d=2026-03-02' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<title>Ordo</title>');
      const script = await call(server.app, { url: '/app.js' });
      expect(script.headers['content-type']).toMatch(/javascript/);

      const api = await call(server.app, { url: '/api/nope', cookie: await login(server.app) });
      expect(api.statusCode).toBe(404);
      expect(api.json().error.code).toBe('NOT_FOUND');
      const feed = await call(server.app, { url: '/feeds/nope.ics' });
      expect(feed.json().error.code).toBe('NOT_FOUND');
      const post = await call(server.app, { method: 'POST', url: '/somewhere', body: {} });
      expect(post.statusCode).toBe(404);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('answers an unsupported content type with 415', async () => {
    server = await startTestServer('sqlite');
    const cookie = await login(server.app);
    const res = await call(server.app, {
      method: 'POST',
      url: '/api/tasks',
      cookie,
      headers: { 'content-type': 'application/xml' },
      body: '<task/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('MEDIA_TYPE_UNSUPPORTED');
  });
});
