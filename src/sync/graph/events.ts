/**
 * Outlook appointments through Microsoft Graph, behind the engine's CalendarProvider port.
 *
 * Listing: calendarView delta (https://learn.microsoft.com/graph/api/event-delta), whose
 * deltaLink is the cursor. A delta entry does not carry our UID (calendarView delta refuses
 * `$expand` of extended properties), so a complete listing reads the UIDs with one paged
 * events listing, and an incremental one reads each changed event we created.
 *
 * Costs, in requests: a no-change sync is one delta request; a first sync is the delta pages
 * plus the UID listing pages; n changes cost the delta pages plus up to n reads.
 */
import crypto from 'node:crypto';

import { OrdoError } from '../../shared/errors.js';
import type {
  CalendarProvider,
  ChangeSet,
  CreateResult,
  RemoteItem,
  SyncFields,
  SyncWindow,
} from '../provider.js';
import {
  decodeCursor,
  encodeCursor,
  graphDateTime,
  mapAll,
  readDeltaRound,
  sameWindow,
  type DeltaRound,
  type GraphCursor,
  type GraphJson,
} from './delta.js';
import {
  fromGraphEvent,
  needsUidLookup,
  toGraphEvent,
  UID_EXPAND,
  ordoUidOf,
} from './event-mapping.js';
import {
  createGraphClient,
  graphError,
  unexpected,
  type GraphClientOptions,
} from './graph-client.js';
import { deleteIfMatch, patchIfMatch, sameContent, writeFailure } from './writes.js';

export interface GraphEventsProviderOptions extends GraphClientOptions {
  /** A calendar of the mailbox; the default calendar without it. */
  calendarId?: string;
  /** Items per delta page (Prefer: odata.maxpagesize). */
  pageSize?: number;
}

export function createGraphEventsProvider(options: GraphEventsProviderOptions): CalendarProvider {
  const client = createGraphClient(options);
  const pageSize = options.pageSize ?? 100;
  const collection = options.calendarId
    ? `/me/calendars/${encodeURIComponent(options.calendarId)}`
    : '/me';
  const eventsPath = options.calendarId ? `${collection}/events` : '/me/events';

  async function listChanges(cursor: string | null, window: SyncWindow): Promise<ChangeSet> {
    const previous = decodeCursor(cursor);
    if (previous && sameWindow(previous, window)) {
      const round = await readDeltaRound(client, { start: previous.link, pageSize });
      if (round) return incremental(round, window, previous.count);
    } else if (previous) {
      const moved = await windowMoved(previous, window);
      if (moved) return moved;
    }
    return complete(window);
  }

  async function complete(window: SyncWindow): Promise<ChangeSet> {
    const round = await readDeltaRound(client, { start: deltaStart(window), pageSize });
    if (!round) throw new OrdoError('SYNC_REMOTE_PROTOCOL', { message: 'A new delta expired' });
    const uids = round.items.some(needsUidLookup) ? await listUids(window) : new Map();
    const changed = await itemsOf(round.items, uids);
    const cursor = encodeCursor(round.deltaLink, window, round.items.length);
    return { complete: true, changed, deleted: [], cursor };
  }

  async function incremental(
    round: DeltaRound,
    window: SyncWindow,
    count?: number,
  ): Promise<ChangeSet> {
    // Each changed event of ours costs a read for its UID, unless one paged UID listing of
    // the window costs fewer requests (a bulk edit).
    const lookups = round.items.filter(needsUidLookup).length;
    const listingCost = count === undefined ? Infinity : Math.ceil(count / pageSize) + 1;
    const uids = lookups > listingCost ? await listUids(window) : new Map<string, string>();
    const changed = await itemsOf(round.items, uids);
    const deleted: string[] = [];
    // "changed": the event left the view or stopped matching it. Only a read tells a
    // deletion from a move out of the window; a moved event is a change the engine needs.
    for (const entry of round.removed) {
      // Users report "deleted" for events that only left the window as well; the engine reads
      // every reported deletion once more before acting on it.
      if (entry.reason === 'deleted') {
        deleted.push(entry.id);
        continue;
      }
      const item = await get(entry.id);
      if (item) changed.push(item);
      else deleted.push(entry.id);
    }
    const cursor = encodeCursor(round.deltaLink, window, count);
    return { complete: false, changed, deleted, cursor };
  }

  /**
   * The window moved (a new day): a deltaLink is bound to its window, so a new round is read
   * for the new window first, then the old link for what changed meanwhile. Events that only
   * entered through the new part of the window are reported with those changes.
   */
  async function windowMoved(previous: GraphCursor, window: SyncWindow): Promise<ChangeSet | null> {
    const fresh = await readDeltaRound(client, { start: deltaStart(window), pageSize });
    const old = await readDeltaRound(client, { start: previous.link, pageSize });
    if (!fresh || !old) return null;

    const since = await incremental(old, window);
    const known = new Set(since.changed.map((item) => item.ref));
    const entered = fresh.items.filter(
      (json) => !known.has(String(json['id'])) && !overlapsJson(json, previous),
    );
    const changed = [...since.changed, ...(await itemsOf(entered, new Map()))];
    const cursor = encodeCursor(fresh.deltaLink, window, fresh.items.length);
    return { ...since, changed, cursor };
  }

  function deltaStart(window: SyncWindow): string {
    const query = new URLSearchParams({
      startDateTime: `${graphDateTime(window.from)}Z`,
      endDateTime: `${graphDateTime(window.to)}Z`,
    });
    return `${collection}/calendarView/delta?${query.toString()}`;
  }

  /** Items from delta JSON; events we created are read again when their UID is unknown. */
  async function itemsOf(values: GraphJson[], uids: Map<string, string>): Promise<RemoteItem[]> {
    const items = await mapAll(values, async (json) => {
      const id = String(json['id']);
      const known = uids.get(id);
      const item = fromGraphEvent(json, known);
      if (item && (known !== undefined || !needsUidLookup(json))) return item;
      return get(id);
    });
    return items.filter((item): item is RemoteItem => item !== null);
  }

  /** Our UIDs of the events in the window, by event id: one paged listing. */
  async function listUids(window: SyncWindow): Promise<Map<string, string>> {
    const query = new URLSearchParams({
      $filter: `end/dateTime gt '${graphDateTime(window.from)}' and start/dateTime lt '${graphDateTime(window.to)}'`,
      $select: 'id',
      $expand: UID_EXPAND,
      $top: String(pageSize),
    });
    const uids = new Map<string, string>();
    let next: string | null = `${eventsPath}?${query.toString()}`;
    while (next) {
      const answer = await client.send({ method: 'GET', path: next });
      if (answer.status !== 200 || !answer.json) throw unexpected(answer);
      for (const json of (answer.json['value'] as GraphJson[] | undefined) ?? []) {
        const uid = ordoUidOf(json);
        if (uid !== null) uids.set(String(json['id']), uid);
      }
      const link = answer.json['@odata.nextLink'];
      next = typeof link === 'string' ? link : null;
    }
    return uids;
  }

  async function get(ref: string): Promise<RemoteItem | null> {
    const path = `/me/events/${encodeURIComponent(ref)}?$expand=${encodeURIComponent(UID_EXPAND)}`;
    const answer = await client.send({ method: 'GET', path });
    if (answer.status === 404) return null;
    if (answer.status !== 200 || !answer.json) throw unexpected(answer, { ref });
    const item = fromGraphEvent(answer.json);
    if (!item) throw graphError('SYNC_REMOTE_PROTOCOL', answer, { details: { ref } });
    return item;
  }

  /**
   * POST with a transactionId derived from our UID: Graph drops a retried create with the
   * same transactionId and answers the event it already made (event resource, transactionId
   * property). An answer that is not what we sent is an event that was already there.
   */
  // TODO(checked against a Microsoft 365 tenant): what a duplicate transactionId answers is
  // not documented (the stand-in answers 201 with the existing event); a create retried after
  // the service forgot the transactionId makes a second event, found only by its UID.
  async function create(fields: SyncFields): Promise<CreateResult> {
    const transactionId = transactionIdOf(fields.uid, options.calendarId);
    const body = { ...toGraphEvent(fields, true), transactionId };
    const answer = await client.send({ method: 'POST', path: eventsPath, body });
    if (answer.status !== 201 && answer.status !== 200) throw writeFailure(answer, fields.uid);

    const item = answer.json ? fromGraphEvent(answer.json, fields.uid) : null;
    if (!item) throw graphError('SYNC_REMOTE_PROTOCOL', answer, { details: { uid: fields.uid } });
    if (!sameContent(item.fields, fields)) {
      throw graphError('SYNC_REMOTE_EXISTS', answer, {
        details: { ref: item.ref, uid: fields.uid },
      });
    }
    return { ref: item.ref, etag: item.etag };
  }

  async function update(
    ref: string,
    etag: string | null,
    fields: SyncFields,
  ): Promise<{ etag: string | null }> {
    const body = toGraphEvent(fields, false);
    return patchIfMatch(client, {
      path: `/me/events/${encodeURIComponent(ref)}`,
      body,
      etag,
      uid: fields.uid,
      ref,
    });
  }

  async function remove(ref: string, etag: string | null): Promise<void> {
    await deleteIfMatch(client, { path: `/me/events/${encodeURIComponent(ref)}`, etag, ref });
  }

  /** What an event written with these fields reads back as: the mapping both ways. */
  function held(fields: SyncFields): SyncFields {
    const read = fromGraphEvent({ ...toGraphEvent(fields, false), id: 'held' }, fields.uid);
    if (!read) return fields;
    const reminder = fields.reminder === null ? null : read.fields.reminder;
    return { ...read.fields, kind: fields.kind, recurring: fields.recurring, reminder };
  }

  return { kinds: ['event'], listChanges, get, create, update, delete: remove, held };
}

/**
 * A GUID made from our UID (name-based, RFC 9562 §5.5 layout on SHA-1): the same UID always
 * gives the same transactionId, so a retried create is recognised as the same one. The
 * calendar is part of the name: Graph answers a known transactionId with the event it made,
 * wherever it lives in the mailbox, so a task exported to a second calendar of the mailbox (the
 * account pointed elsewhere) would otherwise be linked to its copy in the first one.
 */
export function transactionIdOf(uid: string, calendarId?: string): string {
  const name = calendarId ? `ordo-event:${calendarId}:${uid}` : `ordo-event:${uid}`;
  const hash = crypto.createHash('sha1').update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function overlapsJson(json: GraphJson, window: { from: number; to: number }): boolean {
  const item = fromGraphEvent(json, '');
  if (!item) return false;
  const timing = item.fields.timing;
  const start = timing.allDay ? Date.parse(`${timing.startDate}T00:00:00Z`) : timing.start;
  const end = timing.allDay ? Date.parse(`${timing.endDate}T00:00:00Z`) : timing.end;
  return start < window.to && end > window.from;
}
