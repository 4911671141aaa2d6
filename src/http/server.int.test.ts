import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from './test-helpers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('HTTP server on a real socket', () => {
  it('logs in, creates and reads a task over fetch', async () => {
    server = await startTestServer('sqlite');
    const address = await server.app.listen({ host: '127.0.0.1', port: 0 });

    const health = await fetch(`${address}/api/health`);
    expect(await health.json()).toEqual({ ok: true });

    const loginRes = await fetch(`${address}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(loginRes.status).toBe(200);
    const setCookie = loginRes.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const cookie = setCookie.split(';')[0] ?? '';

    const created = await fetch(`${address}/api/tasks`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-ordo-csrf': '1' },
      body: JSON.stringify({
        label: 'Socket',
        start: '2026-03-02T08:00:00Z',
        end: '2026-03-02T09:00:00Z',
      }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string };
    const read = await fetch(`${address}/api/tasks/${task.id}`, { headers: { cookie } });
    expect(((await read.json()) as { label: string }).label).toBe('Socket');

    const tooBig = await fetch(`${address}/api/tasks`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-ordo-csrf': '1' },
      body: JSON.stringify({ label: 'x'.repeat(3 * 1024 * 1024) }),
    });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe(
      'BODY_TOO_LARGE',
    );
  });
});
