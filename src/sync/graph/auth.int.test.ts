import crypto from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { createSecretBox } from '../../security/secrets.js';
import { createGraphAuth, createFetchNetworkClient, type TokenStore } from './auth.js';
import { startGraphStandIn, type GraphStandIn } from './graph-stand-in.js';
import { createGraphEventsProvider } from './events.js';
import { CONTRACT_WINDOW } from '../provider-contract.js';

const LOGIN = 'https://login.ordo.test';
let standIn: GraphStandIn | null = null;

afterEach(async () => {
  await standIn?.close();
  standIn = null;
});

function memoryStore(): TokenStore & { value: string | null } {
  return {
    value: null,
    async load() {
      return this.value;
    },
    async save(serialized) {
      this.value = serialized;
    },
  };
}

async function setUp(options: { tokenLifetimeSeconds?: number } = {}) {
  standIn = await startGraphStandIn({ loginOrigin: LOGIN, deviceCodeInterval: 0, ...options });
  const server = standIn;
  const store = memoryStore();
  const secrets = createSecretBox(crypto.randomBytes(32));
  const auth = createGraphAuth({
    clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
    tenant: 'contoso',
    authorityHost: LOGIN,
    tokenStore: store,
    secrets,
    // The only difference from production: the authority's host is this stand-in.
    networkClient: createFetchNetworkClient({ mapUrl: (url) => url.replace(LOGIN, server.url) }),
  });
  return { server, store, secrets, auth };
}

describe('Graph sign-in through MSAL against the identity platform stand-in', () => {
  it('connects with the authorization code and PKCE, and stores the cache sealed', async () => {
    const { server, store, secrets, auth } = await setUp();
    const redirectUri = 'https://ordo.example/settings/graph/callback';
    const start = await auth.startAuthorization({ redirectUri, state: 'st-1' });
    const url = new URL(start.url);
    expect(url.origin + url.pathname).toBe(`${LOGIN}/contoso/oauth2/v2.0/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    // The browser: the stand-in signs in at once and redirects back with the code.
    const answer = await fetch(start.url.replace(LOGIN, server.url), { redirect: 'manual' });
    const back = new URL(answer.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-1');

    const account = await auth.redeemCode({
      code: back.searchParams.get('code')!,
      codeVerifier: start.codeVerifier,
      redirectUri,
    });
    expect(account.username).toBe('zoe@contoso.example');
    expect(store.value).toMatch(/^v1:/);
    expect(store.value).not.toContain('refresh');
    expect(secrets.open(store.value!)).toContain('RefreshToken');

    const token = await auth.getAccessToken();
    const provider = createGraphEventsProvider({
      baseUrl: server.graphUrl,
      getAccessToken: () => auth.getAccessToken(),
    });
    expect(token).toMatch(/^stand-in-/);
    expect((await provider.listChanges(null, CONTRACT_WINDOW)).complete).toBe(true);
  });

  it('refuses a code redeemed with the wrong PKCE verifier', async () => {
    const { server, auth } = await setUp();
    const redirectUri = 'https://ordo.example/cb';
    const start = await auth.startAuthorization({ redirectUri, state: 's' });
    const answer = await fetch(start.url.replace(LOGIN, server.url), { redirect: 'manual' });
    const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
    await expect(
      auth.redeemCode({ code, codeVerifier: 'x'.repeat(43), redirectUri }),
    ).rejects.toMatchObject({ code: 'SYNC_RECONNECT', remote: { errorCode: 'invalid_grant' } });
  });

  it('connects with the device code once the user approved it', async () => {
    const { server, auth } = await setUp();
    const prompts: string[] = [];
    const account = await auth.connectWithDeviceCode((prompt) => {
      prompts.push(prompt.message);
      setTimeout(() => server.approveDeviceCode(prompt.userCode), 50);
    });
    expect(prompts[0]).toContain(`${LOGIN}/devicelogin`);
    expect(account.tenantId).toBe('9188040d-6c67-4c5b-b112-36a304b66dad');
    expect(server.stats.tokenGrants['device_code']).toBeGreaterThan(0);
    expect(await auth.getAccessToken()).toMatch(/^stand-in-/);
  });

  it('renews a token near expiry with the refresh token, and asks to reconnect once revoked', async () => {
    // 60 s tokens are inside MSAL's 5-minute renewal margin: every silent call renews.
    const { server, auth } = await setUp({ tokenLifetimeSeconds: 60 });
    await auth.connectWithDeviceCode((prompt) => server.approveDeviceCode(prompt.userCode));
    const first = await auth.getAccessToken();
    const second = await auth.getAccessToken();
    expect(second).not.toBe(first);
    expect(server.stats.tokenGrants['refresh_token']).toBeGreaterThanOrEqual(1);

    server.revokeConsent();
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'SYNC_RECONNECT' });
  });

  it('asks to reconnect when no account was ever connected', async () => {
    const { auth } = await setUp();
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'SYNC_RECONNECT' });
  });

  it('keeps a long-lived token without asking the token endpoint again', async () => {
    const { server, auth } = await setUp();
    await auth.connectWithDeviceCode((prompt) => server.approveDeviceCode(prompt.userCode));
    const first = await auth.getAccessToken();
    expect(await auth.getAccessToken()).toBe(first);
    expect(server.stats.tokenGrants['refresh_token'] ?? 0).toBe(0);
  });
});
