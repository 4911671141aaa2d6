/**
 * Builds the calendar provider of an account: CalDAV with its stored (sealed) password, or
 * Microsoft Graph with its stored (sealed) MSAL token cache. The network is passed in so
 * tests can count or break requests.
 */
import type { Ordo } from '../app/ordo.js';
import { OrdoError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { SyncAccountRow, SyncAccounts } from './accounts.js';
import { createCalDavProvider } from './caldav/index.js';
import { createGraphProvider } from './graph/index.js';
import { accountGraphAuth, readGraphSettings, type GraphNetwork } from './graph-connection.js';
import { createGuardedFetch, SYNC_LIMITS } from './guarded-fetch.js';
import type { CalendarProvider } from './provider.js';

export interface ProviderContext {
  ordo: Ordo;
  accounts: SyncAccounts;
  timeZone: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** How Graph and the identity platform are reached (its fetch wins over `fetch`). */
  graphNetwork?: GraphNetwork;
}

export async function providerFor(
  row: SyncAccountRow,
  context: ProviderContext,
): Promise<CalendarProvider> {
  switch (row.provider) {
    case 'caldav':
      return caldavProvider(row, context);
    case 'graph':
      return graphProvider(row, context);
    default:
      throw new OrdoError('SYNC_NOT_CONFIGURED', { details: { accountId: row.id } });
  }
}

function caldavProvider(row: SyncAccountRow, context: ProviderContext): CalendarProvider {
  if (!row.caldav_calendar_url) {
    throw new OrdoError('SYNC_NOT_CONFIGURED', {
      message: 'No CalDAV calendar is chosen',
      details: { accountId: row.id },
    });
  }
  return createCalDavProvider({
    calendarUrl: row.caldav_calendar_url,
    username: row.caldav_username ?? undefined,
    password: context.accounts.caldavPassword(row),
    timeZone: context.timeZone,
    logger: context.logger,
    clock: context.ordo.clock,
    // The calendar's address is the user's: it goes through the guard like discovery did.
    fetch: createGuardedFetch({ ...SYNC_LIMITS, fetch: context.fetch }),
  });
}

async function graphProvider(
  row: SyncAccountRow,
  context: ProviderContext,
): Promise<CalendarProvider> {
  const { ordo } = context;
  if (!row.graph_token_cache_sealed) {
    throw new OrdoError('SYNC_RECONNECT', { details: { accountId: row.id, reason: 'no account' } });
  }
  const settings = await readGraphSettings(ordo);
  const auth = accountGraphAuth({
    ordo,
    settings,
    tokenStore: context.accounts.graphTokenStore(row.id),
    network: context.graphNetwork,
    logger: context.logger,
  });
  // Not guarded like CalDAV: Graph's addresses are the administrator's setting and the links
  // Microsoft answers with, never an address a user typed.
  const graphFetch = context.graphNetwork?.fetch ?? context.fetch;
  return createGraphProvider({
    baseUrl: settings.baseUrl,
    getAccessToken: () => auth.getAccessToken(),
    ...(row.graph_account ? { mailbox: row.graph_account } : {}),
    ...(row.graph_calendar_id ? { calendarId: row.graph_calendar_id } : {}),
    ...(row.graph_todo_list_id ? { todoListId: row.graph_todo_list_id } : {}),
    clock: ordo.clock,
    logger: context.logger,
    ...(graphFetch ? { fetch: graphFetch } : {}),
  });
}
