/** An Ordo with its HTTP server for tests, and a small client over `app.inject()`. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Ordo } from '../app/ordo.js';
import { ManualClock } from '../shared/clock.js';
import { createTestOrdo, type TestDialect } from '../test-support/ordo.js';
import { buildServer, type BuildServerOptions } from './server.js';

export const T0 = Date.parse('2026-03-02T08:00:00Z');
export const ADMIN = { login: 'admin', password: 'admin-password-1' };

export interface TestServer {
  ordo: Ordo;
  app: FastifyInstance;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function startTestServer(
  dialect: TestDialect,
  options: BuildServerOptions = {},
): Promise<TestServer> {
  const clock = new ManualClock(T0 - 24 * 3600_000);
  const ordo = await createTestOrdo({ dialect, clock });
  await ordo.users.create({ ...ADMIN, isAdmin: true });
  const app = await buildServer(ordo, { webRoot: null, ...options });
  return {
    ordo,
    app,
    clock,
    close: async () => {
      await app.close();
      await ordo.close();
    },
  };
}

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  /** The session cookie (`ordo_session=...`); the CSRF header goes with it unless `csrf: false`. */
  cookie?: string;
  token?: string;
  csrf?: boolean;
  headers?: Record<string, string>;
}

export async function call(app: FastifyInstance, c: Call): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...c.headers };
  if (c.cookie) headers.cookie = c.cookie;
  if (c.cookie && c.csrf !== false) headers['x-ordo-csrf'] = '1';
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  const hasBody = c.body !== undefined;
  if (hasBody && typeof c.body !== 'string' && !headers['content-type']) {
    headers['content-type'] = 'application/json';
  }
  return app.inject({
    method: c.method ?? 'GET',
    url: c.url,
    headers,
    ...(hasBody ? { payload: typeof c.body === 'string' ? c.body : JSON.stringify(c.body) } : {}),
  });
}

/** Logs in and returns the cookie to send back. */
export async function login(
  app: FastifyInstance,
  credentials: { login: string; password: string } = ADMIN,
): Promise<string> {
  const res = await call(app, { method: 'POST', url: '/api/session', body: credentials });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'ordo_session');
  if (!cookie) throw new Error('no session cookie');
  return `ordo_session=${cookie.value}`;
}
