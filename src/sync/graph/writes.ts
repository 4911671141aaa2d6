/** What the events and To Do providers share about writes: statuses and "is this ours?". */
import type { OrdoError } from '../../shared/errors.js';
import type { SyncFields } from '../provider.js';
import { graphError, unexpected, type GraphAnswer, type GraphClient } from './graph-client.js';

/** A failed create, update or delete as the engine reads it. */
export function writeFailure(answer: GraphAnswer, uid: string | null, ref?: string): OrdoError {
  const details = { ...(ref ? { ref } : {}), ...(uid ? { uid } : {}) };
  // 412: the If-Match ETag is stale. 404 on a write: the item went meanwhile. Either way the
  // engine reads it again and decides again.
  if (answer.status === 412 || answer.status === 404) {
    return graphError('SYNC_REMOTE_CHANGED', answer, { details });
  }
  if (answer.status === 400 || answer.status === 422) {
    return graphError('SYNC_REMOTE_REJECTED', answer, { details });
  }
  return unexpected(answer, details);
}

/**
 * The fields Graph answered match the ones we sent. Reminders are left out: an event keeps a
 * reminder at a date as minutes before the start, so they need not read back the same.
 */
export function sameContent(answer: SyncFields, sent: SyncFields): boolean {
  if (answer.label !== sent.label || answer.remark !== sent.remark) return false;
  if (answer.private !== sent.private) return false;
  return JSON.stringify(answer.timing) === JSON.stringify(sent.timing);
}

/** Replaces an item only if it still has `etag`; answers its new ETag. */
export async function patchIfMatch(
  client: GraphClient,
  write: { path: string; body: unknown; etag: string | null; uid: string; ref: string },
): Promise<{ etag: string | null }> {
  const answer = await client.send({
    method: 'PATCH',
    path: write.path,
    body: write.body,
    headers: write.etag ? { 'If-Match': write.etag } : {},
  });
  if (answer.status !== 200) throw writeFailure(answer, write.uid, write.ref);
  const next = answer.json?.['@odata.etag'];
  return { etag: typeof next === 'string' ? next : null };
}

/** Deletes an item only if it still has `etag`; one already gone is success. */
export async function deleteIfMatch(
  client: GraphClient,
  write: { path: string; etag: string | null; ref: string },
): Promise<void> {
  const answer = await client.send({
    method: 'DELETE',
    path: write.path,
    headers: write.etag ? { 'If-Match': write.etag } : {},
  });
  if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
  throw writeFailure(answer, null, write.ref);
}
