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
import { createGraphAuth, createGraphProvider } from './graph/index.js';
import type { CalendarProvider } from './provider.js';

export interface ProviderContext {
  ordo: Ordo;
  accounts: SyncAccounts;
  timeZone: string;
  logger: Logger;
  fetch?: typeof fetch;
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
    ...(context.fetch ? { fetch: context.fetch } : {}),
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
  const auth = createGraphAuth({
    clientId: await ordo.settings.get('graph.clientId'),
    tenant: await ordo.settings.get('graph.tenant'),
    tokenStore: context.accounts.graphTokenStore(row.id),
    secrets: ordo.secrets,
    logger: context.logger,
  });
  return createGraphProvider({
    getAccessToken: () => auth.getAccessToken(),
    ...(row.graph_account ? { mailbox: row.graph_account } : {}),
    ...(row.graph_calendar_id ? { calendarId: row.graph_calendar_id } : {}),
    ...(row.graph_todo_list_id ? { todoListId: row.graph_todo_list_id } : {}),
    clock: ordo.clock,
    logger: context.logger,
    ...(context.fetch ? { fetch: context.fetch } : {}),
  });
}
