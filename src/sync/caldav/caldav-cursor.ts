/**
 * The CalDAV provider's cursor: opaque to the engine, a small JSON object here. Besides the
 * sync-token (or ctag) it remembers the window the engine has seen in full, because a
 * sync-token only reports items that changed: an unchanged item that enters a moving window
 * must be fetched by a time-range query over the new part of the window.
 */
import type { SyncWindow } from '../provider.js';

export interface CalDavCursor {
  /** RFC 6578 sync-token, when the collection supports sync-collection. */
  token: string | null;
  /** CalendarServer getctag, for collections without sync-collection. */
  ctag: string | null;
  /** The window every item of which the engine has been told about. */
  window: SyncWindow;
  /** Items in the last complete listing: guards against "silently full" token answers. */
  count: number;
}

const PREFIX = 'caldav1:';

export function encodeCursor(cursor: CalDavCursor): string {
  return PREFIX + JSON.stringify(cursor);
}

/** `null` for a missing cursor or one this version cannot read: a full listing follows. */
export function decodeCursor(text: string | null): CalDavCursor | null {
  if (!text?.startsWith(PREFIX)) return null;
  try {
    const value = JSON.parse(text.slice(PREFIX.length)) as Partial<CalDavCursor>;
    const window = value.window;
    if (!window || typeof window.from !== 'number' || typeof window.to !== 'number') return null;
    return {
      token: typeof value.token === 'string' ? value.token : null,
      ctag: typeof value.ctag === 'string' ? value.ctag : null,
      window: { from: window.from, to: window.to },
      count: typeof value.count === 'number' ? value.count : 0,
    };
  } catch {
    return null;
  }
}

/** The parts of `next` outside `seen`: at most one slice before it and one after. */
export function windowSlices(seen: SyncWindow, next: SyncWindow): SyncWindow[] {
  const slices: SyncWindow[] = [];
  if (next.from < seen.from) slices.push({ from: next.from, to: Math.min(seen.from, next.to) });
  if (next.to > seen.to) slices.push({ from: Math.max(seen.to, next.from), to: next.to });
  return slices.filter((slice) => slice.from < slice.to);
}
