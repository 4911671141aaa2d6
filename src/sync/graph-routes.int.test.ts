/**
 * Connecting Microsoft 365 from the web page, end to end: GET /api/sync/graph/connect, the
 * browser at the identity platform stand-in (it signs in at once and sends the browser back
 * with a code), GET /api/sync/graph/callback, then synchronization through the Graph stand-in,
 * consent withdrawn, and connecting again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { call, login, startTestServer, type TestServer } from '../http/test-helpers.js';
import type { User } from '../planning/types.js';
import { syncOf } from './capability.js';
import { startGraphStandIn, type GraphStandIn } from './graph/graph-stand-in.js';
import {
  configureTestGraph,
  standInFetch,
  standInNetwork,
  TEST_LOGIN_ORIGIN,
  TEST_TENANT,
} from './graph-test-network.js';

const PKCE_COOKIE = 'ordo_graph_pkce';
const HOUR = 3_600_000;

let t: TestServer;
let standIn: GraphStandIn;
let bob: User;
let session: string;

beforeEach(async () => {
  // 60 s tokens are inside MSAL's renewal margin: each run asks the token endpoint again.
  standIn = await startGraphStandIn({ loginOrigin: TEST_LOGIN_ORIGIN, tokenLifetimeSeconds: 60 });
  t = await startTestServer('sqlite');
  await configureTestGraph(t.ordo);
  syncOf(t.ordo).graphNetwork = standInNetwork(standIn);
  bob = await createUser('bob');
  session = await login(t.app, { login: 'bob', password: 'bob-password-1' });
});

afterEach(async () => {
  await t?.close();
  await standIn?.close();
});

async function createUser(loginName: string): Promise<User> {
  const resource = await t.ordo.directory.createResource({ name: loginName, kind: 'human' });
  return t.ordo.users.create({
    login: loginName,
    password: `${loginName}-password-1`,
    resourceId: resource.id,
    defaultAccess: 'write',
  });
}

/** GET connect: Microsoft's sign-in address and the sealed PKCE cookie. */
async function connect(cookie = session) {
  const res = await call(t.app, { url: '/api/sync/graph/connect', cookie });
  expect(res.statusCode).toBe(302);
  const pkce = res.cookies.find((c) => c.name === PKCE_COOKIE);
  return { location: new URL(String(res.headers.location)), pkce: pkce?.value ?? null };
}

/** The browser at the identity platform: it comes back with the callback address. */
async function signIn(location: URL): Promise<URL> {
  const answer = await standInFetch(standIn)(location.toString(), { redirect: 'manual' });
  expect(answer.status).toBe(302);
  return new URL(String(answer.headers.get('location')));
}

async function callback(back: URL, pkce: string | null, cookie = session) {
  const res = await call(t.app, {
    url: back.pathname + back.search,
    cookie: pkce === null ? cookie : `${cookie}; ${PKCE_COOKIE}=${pkce}`,
  });
  expect(res.statusCode).toBe(302);
  return { location: String(res.headers.location), res };
}

async function connectAll(cookie = session) {
  const { location, pkce } = await connect(cookie);
  return callback(await signIn(location), pkce, cookie);
}

async function settings(cookie = session) {
  const res = await call(t.app, { url: '/api/sync/settings', cookie });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    provider: string | null;
    graph: { connected: boolean; needsReconnect: boolean; account: string | null } | null;
    lastRun: { status: string; errors: Array<{ code: string }> } | null;
  };
}

async function runNow() {
  // Runs are listed by start time: each starts a minute after the last.
  t.clock.advance(60_000);
  const res = await call(t.app, { method: 'POST', url: '/api/sync/run', cookie: session });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    status: string;
    counts: Record<string, number>;
    errors: Array<{ code: string }>;
  };
}

async function storedCache(userId: string): Promise<string | null> {
  const row = await syncOf(t.ordo).accounts.forUser(userId);
  return row?.graph_token_cache_sealed ?? null;
}

describe('GET /api/sync/graph/connect and /callback', () => {
  it('redirects to the authorize endpoint with PKCE, and the callback stores the account', async () => {
    const { location, pkce } = await connect();
    expect(location.origin + location.pathname).toBe(
      `${TEST_LOGIN_ORIGIN}/${TEST_TENANT}/oauth2/v2.0/authorize`,
    );
    const query = location.searchParams;
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(query.get('redirect_uri')).toMatch(/^http:\/\/[^/]+\/api\/sync\/graph\/callback$/);
    expect(query.get('scope')).toContain('Calendars.ReadWrite');
    // The verifier travels sealed: the cookie does not show the state in clear.
    expect(pkce).toMatch(/^v1:/);
    expect(pkce).not.toContain(query.get('state'));

    const back = await signIn(location);
    expect(back.searchParams.get('state')).toBe(query.get('state'));
    const done = await callback(back, pkce);
    expect(done.location).toBe('/?graph=connected#options/outlook');
    const cleared = done.res.cookies.find((c) => c.name === PKCE_COOKIE);
    expect(cleared?.value).toBe('');

    const shown = await settings();
    expect(shown.provider).toBe('graph');
    expect(shown.graph).toMatchObject({
      connected: true,
      needsReconnect: false,
      account: 'zoe@contoso.example',
    });
    const sealed = await storedCache(bob.id);
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('stand-in-');
    expect(standIn.stats.tokenGrants['authorization_code']).toBe(1);

    // The same return again: the code is spent, Microsoft refuses, the account stays as it was.
    const replay = await callback(back, pkce);
    expect(replay.location).toBe('/?graph=error&reason=SYNC_RECONNECT#options/outlook');
    expect(await storedCache(bob.id)).toBe(sealed);
    expect((await settings()).graph).toMatchObject({ connected: true });
  });

  it('refuses a wrong state, a tampered, foreign, missing or expired cookie, storing nothing', async () => {
    const carol = await createUser('carol');
    const carolSession = await login(t.app, { login: 'carol', password: 'carol-password-1' });
    const reasonOf = (location: string) =>
      new URLSearchParams(location.slice(2, location.indexOf('#'))).get('reason');

    const first = await connect();
    const back = await signIn(first.location);
    const wrongState = new URL(back);
    wrongState.searchParams.set('state', 'x'.repeat(32));
    expect(reasonOf((await callback(wrongState, first.pkce)).location)).toBe('state');

    const tampered = `${first.pkce!.slice(0, -4)}AAAA`;
    expect(reasonOf((await callback(back, tampered)).location)).toBe('session');
    expect(reasonOf((await callback(back, null)).location)).toBe('session');
    // Bob's pending sign-in finished in Carol's session.
    expect(reasonOf((await callback(back, first.pkce, carolSession)).location)).toBe('session');

    t.clock.advance(11 * 60_000);
    expect(reasonOf((await callback(back, first.pkce)).location)).toBe('expired');

    const denied = new URL(back);
    denied.search = '?error=access_denied&state=' + back.searchParams.get('state');
    expect(reasonOf((await callback(denied, first.pkce)).location)).toBe('access_denied');

    expect(standIn.stats.tokenGrants['authorization_code'] ?? 0).toBe(0);
    expect(await storedCache(bob.id)).toBeNull();
    expect(await storedCache(carol.id)).toBeNull();
    expect((await settings()).graph).toBeNull();
    expect((await settings(carolSession)).graph).toBeNull();
  });

  it('sends the browser back to the page when Microsoft 365 is not set up', async () => {
    await t.ordo.settings.set('graph.clientId', '');
    const res = await call(t.app, { url: '/api/sync/graph/connect', cookie: session });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/?graph=error&reason=GRAPH_NOT_CONFIGURED#options/outlook');
    expect(res.cookies.find((c) => c.name === PKCE_COOKIE)).toBeUndefined();
  });

  it('synchronizes both ways, asks to reconnect once consent is withdrawn, and reconnects', async () => {
    await connectAll();
    const enabled = await call(t.app, {
      method: 'PUT',
      url: '/api/sync/settings',
      cookie: session,
      body: { enabled: true, pastDays: 7 },
    });
    expect(enabled.statusCode).toBe(200);
    const actor = await t.ordo.users.actorFor(bob);
    const start = t.clock.now() + 26 * HOUR;
    await t.ordo.tasks.create({
      actor,
      input: {
        label: 'Pose cuisine',
        timing: { allDay: false, start, end: start + 2 * HOUR },
        resourceIds: [bob.resourceId as string],
        clientId: null,
        remark: '',
        location: '',
        category: '',
        reminder: { kind: 'none' },
        private: false,
      },
    });

    const first = await runNow();
    expect(first).toMatchObject({ status: 'ok', counts: { created: 1 }, errors: [] });
    expect(standIn.eventCount()).toBe(1);

    standIn.addEvent({ subject: 'Dentiste', start: start + 48 * HOUR, end: start + 49 * HOUR });
    const second = await runNow();
    expect(second).toMatchObject({ status: 'ok', errors: [] });
    const labels = (
      await t.ordo.tasks.list(actor, { from: start - HOUR, to: start + 72 * HOUR })
    ).map((task) => task.label);
    expect(labels.sort()).toEqual(['Dentiste', 'Pose cuisine']);

    standIn.revokeConsent();
    const refused = await runNow();
    expect(refused).toMatchObject({ status: 'failed', errors: [{ code: 'SYNC_RECONNECT' }] });
    const needing = await settings();
    expect(needing.graph).toMatchObject({
      connected: false,
      needsReconnect: true,
      account: 'zoe@contoso.example',
    });
    expect(needing.lastRun).toMatchObject({
      status: 'failed',
      errors: [{ code: 'SYNC_RECONNECT' }],
    });

    expect((await connectAll()).location).toBe('/?graph=connected#options/outlook');
    expect((await settings()).graph).toMatchObject({ connected: true, needsReconnect: false });
    const again = await runNow();
    expect(again).toMatchObject({ status: 'ok', errors: [] });
    // Same mailbox: the pairs were kept, nothing was created twice.
    expect(again.counts.created ?? 0).toBe(0);
    expect(standIn.eventCount()).toBe(2);
  });
});
