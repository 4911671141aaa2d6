/**
 * Calendar discovery for an address a user typed (the web page, `ordo sync configure
 * --check`): through the guarded fetch with discovery's short timeout and small body cap, and
 * a refused address answered as such rather than as an unreachable server.
 */
import {
  discoverCalendars,
  type DiscoverOptions,
  type DiscoveredCalendar,
} from './caldav/index.js';
import {
  checkFetchable,
  createGuardedFetch,
  DISCOVERY_LIMITS,
  surfacingRefusal,
  type Lookup,
} from './guarded-fetch.js';

export interface GuardedDiscoverOptions extends DiscoverOptions {
  /** For tests: how host names resolve. */
  lookup?: Lookup;
}

export async function discoverGuarded(
  options: GuardedDiscoverOptions,
): Promise<DiscoveredCalendar[]> {
  const { lookup, ...discover } = options;
  await checkFetchable(options.serverUrl, lookup);
  const fetch = createGuardedFetch({ ...DISCOVERY_LIMITS, fetch: options.fetch, lookup });
  return surfacingRefusal(() => discoverCalendars({ ...discover, fetch }));
}
