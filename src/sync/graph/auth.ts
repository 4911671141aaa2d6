/**
 * Connecting a Microsoft 365 / Outlook.com account through the Microsoft identity platform,
 * with MSAL (@azure/msal-node): the authorization-code flow with PKCE for the web page
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow) and the
 * device-code flow for the command line
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code).
 *
 * Ordo is a public client (the administrator registers only an application id and a tenant,
 * no secret), so PKCE protects the code. MSAL's token cache is stored sealed with the secret
 * box, through a TokenStore the caller provides; access tokens are renewed by
 * acquireTokenSilent before they expire (MSAL renews within 5 minutes of expiry). A consent the
 * user revoked (invalid_grant, interaction_required) raises SYNC_RECONNECT.
 */
import {
  CryptoProvider,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type ICachePlugin,
  type INetworkModule,
  type NetworkResponse,
  type NetworkRequestOptions,
} from '@azure/msal-node';

import { isOrdoError, OrdoError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import type { SecretBox } from '../../security/secrets.js';

/** Where the sealed token cache of one account is kept (a settings row, a file). */
export interface TokenStore {
  load(): Promise<string | null>;
  save(serialized: string): Promise<void>;
}

/** What Ordo asks for: appointments, To Do tasks, sending mail; offline_access is implied. */
export const GRAPH_SCOPES = [
  'https://graph.microsoft.com/Calendars.ReadWrite',
  'https://graph.microsoft.com/Tasks.ReadWrite',
  'https://graph.microsoft.com/Mail.Send',
];

export interface GraphAuthOptions {
  /** Setting graph.clientId. */
  clientId: string;
  /** Setting graph.tenant: common, organizations, consumers or a tenant id. */
  tenant: string;
  /** The identity platform's host; the default is the public cloud. */
  authorityHost?: string;
  scopes?: string[];
  tokenStore: TokenStore;
  secrets: SecretBox;
  /** How MSAL reaches the identity platform; the default uses fetch. */
  networkClient?: INetworkModule;
  logger?: Logger;
}

export interface GraphAccount {
  username: string;
  name: string | null;
  tenantId: string;
  homeAccountId: string;
}

export interface AuthorizationStart {
  url: string;
  /** Kept by the caller (the user's session) until the code comes back; never sent out. */
  codeVerifier: string;
}

export interface DeviceCodePrompt {
  message: string;
  userCode: string;
  verificationUri: string;
}

export interface GraphAuth {
  /** The page to send the user's browser to, and the PKCE verifier to keep meanwhile. */
  startAuthorization(input: { redirectUri: string; state: string }): Promise<AuthorizationStart>;
  /** Redeems the code the browser came back with; the tokens go to the store. */
  redeemCode(input: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<GraphAccount>;
  /** The command line's flow: `prompt` shows the code; resolves once the user signed in. */
  connectWithDeviceCode(prompt: (code: DeviceCodePrompt) => void): Promise<GraphAccount>;
  /** A valid access token, renewed when near expiry; SYNC_RECONNECT when consent is gone. */
  getAccessToken(): Promise<string>;
  account(): Promise<GraphAccount | null>;
}

export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export function createGraphAuth(options: GraphAuthOptions): GraphAuth {
  if (!options.clientId) throw new OrdoError('GRAPH_NOT_CONFIGURED');
  const logger = (options.logger ?? silentLogger()).child({ component: 'graph-auth' });
  const host = (options.authorityHost ?? PUBLIC_AUTHORITY_HOST).replace(/\/+$/, '');
  const scopes = options.scopes ?? GRAPH_SCOPES;
  const app = new PublicClientApplication({
    auth: {
      clientId: options.clientId,
      authority: `${host}/${options.tenant}`,
      knownAuthorities: host === PUBLIC_AUTHORITY_HOST ? [] : [new URL(host).host],
    },
    cache: { cachePlugin: sealedCache(options) },
    system: { networkClient: options.networkClient ?? createFetchNetworkClient() },
  });
  const crypto = new CryptoProvider();

  async function currentAccount(): Promise<AccountInfo | null> {
    const accounts = await app.getTokenCache().getAllAccounts();
    return accounts[0] ?? null;
  }

  return {
    async startAuthorization({ redirectUri, state }) {
      const pkce = await crypto.generatePkceCodes();
      const url = await app.getAuthCodeUrl({
        scopes,
        redirectUri,
        state,
        codeChallenge: pkce.challenge,
        codeChallengeMethod: 'S256',
      });
      return { url, codeVerifier: pkce.verifier };
    },
    async redeemCode({ code, codeVerifier, redirectUri }) {
      const result = await authCall(() =>
        app.acquireTokenByCode({ code, codeVerifier, redirectUri, scopes }),
      );
      logger.info({ tenantId: result.tenantId }, 'graph account connected');
      return accountOf(result);
    },
    async connectWithDeviceCode(prompt) {
      const result = await authCall(() =>
        app.acquireTokenByDeviceCode({
          scopes,
          deviceCodeCallback: (response) =>
            prompt({
              message: response.message,
              userCode: response.userCode,
              verificationUri: response.verificationUri,
            }),
        }),
      );
      if (!result)
        throw new OrdoError('GRAPH_AUTH', { message: 'The device sign-in was cancelled' });
      logger.info({ tenantId: result.tenantId }, 'graph account connected');
      return accountOf(result);
    },
    async getAccessToken() {
      const account = await currentAccount();
      if (!account) throw new OrdoError('SYNC_RECONNECT', { details: { reason: 'no account' } });
      const result = await authCall(() => app.acquireTokenSilent({ account, scopes }));
      return result.accessToken;
    },
    async account() {
      const account = await currentAccount();
      return account ? accountInfoOf(account) : null;
    },
  };
}

/** MSAL's cache, sealed at rest: read before each access, written back when it changed. */
function sealedCache(options: GraphAuthOptions): ICachePlugin {
  return {
    async beforeCacheAccess(context) {
      const sealed = await options.tokenStore.load();
      if (sealed) context.tokenCache.deserialize(options.secrets.open(sealed));
    },
    async afterCacheAccess(context) {
      if (!context.cacheHasChanged) return;
      await options.tokenStore.save(options.secrets.seal(context.tokenCache.serialize()));
    },
  };
}

const RECONNECT_CODES = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
]);

/** Runs an MSAL call; a lost consent becomes SYNC_RECONNECT, other refusals GRAPH_AUTH. */
async function authCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isOrdoError(error)) throw error;
    const failure = error as { errorCode?: string; subError?: string; errorMessage?: string };
    const remote = {
      errorCode: failure.errorCode ?? null,
      subError: failure.subError ?? null,
      message: (failure.errorMessage ?? String(error)).slice(0, 500),
    };
    if (
      error instanceof InteractionRequiredAuthError ||
      RECONNECT_CODES.has(failure.errorCode ?? '')
    ) {
      throw new OrdoError('SYNC_RECONNECT', { remote, cause: error });
    }
    throw new OrdoError('GRAPH_AUTH', { remote, cause: error });
  }
}

function accountOf(result: AuthenticationResult | null): GraphAccount {
  if (!result?.account) throw new OrdoError('GRAPH_AUTH', { message: 'No account came back' });
  return accountInfoOf(result.account);
}

function accountInfoOf(account: AccountInfo): GraphAccount {
  return {
    username: account.username,
    name: account.name ?? null,
    tenantId: account.tenantId,
    homeAccountId: account.homeAccountId,
  };
}

export interface FetchNetworkClientOptions {
  fetch?: typeof fetch;
  /** Maps a URL before it is fetched: tests send the authority's host to a local stand-in. */
  mapUrl?: (url: string) => string;
  timeoutMs?: number;
}

/** MSAL's network module on fetch: GET and form POST, JSON answers, any status returned. */
export function createFetchNetworkClient(options: FetchNetworkClientOptions = {}): INetworkModule {
  const doFetch = options.fetch ?? globalThis.fetch;
  const mapUrl = options.mapUrl ?? ((url: string) => url);

  async function request<T>(
    method: 'GET' | 'POST',
    url: string,
    init: NetworkRequestOptions | undefined,
  ): Promise<NetworkResponse<T>> {
    const response = await doFetch(mapUrl(url), {
      method,
      headers: init?.headers,
      body: method === 'POST' ? init?.body : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const body = parseJsonBody(await response.text());
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: body as T,
    };
  }

  return {
    sendGetRequestAsync: (url, init) => request('GET', url, init),
    sendPostRequestAsync: (url, init) => request('POST', url, init),
  };
}

/** MSAL reads the body as JSON; an empty or unreadable one becomes `{}` with its status. */
function parseJsonBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}
