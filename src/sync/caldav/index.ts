export {
  createCalDavProvider,
  type CalDavChangeSet,
  type CalDavProvider,
  type CalDavProviderOptions,
} from './caldav-provider.js';
export { discoverCalendars, type DiscoverOptions, type DiscoveredCalendar } from './discovery.js';
export type { RetryOptions } from './dav-client.js';
export type { UnreadableItem } from './caldav-listing.js';
