/**
 * The three ways the provider reads a collection: a time-range calendar-query (a full
 * listing of the window, data included, in one request), sync-collection (what changed
 * since a token, ETags only) and calendar-multiget in bounded batches (the data of given
 * refs). Each checks every status itself.
 */
import type { Logger } from '../../shared/logger.js';
import type { ItemKind, RemoteItem, SyncWindow, UnreadableItem } from '../provider.js';
import { readMultistatusInParts, readMultistatusWithToken } from './collection-info.js';
import { calendarQueryBody, multigetBody, syncCollectionBody, XML_HEADERS } from './dav-bodies.js';
import { pathOf, remoteError, type DavAnswer, type DavClient } from './dav-client.js';
import { readErrorConditions, readText, type DavResponse } from './dav-xml.js';
import { fromICalendar, isMappingProblem, overlapsWindow } from './ical-mapping.js';
import { normalizeRef, urlOf } from './caldav-refs.js';

export interface ListingContext {
  client: DavClient;
  collectionUrl: string;
  timeZone: string;
  kinds: readonly ItemKind[];
  batchSize: number;
  logger: Logger;
  /** Keeps each object read, which a write of that item may later replace (`carryOver`). */
  remember?: (ref: string, etag: string | null, text: string) => void;
}

/** Objects the mapping could not read are kept apart, so they are never taken for "gone". */
export type { UnreadableItem };

export interface ItemsRead {
  items: RemoteItem[];
  unreadable: UnreadableItem[];
}

export type SyncCollectionResult =
  | {
      outcome: 'changes';
      changed: string[];
      deleted: string[];
      token: string;
      /** The ETag the answer gave each changed ref, when it gave one. */
      etags: Map<string, string>;
    }
  | { outcome: 'token-refused'; status: number; conditions: string[] };

/** A bound on 507 continuations, so a server that always truncates cannot loop us forever. */
const MAX_SYNC_PAGES = 1000;
/** Statuses an unknown or expired token gets: 403/400 per RFC 6578 §3.2, 409/410/412 seen
 * elsewhere, and Xandikos 0.2.8 fails with 500 on a token it does not know. */
const TOKEN_REFUSED = [400, 403, 409, 410, 412, 500];

const COMPONENTS: Record<ItemKind, string> = { event: 'VEVENT', todo: 'VTODO' };

export async function queryWindow(
  context: ListingContext,
  options: { kind: ItemKind; window: SyncWindow },
): Promise<ItemsRead> {
  return await readWindow(context, await requestWindow(context, options));
}

/** Sends a time-range calendar-query; `readWindow` reads its answer. */
export function requestWindow(
  context: ListingContext,
  options: { kind: ItemKind; window: SyncWindow; signal?: AbortSignal },
): Promise<DavAnswer> {
  return context.client.send({
    method: 'REPORT',
    url: context.collectionUrl,
    headers: { ...XML_HEADERS, Depth: '1' },
    body: calendarQueryBody({ component: COMPONENTS[options.kind], window: options.window }),
    signal: options.signal,
  });
}

/**
 * Reads a calendar-query answer, letting the event loop run between parts of the work (a few
 * milliseconds each): a request sent just before goes onto the wire meanwhile (fetch sends
 * nothing while this process is busy), so the server answers it while this one parses.
 */
export async function readWindow(context: ListingContext, answer: DavAnswer): Promise<ItemsRead> {
  const url = context.collectionUrl;
  if (answer.status !== 207) throw unexpected(url, answer.status, answer.body);
  const { responses: all } = await readMultistatusInParts(answer.body, url, turn);
  const responses = all.filter(isMember(context));
  const read: ItemsRead = { items: [], unreadable: [] };
  for (let at = 0; at < responses.length; at += ITEMS_PER_TURN) {
    await turn();
    const part = readItems(context, responses.slice(at, at + ITEMS_PER_TURN), { window: null });
    for (const item of part.items) read.items.push(item);
    for (const item of part.unreadable) read.unreadable.push(item);
  }
  return read;
}

/** iCalendar objects read between two turns of the event loop (a few milliseconds). */
const ITEMS_PER_TURN = 250;

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function syncCollection(
  context: ListingContext,
  token: string,
): Promise<SyncCollectionResult> {
  const changed = new Map<string, boolean>();
  const etags = new Map<string, string>();
  let current = token;

  for (let page = 0; page < MAX_SYNC_PAGES; page += 1) {
    const answer = await context.client.send({
      method: 'REPORT',
      url: context.collectionUrl,
      headers: { ...XML_HEADERS, Depth: '0' },
      body: syncCollectionBody(current),
      noRetry: [500],
    });
    if (TOKEN_REFUSED.includes(answer.status)) {
      const conditions = readErrorConditions(answer.body);
      return { outcome: 'token-refused', status: answer.status, conditions };
    }
    if (answer.status !== 207) throw unexpected(context.collectionUrl, answer.status, answer.body);

    const page207 = readMultistatusWithToken(answer.body, context.collectionUrl);
    if (!page207.syncToken) throw missingToken(context.collectionUrl, answer.body);
    current = page207.syncToken;

    let truncated = false;
    for (const response of page207.responses) {
      if (!isMember(context)(response)) {
        // RFC 6578 §3.6: the collection itself with 507 means "more to come".
        truncated ||= response.status === 507;
        continue;
      }
      const ref = normalizeRef(response.href, context.collectionUrl);
      changed.set(ref, response.status !== 404);
      const etag = readText(response.props.getetag);
      if (etag) etags.set(ref, etag);
      else etags.delete(ref);
    }
    if (!truncated) return { ...splitChanges(changed, current), etags };
  }
  throw remoteError('SYNC_REMOTE_PROTOCOL', {
    href: pathOf(context.collectionUrl),
    status: 507,
    message: `The sync-collection answer stayed truncated after ${MAX_SYNC_PAGES} requests`,
  });
}

/**
 * Fetches refs by calendar-multiget in batches; keeps what lies in the window. `outside`
 * names the items that exist but lie outside it (moved out since the last sync).
 */
export async function multiget(
  context: ListingContext,
  options: { refs: readonly string[]; window: SyncWindow },
): Promise<ItemsRead & { missing: string[]; outside: string[] }> {
  const result: ItemsRead & { missing: string[]; outside: string[] } = {
    items: [],
    unreadable: [],
    missing: [],
    outside: [],
  };

  for (let at = 0; at < options.refs.length; at += context.batchSize) {
    const batch = options.refs.slice(at, at + context.batchSize);
    const responses = await multigetBatch(context, batch);
    const found = responses.filter((r) => r.status !== 404 && 'calendar-data' in r.props);
    const read = readItems(context, found, { window: options.window });

    const foundRefs = new Set(found.map((r) => normalizeRef(r.href, context.collectionUrl)));
    result.items.push(...read.items);
    result.unreadable.push(...read.unreadable);
    result.outside.push(...read.outside);
    result.missing.push(...batch.filter((ref) => !foundRefs.has(ref)));
  }
  return result;
}

async function multigetBatch(context: ListingContext, refs: string[]): Promise<DavResponse[]> {
  const url = context.collectionUrl;
  const answer = await context.client.send({
    method: 'REPORT',
    url,
    headers: { ...XML_HEADERS, Depth: '1' },
    body: multigetBody(refs.map((ref) => new URL(urlOf(ref, url)).pathname)),
  });
  if (answer.status !== 207) throw unexpected(url, answer.status, answer.body);
  return readMultistatusWithToken(answer.body, url).responses;
}

/**
 * Turns responses carrying calendar-data into items of the provider's kinds. With a window,
 * items outside it are dropped (a sync-collection answer is not filtered by time); a
 * recurring item is kept whatever its first dates, as the server's time-range would.
 */
function readItems(
  context: ListingContext,
  responses: DavResponse[],
  options: { window: SyncWindow | null },
): ItemsRead & { outside: string[] } {
  const { window } = options;
  const read: ItemsRead & { outside: string[] } = { items: [], unreadable: [], outside: [] };
  for (const response of responses) {
    const ref = normalizeRef(response.href, context.collectionUrl);
    const etag = readText(response.props.getetag) || null;
    const text = readText(response.props['calendar-data']) ?? '';
    const object = fromICalendar(text, { timeZone: context.timeZone });
    if (isMappingProblem(object)) {
      if (!holdsSyncedComponent(text)) continue;
      context.logger.warn({ ref, problem: object.problem }, 'calendar item unreadable');
      read.unreadable.push({ ref, etag, reason: object.problem });
      continue;
    }
    const { fields, lastModified } = object;
    if (!context.kinds.includes(fields.kind)) continue;
    const inWindow =
      !window || fields.recurring || overlapsWindow(fields.timing, window, context.timeZone);
    if (inWindow) {
      read.items.push({ ref, etag, fields, lastModified });
      context.remember?.(ref, etag, text);
    } else read.outside.push(ref);
  }
  return read;
}

/** Whether an object has a VEVENT or VTODO at all (an unreadable one is then reported). */
function holdsSyncedComponent(text: string): boolean {
  return /^BEGIN:(VEVENT|VTODO)\s*$/im.test(text);
}

function isMember(context: ListingContext): (response: DavResponse) => boolean {
  const collectionPath = normalizeRef(context.collectionUrl, context.collectionUrl);
  return (response) => {
    const ref = normalizeRef(response.href, context.collectionUrl);
    return ref !== collectionPath && !ref.endsWith('/');
  };
}

function splitChanges(changed: Map<string, boolean>, token: string) {
  const entries = [...changed.entries()];
  return {
    outcome: 'changes' as const,
    changed: entries.filter(([, present]) => present).map(([ref]) => ref),
    deleted: entries.filter(([, present]) => !present).map(([ref]) => ref),
    token,
  };
}

function unexpected(url: string, status: number, body: string) {
  if (status === 403) return remoteError('SYNC_REMOTE_AUTH', { href: pathOf(url), status, body });
  return remoteError('SYNC_REMOTE_PROTOCOL', { href: pathOf(url), status, body });
}

function missingToken(url: string, body: string) {
  return remoteError('SYNC_REMOTE_PROTOCOL', {
    href: pathOf(url),
    status: 207,
    body,
    message: 'The sync-collection answer carries no new sync-token',
  });
}
