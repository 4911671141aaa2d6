/**
 * Connecting a user's Microsoft 365 account, shared by the web routes (authorization code with
 * PKCE) and the command line (device code): the company's Graph settings, MSAL pointed at the
 * configured identity platform, and a staging token store, so a sign-in that fails or is
 * refused leaves the account as it was (the cache is stored only with the connected account).
 */
import type { INetworkModule } from '@azure/msal-node';

import type { Ordo } from '../app/ordo.js';
import { OrdoError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { SyncAccounts } from './accounts.js';
import {
  createGraphAuth,
  type GraphAccount,
  type GraphAuth,
  type TokenStore,
} from './graph/index.js';

/** How Microsoft Graph and the identity platform are reached; tests map them to a stand-in. */
export interface GraphNetwork {
  /** MSAL's network module; the default uses fetch. */
  networkClient?: INetworkModule;
  /** The fetch Graph requests go through. */
  fetch?: typeof fetch;
}

export interface GraphSettings {
  clientId: string;
  tenant: string;
  authorityHost: string;
  baseUrl: string;
}

/** The company's Graph settings; GRAPH_NOT_CONFIGURED names the missing application id. */
export async function readGraphSettings(ordo: Ordo): Promise<GraphSettings> {
  const clientId = (await ordo.settings.get('graph.clientId')).trim();
  if (!clientId) {
    throw new OrdoError('GRAPH_NOT_CONFIGURED', {
      message:
        "Microsoft 365 is not set up: an administrator registers Ordo's application with " +
        'Microsoft Entra ID and sets its id (ordo config set graph.clientId APPLICATION_ID)',
      details: { field: 'graph.clientId' },
    });
  }
  return {
    clientId,
    tenant: (await ordo.settings.get('graph.tenant')).trim() || 'common',
    authorityHost: await ordo.settings.get('graph.authorityHost'),
    baseUrl: await ordo.settings.get('graph.baseUrl'),
  };
}

export interface AccountAuthOptions {
  ordo: Ordo;
  settings: GraphSettings;
  tokenStore: TokenStore;
  network?: GraphNetwork;
  logger?: Logger;
}

/** MSAL for one account's token cache, at the configured identity platform. */
export function accountGraphAuth(options: AccountAuthOptions): GraphAuth {
  const { settings } = options;
  return createGraphAuth({
    clientId: settings.clientId,
    tenant: settings.tenant,
    authorityHost: settings.authorityHost,
    tokenStore: options.tokenStore,
    secrets: options.ordo.secrets,
    logger: options.logger ?? options.ordo.logger,
    ...(options.network?.networkClient ? { networkClient: options.network.networkClient } : {}),
  });
}

export interface GraphConnection {
  auth: GraphAuth;
  /** Stores the connected account with the cache its sign-in produced; the old one is replaced. */
  save(account: GraphAccount): Promise<void>;
}

/**
 * A sign-in for `userId` that starts from an empty token cache: a second account signed in on
 * top of the old cache would leave two accounts in it, and the old one could be used.
 */
export async function startGraphConnection(options: {
  ordo: Ordo;
  accounts: SyncAccounts;
  userId: string;
  network?: GraphNetwork;
  logger?: Logger;
}): Promise<GraphConnection> {
  const settings = await readGraphSettings(options.ordo);
  let staged: string | null = null;
  const auth = accountGraphAuth({
    ordo: options.ordo,
    settings,
    network: options.network,
    logger: options.logger,
    tokenStore: {
      load: async () => staged,
      save: async (sealed) => {
        staged = sealed;
      },
    },
  });
  return {
    auth,
    async save(account) {
      if (!staged) throw new OrdoError('GRAPH_AUTH', { message: 'No token came back' });
      await options.accounts.connectGraph(options.userId, {
        account: account.username,
        tokenCacheSealed: staged,
      });
    },
  };
}
