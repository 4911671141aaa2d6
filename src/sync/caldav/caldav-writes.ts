/**
 * Conditional writes (RFC 4791 §5.3.2, RFC 9110 §13.1): create with `If-None-Match: *`,
 * update and delete with `If-Match`, so a concurrent change is never overwritten. Each
 * status is mapped to the code the engine acts on.
 */
import type { Clock } from '../../shared/clock.js';
import { systemClock } from '../../shared/clock.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { SyncFields } from '../provider.js';
import { propfindBody, uidQueryBody, XML_HEADERS } from './dav-bodies.js';
import { pathOf, remoteError, type DavAnswer, type DavClient } from './dav-client.js';
import { parseMultistatus, readErrorConditions, readText } from './dav-xml.js';
import { normalizeRef, urlOf } from './caldav-refs.js';
import { carryOver } from './carry-over.js';
import { fromICalendar, isMappingProblem, toICalendar } from './ical-mapping.js';

export interface ItemWriterOptions {
  client: DavClient;
  collectionUrl: string;
  timeZone: string;
  clock?: Clock;
}

export interface ItemWriter {
  create(ref: string, fields: SyncFields): Promise<string | null>;
  /** `replaced`: the object this write replaces, whose other properties it keeps. */
  update(
    ref: string,
    etag: string | null,
    fields: SyncFields,
    replaced?: string | null,
  ): Promise<{ etag: string | null }>;
  remove(ref: string, etag: string | null): Promise<void>;
}

/**
 * 4xx answers that refuse this write of this item (its data, or the right to change it: 403
 * forbidden, 405 not allowed, 423 locked): the engine skips the item, not the sync. A 401
 * (the credentials) fails the run before any write.
 */
const REJECTING = [400, 403, 405, 409, 413, 415, 422, 423];
const ICS_HEADERS = { 'Content-Type': 'text/calendar; charset=utf-8' };

export function createItemWriter(options: ItemWriterOptions): ItemWriter {
  const { client, collectionUrl } = options;
  const clock = options.clock ?? systemClock;

  async function put(
    ref: string,
    fields: SyncFields,
    condition: Record<string, string>,
    replaced?: string | null,
  ) {
    const written = toICalendar(fields, { timeZone: options.timeZone, now: clock.now() });
    const body = replaced ? keptWith(written, replaced, fields) : written;
    const url = urlOf(ref, collectionUrl);
    return client.send({ method: 'PUT', url, headers: { ...ICS_HEADERS, ...condition }, body });
  }

  /**
   * `written` with what `replaced` held besides Ordo's fields, if it still reads as `written`
   * does: else (a kept line that changes what Ordo reads, such as a recurrence rule) Ordo's
   * object alone, since what the next run reads back must be what this write wrote.
   */
  function keptWith(written: string, replaced: string, fields: SyncFields): string {
    const merged = carryOver(written, replaced, { reminderWritten: fields.reminder !== null });
    const read = (text: string) => {
      const object = fromICalendar(text, { timeZone: options.timeZone });
      return isMappingProblem(object) ? null : JSON.stringify(object.fields);
    };
    const mergedReads = read(merged);
    return mergedReads !== null && mergedReads === read(written) ? merged : written;
  }

  async function create(ref: string, fields: SyncFields): Promise<string | null> {
    const answer = await put(ref, fields, { 'If-None-Match': '*' });
    if (isSuccess(answer)) return etagAfterWrite(ref, answer);
    if (answer.status === 412) throw failure('SYNC_REMOTE_EXISTS', ref, answer);
    if (refusesUid(answer)) {
      const existing = await findUid(fields);
      throw failure('SYNC_REMOTE_EXISTS', existing ?? ref, answer, { uidConflict: true });
    }
    throw writeFailure(ref, answer);
  }

  async function update(
    ref: string,
    etag: string | null,
    fields: SyncFields,
    replaced?: string | null,
  ) {
    // No ETag known: `*` still refuses to resurrect an item deleted meanwhile.
    const condition = { 'If-Match': etag ? ifMatchOf(etag) : '*' };
    const answer = await put(ref, fields, condition, replaced);
    if (isSuccess(answer)) return { etag: await etagAfterWrite(ref, answer) };
    // A missing item answers 412 (If-Match on nothing) or 404 on lenient servers.
    if (answer.status === 412 || answer.status === 404) {
      throw failure('SYNC_REMOTE_CHANGED', ref, answer, { deleted: answer.status === 404 });
    }
    throw writeFailure(ref, answer);
  }

  async function remove(ref: string, etag: string | null): Promise<void> {
    const url = urlOf(ref, collectionUrl);
    const headers: Record<string, string> = etag ? { 'If-Match': ifMatchOf(etag) } : {};
    const answer = await client.send({ method: 'DELETE', url, headers });
    if ([200, 202, 204, 404, 410].includes(answer.status)) return;
    if (answer.status === 412) throw failure('SYNC_REMOTE_CHANGED', ref, answer);
    throw writeFailure(ref, answer);
  }

  /**
   * RFC 4791 §5.3.4: a server that changed what we wrote must not send a strong ETag, and
   * some send none: then the ETag is read with a PROPFIND (one more request). A weak ETag
   * cannot serve `If-Match` (strong comparison, RFC 9110 §13.1.1), so it is read too. What
   * the PROPFIND gives may be the ETag of another client's write landed in between, or of the
   * server's own rewriting: it is marked read back (see `readBack`).
   */
  async function etagAfterWrite(ref: string, answer: DavAnswer): Promise<string | null> {
    const etag = answer.headers.get('etag');
    if (etag && !etag.startsWith('W/')) return etag;

    const url = urlOf(ref, collectionUrl);
    const read = await client.send({
      method: 'PROPFIND',
      url,
      headers: { ...XML_HEADERS, Depth: '0' },
      body: propfindBody(['D:getetag']),
    });
    if (read.status !== 207) return null;
    const found = parseMultistatus(read.body).responses[0];
    const readEtag = (found && readText(found.props.getetag)) || null;
    return readEtag && readBack(readEtag);
  }

  async function findUid(fields: SyncFields): Promise<string | null> {
    const answer = await client.send({
      method: 'REPORT',
      url: collectionUrl,
      headers: { ...XML_HEADERS, Depth: '1' },
      body: uidQueryBody({
        component: fields.kind === 'event' ? 'VEVENT' : 'VTODO',
        uid: fields.uid,
      }),
    });
    if (answer.status !== 207) return null;
    const found = parseMultistatus(answer.body).responses.find((r) => r.status !== 404);
    return found ? normalizeRef(found.href, collectionUrl) : null;
  }

  function failure(
    code: ErrorCode,
    ref: string,
    answer: DavAnswer,
    details: Record<string, unknown> = {},
  ) {
    return remoteError(code, {
      href: pathOf(urlOf(ref, collectionUrl)),
      status: answer.status,
      body: answer.body,
      details: { ref, ...details },
    });
  }

  function writeFailure(ref: string, answer: DavAnswer) {
    // Xandikos refuses data with a 207 whose inner status says why.
    const code =
      REJECTING.includes(answer.status) || answer.status === 207
        ? 'SYNC_REMOTE_REJECTED'
        : answer.status === 507
          ? 'SYNC_REMOTE_UNAVAILABLE'
          : 'SYNC_REMOTE_PROTOCOL';
    return failure(code, ref, answer);
  }

  return { create, update, remove };
}

function isSuccess(answer: DavAnswer): boolean {
  return answer.status >= 200 && answer.status < 300 && answer.status !== 207;
}

/** RFC 4791 §5.3.2.1 no-uid-conflict: the UID lives at another href of the collection.
 * Radicale answers 409 with it in an error body, Xandikos a 207 with it inside. */
function refusesUid(answer: DavAnswer): boolean {
  if (answer.status === 207) return answer.body.includes('no-uid-conflict');
  return (
    [403, 409].includes(answer.status) &&
    readErrorConditions(answer.body).includes('no-uid-conflict')
  );
}

/**
 * An ETag read after our write, not given by it, is kept as `read-back <etag>`: it serves
 * If-Match as the ETag itself, but never equals what a listing reports, so the item is read
 * again at the next change the server reports instead of being taken for our own write.
 */
const READ_BACK = 'read-back ';

export function readBack(etag: string): string {
  return READ_BACK + etag;
}

/** The ETag to send in If-Match, whether it was given by a write or read back after it. */
export function ifMatchOf(etag: string): string {
  return etag.startsWith(READ_BACK) ? etag.slice(READ_BACK.length) : etag;
}
