/**
 * Tokens for the company's sending mailbox, obtained by Ordo itself (no user signs in): the
 * OAuth 2.0 client credentials flow
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow),
 * the documented way for a server to send as a mailbox with the application permission
 * Mail.Send, granted once by an administrator. MSAL keeps the token in memory and answers
 * from there until it nears expiry, so one token serves a burst of messages.
 */
import { ConfidentialClientApplication, type INetworkModule } from '@azure/msal-node';

import { isOrdoError, OrdoError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { createFetchNetworkClient, PUBLIC_AUTHORITY_HOST } from '../sync/graph/auth.js';

/** An application token is asked for the resource's `.default` scope: what consent granted. */
export const GRAPH_APP_SCOPE = 'https://graph.microsoft.com/.default';

export interface GraphAppTokenOptions {
  /** Setting graph.clientId. */
  clientId: string;
  /** Setting graph.clientSecret. */
  clientSecret: string;
  /** Setting graph.tenant: the tenant id or domain (not common: an app token needs a tenant). */
  tenant: string;
  /** Setting graph.authorityHost. */
  authorityHost?: string;
  /** How MSAL reaches the identity platform; the default uses fetch. */
  networkClient?: INetworkModule;
  logger: Logger;
}

export interface GraphAppToken {
  /** A valid access token; GRAPH_AUTH (permanent) when the credentials are refused. */
  getAccessToken(): Promise<string>;
}

export function createGraphAppToken(options: GraphAppTokenOptions): GraphAppToken {
  const logger = options.logger.child({ component: 'graph-app-token' });
  const host = (options.authorityHost ?? PUBLIC_AUTHORITY_HOST).replace(/\/+$/, '');
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      authority: `${host}/${options.tenant}`,
      knownAuthorities: host === PUBLIC_AUTHORITY_HOST ? [] : [new URL(host).host],
    },
    system: { networkClient: options.networkClient ?? createFetchNetworkClient() },
  });

  return {
    async getAccessToken() {
      try {
        const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_APP_SCOPE] });
        if (!result?.accessToken) {
          throw new OrdoError('GRAPH_AUTH', {
            message: 'The identity platform gave no token',
            details: { temporary: false },
          });
        }
        if (!result.fromCache) logger.info({ tenantId: result.tenantId }, 'graph app token');
        return result.accessToken;
      } catch (error) {
        const failure = tokenError(error);
        logger.warn({ code: failure.code, remote: failure.remote }, 'graph app token refused');
        throw failure;
      }
    },
  };
}

/**
 * Errors that a later try cannot fix (a wrong or expired secret, AADSTS7000215 / 7000222; an
 * unknown application or tenant) are permanent, as a refused SMTP login is: retrying them
 * only hammers the identity platform. An unreachable platform or a 5xx is temporary.
 */
const PERMANENT = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'invalid_scope',
  'invalid_grant',
  'invalid_resource',
]);

function tokenError(error: unknown): OrdoError {
  if (isOrdoError(error)) return error;
  const failure = error as { errorCode?: string; errorMessage?: string; status?: number };
  const errorCode = failure.errorCode ?? null;
  // The first line of AADSTS messages says what is wrong; the trace ids that follow do not.
  const message = (failure.errorMessage ?? String(error)).split(/\r?\n/)[0]!.slice(0, 500);
  const remote = { errorCode, message };
  if (errorCode && PERMANENT.has(errorCode)) {
    return new OrdoError('GRAPH_AUTH', { remote, details: { temporary: false }, cause: error });
  }
  return new OrdoError('GRAPH_UNAVAILABLE', { remote, details: { temporary: true }, cause: error });
}
