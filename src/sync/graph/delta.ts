/**
 * Delta rounds (https://learn.microsoft.com/graph/delta-query-overview): follow
 * `@odata.nextLink` until a page carries `@odata.deltaLink`, which is the cursor for the next
 * round. A token the service no longer holds answers 410 Gone (or 400) with the error code
 * `syncStateNotFound`, `resyncRequired` or `SyncStateInvalid` ("Synchronization reset" in the
 * same page): the caller then lists everything again and compares with its state; it never
 * reads that answer as "nothing changed".
 */
import { OrdoError } from '../../shared/errors.js';
import type { SyncWindow } from '../provider.js';
import { graphErrorCode, unexpected, type GraphAnswer, type GraphClient } from './graph-client.js';

export type GraphJson = Record<string, unknown>;

export interface RemovedEntry {
  id: string;
  /** `deleted`, or `changed` (the item left the view or no longer matches it). */
  reason: string;
}

export interface DeltaRound {
  /** Present items, as the pages gave them (a later page's copy of an id wins). */
  items: GraphJson[];
  removed: RemovedEntry[];
  deltaLink: string;
  requests: number;
}

const EXPIRED_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid']);
/** Pages in one round before we give up: 5,000 pages of 100 is far beyond any calendar here. */
const MAX_PAGES = 5_000;

/** One whole round from `start` (an initial delta path or a deltaLink); `null` when expired. */
export async function readDeltaRound(
  client: GraphClient,
  options: { start: string; pageSize: number },
): Promise<DeltaRound | null> {
  const byId = new Map<string, GraphJson>();
  const removed = new Map<string, RemovedEntry>();
  let next = options.start;
  for (let requests = 1; requests <= MAX_PAGES; requests += 1) {
    const answer = await client.send({
      method: 'GET',
      path: next,
      prefer: [`odata.maxpagesize=${options.pageSize}`],
    });
    if (isExpiredToken(answer)) return null;
    if (answer.status !== 200 || !answer.json) throw unexpected(answer);

    collectPage(answer.json, { byId, removed });
    const deltaLink = answer.json['@odata.deltaLink'];
    if (typeof deltaLink === 'string') {
      return { items: [...byId.values()], removed: [...removed.values()], deltaLink, requests };
    }
    const nextLink = answer.json['@odata.nextLink'];
    if (typeof nextLink !== 'string') {
      throw unexpected(answer, { problem: 'a delta page without nextLink nor deltaLink' });
    }
    next = nextLink;
  }
  throw new OrdoError('SYNC_REMOTE_PROTOCOL', { message: 'The delta round never ended' });
}

function collectPage(
  page: GraphJson,
  into: { byId: Map<string, GraphJson>; removed: Map<string, RemovedEntry> },
): void {
  const value = Array.isArray(page['value']) ? (page['value'] as GraphJson[]) : [];
  for (const entry of value) {
    const id = entry['id'];
    if (typeof id !== 'string') continue;
    const removed = entry['@removed'] as { reason?: unknown } | undefined;
    if (removed) {
      into.byId.delete(id);
      into.removed.set(id, { id, reason: String(removed.reason ?? 'deleted') });
    } else {
      into.removed.delete(id);
      into.byId.set(id, entry);
    }
  }
}

export function isExpiredToken(answer: GraphAnswer): boolean {
  if (answer.status !== 410 && answer.status !== 400) return false;
  const code = graphErrorCode(answer)?.toLowerCase() ?? '';
  return answer.status === 410 || EXPIRED_CODES.has(code);
}

/** What a Graph provider keeps between runs: the deltaLink and the window it was made for. */
export interface GraphCursor {
  v: 1;
  link: string;
  from: number;
  to: number;
  /** Items in the window at the last complete listing: prices a full UID listing. */
  count?: number;
}

export function encodeCursor(link: string, window: SyncWindow, count?: number): string {
  const cursor: GraphCursor = { v: 1, link, from: window.from, to: window.to, count };
  return JSON.stringify(cursor);
}

/** The cursor, or `null` when it is not one of ours (it is then ignored: a full listing). */
export function decodeCursor(cursor: string | null): GraphCursor | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(cursor) as Partial<GraphCursor>;
    if (value.v !== 1 || typeof value.link !== 'string') return null;
    if (typeof value.from !== 'number' || typeof value.to !== 'number') return null;
    return value as GraphCursor;
  } catch {
    return null;
  }
}

export function sameWindow(cursor: GraphCursor, window: SyncWindow): boolean {
  return cursor.from === window.from && cursor.to === window.to;
}

/** ISO 8601 in UTC without the zone designator, as Graph's dateTimeTimeZone wants it. */
export function graphDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

/** Reads a dateTimeTimeZone given in UTC (we ask Prefer: outlook.timezone="UTC"). */
export function parseGraphDateTime(value: unknown): number | null {
  if (!value || typeof value !== 'object') return null;
  const { dateTime, timeZone } = value as { dateTime?: unknown; timeZone?: unknown };
  if (typeof dateTime !== 'string') return null;
  if (typeof timeZone === 'string' && timeZone.toUpperCase() !== 'UTC') return null;
  // Graph writes seven fractional digits; Date.parse reads at most three.
  const trimmed = dateTime.replace(/(\.\d{3})\d*$/, '$1').replace(/Z$/, '');
  const ms = Date.parse(`${trimmed}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** Runs `task` on each value; the client's per-mailbox limiter bounds what is in flight. */
export async function mapAll<T, R>(values: T[], task: (value: T) => Promise<R>): Promise<R[]> {
  return Promise.all(values.map(task));
}
