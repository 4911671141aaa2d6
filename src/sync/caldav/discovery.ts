/**
 * Finds the calendars of an account from a server address: RFC 6764 §5 `/.well-known/caldav`
 * (falling back to the address itself), then RFC 5397 current-user-principal, RFC 4791 §6.2.1
 * calendar-home-set, and a Depth-1 PROPFIND of the home for the calendars.
 */
import type { ItemKind } from '../provider.js';
import { readMultistatus, toCollectionInfo } from './collection-info.js';
import { COLLECTION_PROPS, propfindBody, XML_HEADERS } from './dav-bodies.js';
import {
  createDavClient,
  pathOf,
  remoteError,
  type DavClient,
  type RetryOptions,
} from './dav-client.js';
import { readHrefs } from './dav-xml.js';
import { collectionUrlOf } from './caldav-refs.js';

export interface DiscoverOptions {
  serverUrl: string;
  username?: string;
  password?: string;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  sleep?: (ms: number) => Promise<void>;
}

export interface DiscoveredCalendar {
  url: string;
  displayName: string | null;
  kinds: ItemKind[];
  supportsSyncCollection: boolean;
  /** `null` when the server does not say. */
  writable: boolean | null;
}

export async function discoverCalendars(options: DiscoverOptions): Promise<DiscoveredCalendar[]> {
  const client = createDavClient(options);
  const base = collectionUrlOf(options.serverUrl);

  const principal =
    (await findPrincipal(client, new URL('/.well-known/caldav', base).toString())) ??
    (await findPrincipal(client, base));
  if (!principal) throw notFound(base, 'The server names no principal for this account');

  const home = (await readHrefProperty(client, principal, 'C:calendar-home-set'))[0];
  if (!home) throw notFound(principal, 'The principal names no calendar home');

  return listCalendars(client, collectionUrlOf(home));
}

/** The principal URL, or `null` when this address does not answer the question. */
async function findPrincipal(client: DavClient, url: string): Promise<string | null> {
  const hrefs = await readHrefProperty(client, url, 'D:current-user-principal', true);
  return hrefs[0] ?? null;
}

async function readHrefProperty(
  client: DavClient,
  url: string,
  property: string,
  lenient = false,
): Promise<string[]> {
  const answer = await client.send({
    method: 'PROPFIND',
    url,
    headers: { ...XML_HEADERS, Depth: '0' },
    body: propfindBody([property]),
  });
  if (answer.status === 403) throw remoteError('SYNC_REMOTE_AUTH', failureOf(url, answer));
  if (answer.status !== 207) {
    // A well-known URL that is not served (404, 405, ...) just means "try the base".
    if (lenient) return [];
    throw remoteError('SYNC_REMOTE_PROTOCOL', failureOf(url, answer));
  }

  // Redirects (the well-known URL usually redirects) change the base hrefs resolve from.
  const name = property.split(':')[1] as string;
  const found = readMultistatus(answer.body, url).flatMap((r) => readHrefs(r.props[name]));
  return found.map((href) => new URL(href, answer.url).toString());
}

async function listCalendars(client: DavClient, home: string): Promise<DiscoveredCalendar[]> {
  const answer = await client.send({
    method: 'PROPFIND',
    url: home,
    headers: { ...XML_HEADERS, Depth: '1' },
    body: propfindBody(COLLECTION_PROPS),
  });
  if (answer.status !== 207) {
    const code = answer.status === 403 ? 'SYNC_REMOTE_AUTH' : 'SYNC_REMOTE_PROTOCOL';
    throw remoteError(code, failureOf(home, answer));
  }

  return readMultistatus(answer.body, home)
    .map(toCollectionInfo)
    .filter((info) => info.isCalendar)
    .map((info) => ({
      url: collectionUrlOf(new URL(info.href, answer.url).toString()),
      displayName: info.displayName,
      kinds: info.kinds,
      supportsSyncCollection: info.supportsSyncCollection,
      writable: info.writable,
    }));
}

function failureOf(url: string, answer: { status: number; body: string }) {
  return { href: pathOf(url), status: answer.status, body: answer.body };
}

function notFound(url: string, message: string) {
  return remoteError('SYNC_REMOTE_PROTOCOL', { href: pathOf(url), status: null, message });
}
