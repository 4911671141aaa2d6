/** What a calendar collection says about itself: capabilities and change markers. */
import type { ItemKind } from '../provider.js';
import { remoteError, pathOf, type DavClient } from './dav-client.js';
import { COLLECTION_PROPS, propfindBody, XML_HEADERS } from './dav-bodies.js';
import {
  asArray,
  asNode,
  parseMultistatus,
  parseMultistatusInParts,
  readText,
  type DavResponse,
} from './dav-xml.js';

export interface CollectionInfo {
  href: string;
  isCalendar: boolean;
  displayName: string | null;
  /** From supported-calendar-component-set; RFC 4791 §5.2.3: absent means every kind. */
  kinds: ItemKind[];
  supportsSyncCollection: boolean;
  syncToken: string | null;
  ctag: string | null;
  /** `null` when the server does not tell (no current-user-privilege-set). */
  writable: boolean | null;
}

/**
 * Reads the collection's properties. `ctag: false` leaves getctag out: Radicale computes it
 * over every item, as it does the sync-token, so asking both doubles the PROPFIND's cost on
 * a large calendar, and a server with sync-collection needs no ctag.
 */
export async function readCollectionInfo(
  client: DavClient,
  url: string,
  options: { ctag?: boolean } = {},
): Promise<CollectionInfo> {
  const props =
    options.ctag === false ? COLLECTION_PROPS.filter((p) => p !== 'CS:getctag') : COLLECTION_PROPS;
  const answer = await client.send({
    method: 'PROPFIND',
    url,
    headers: { ...XML_HEADERS, Depth: '0' },
    body: propfindBody(props),
  });
  if (answer.status === 404 || answer.status === 410) {
    throw remoteError('SYNC_NOT_CONFIGURED', {
      href: pathOf(url),
      status: answer.status,
      body: answer.body,
      message: 'There is no calendar at this address',
    });
  }
  if (answer.status !== 207) {
    const code = answer.status === 403 ? 'SYNC_REMOTE_AUTH' : 'SYNC_REMOTE_PROTOCOL';
    throw remoteError(code, { href: pathOf(url), status: answer.status, body: answer.body });
  }

  const response = readMultistatus(answer.body, url)[0];
  if (!response) {
    throw remoteError('SYNC_REMOTE_PROTOCOL', {
      href: pathOf(url),
      status: answer.status,
      body: answer.body,
      message: 'The calendar answered a PROPFIND without describing itself',
    });
  }
  const info = toCollectionInfo(response);
  // An address book, a user's home or a plain folder would take every item as a new object.
  if (!info.isCalendar) {
    throw remoteError('SYNC_NOT_CONFIGURED', {
      href: pathOf(url),
      status: answer.status,
      message: 'The address is not a calendar (its resource type is not CalDAV calendar)',
    });
  }
  return info;
}

/**
 * The collection's getctag alone (Depth 0): the cheapest "anything changed?" a server answers.
 * `null` when it keeps none; a server answering with anything but 207 fails as
 * `readCollectionInfo`.
 */
export async function readCtag(client: DavClient, url: string): Promise<string | null> {
  const answer = await client.send({
    method: 'PROPFIND',
    url,
    headers: { ...XML_HEADERS, Depth: '0' },
    body: propfindBody(['CS:getctag']),
  });
  if (answer.status !== 207) {
    const code = answer.status === 403 ? 'SYNC_REMOTE_AUTH' : 'SYNC_REMOTE_PROTOCOL';
    throw remoteError(code, { href: pathOf(url), status: answer.status, body: answer.body });
  }
  const response = readMultistatus(answer.body, url)[0];
  return (response && readText(response.props.getctag)) || null;
}

export function toCollectionInfo(response: DavResponse): CollectionInfo {
  const props = response.props;
  const resourceType = asNode(props.resourcetype) ?? {};
  const reports = asArray(asNode(props['supported-report-set'])?.['supported-report']);
  const supportsSyncCollection = reports.some((entry) => {
    const report = asNode(asNode(entry)?.report) ?? asNode(entry);
    return report !== null && 'sync-collection' in report;
  });

  return {
    href: response.href,
    isCalendar: 'calendar' in resourceType,
    displayName: readText(props.displayname) || null,
    kinds: readKinds(props['supported-calendar-component-set']),
    supportsSyncCollection,
    syncToken: readText(props['sync-token']) || null,
    ctag: readText(props.getctag) || null,
    writable: readWritable(props['current-user-privilege-set']),
  };
}

/** Parses a 207 answer; an unreadable one is a protocol error naming the URL. */
export function readMultistatus(body: string, url: string): DavResponse[] {
  return readMultistatusWithToken(body, url).responses;
}

/** As `readMultistatusWithToken`, letting the event loop run between parts of the body. */
export async function readMultistatusInParts(
  body: string,
  url: string,
  between: () => Promise<void>,
): Promise<{ responses: DavResponse[]; syncToken: string | null }> {
  try {
    return await parseMultistatusInParts(body, between);
  } catch (error) {
    throw unreadableMultistatus(body, url, error);
  }
}

export function readMultistatusWithToken(
  body: string,
  url: string,
): { responses: DavResponse[]; syncToken: string | null } {
  try {
    return parseMultistatus(body);
  } catch (error) {
    throw unreadableMultistatus(body, url, error);
  }
}

function unreadableMultistatus(body: string, url: string, cause: unknown) {
  return remoteError('SYNC_REMOTE_PROTOCOL', {
    href: pathOf(url),
    status: 207,
    body,
    cause,
    message: 'The calendar server sent a multistatus that cannot be read',
  });
}

function readKinds(value: unknown): ItemKind[] {
  const node = asNode(value);
  if (!node) return ['event', 'todo'];
  const names = asArray(node.comp).map((comp) => String(asNode(comp)?.['@name'] ?? ''));
  const kinds: ItemKind[] = [];
  if (names.some((name) => name.toUpperCase() === 'VEVENT')) kinds.push('event');
  if (names.some((name) => name.toUpperCase() === 'VTODO')) kinds.push('todo');
  return kinds;
}

function readWritable(value: unknown): boolean | null {
  const node = asNode(value);
  if (!node) return null;
  const privileges = asArray(node.privilege).flatMap((entry) => Object.keys(asNode(entry) ?? {}));
  return privileges.some((name) => ['all', 'write', 'write-content'].includes(name));
}
