/**
 * Refs are absolute paths with every segment encoded one way. Servers spell the same href
 * differently (Radicale returns `a@b.ics` for a PUT to `a%40b.ics`, Xandikos may send a
 * full URL), and the engine compares refs as strings: so every href is normalized here.
 */
import { createHash } from 'node:crypto';

export function normalizeRef(href: string, base: string): string {
  const path = new URL(href, base).pathname;
  return path
    .split('/')
    .map((segment) => encodeURIComponent(safeDecode(segment)))
    .join('/');
}

/**
 * The href a created item gets: `<collection>/<encodeURIComponent(uid)>.ics`, so a retried
 * create lands on the same href. Radicale and Xandikos decode `%2F` into a path separator
 * (403 and 404), so a UID holding `/` is named by its SHA-256 instead, still deterministic.
 */
export function refForUid(collectionUrl: string, uid: string): string {
  const name = uid.includes('/')
    ? `sha256-${createHash('sha256').update(uid, 'utf8').digest('hex')}`
    : encodeURIComponent(uid);
  return normalizeRef(`${new URL(collectionUrl).pathname}${name}.ics`, collectionUrl);
}

export function urlOf(ref: string, collectionUrl: string): string {
  return new URL(ref, collectionUrl).toString();
}

/** Collection URLs end with `/` so relative refs resolve inside them. */
export function collectionUrlOf(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
