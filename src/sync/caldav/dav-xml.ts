/**
 * WebDAV XML in and out: request bodies as escaped templates, answers read with
 * fast-xml-parser. Namespace prefixes are dropped on reading: the element names CalDAV
 * uses (getetag, calendar-data, sync-token, ...) do not collide between DAV:, CalDAV and
 * CalendarServer namespaces.
 */
import { XMLParser } from 'fast-xml-parser';

const ARRAY_ELEMENTS = new Set(['response', 'propstat', 'href', 'comp', 'supported-report']);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Servers escape the CR of CRLF in calendar-data as `&#13;`.
  htmlEntities: true,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

export type XmlNode = Record<string, unknown>;

/** One `<response>` of a multistatus, flattened to what the provider needs. */
export interface DavResponse {
  href: string;
  /** The response-level status (`<response><status>`), used for 404 and 507 members. */
  status: number | null;
  /** The properties found with a 2xx propstat. */
  props: XmlNode;
  /** The names of properties that came back with a non-2xx propstat. */
  missing: string[];
  /** Precondition names inside `<error>` (for example `no-uid-conflict`). */
  errors: string[];
}

export interface Multistatus {
  responses: DavResponse[];
  syncToken: string | null;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function parseXml(text: string): XmlNode {
  return parser.parse(text) as XmlNode;
}

/** Reads a 207 body; throws when it is not a multistatus (the caller adds the context). */
export function parseMultistatus(text: string): Multistatus {
  const parsed = parseXml(text);
  if (!('multistatus' in parsed)) throw new Error('The answer is not a DAV multistatus');
  // An empty `<multistatus/>` parses as an empty string.
  const root = asNode(parsed.multistatus) ?? {};

  const responses = asArray(root.response).map(readResponse);
  return { responses, syncToken: readText(root['sync-token']) };
}

/** The precondition names of a DAV `<error>` body (RFC 4918 §16), empty if none. */
export function readErrorConditions(text: string): string[] {
  try {
    const root = asNode(parseXml(text).error);
    return root ? Object.keys(root).filter((key) => !key.startsWith('@')) : [];
  } catch {
    return [];
  }
}

export function parseStatusLine(line: string | null): number | null {
  const match = line ? /HTTP\/[\d.]+\s+(\d{3})/.exec(line) : null;
  return match ? Number(match[1]) : null;
}

/** Text content of an element that may carry attributes or be empty. */
export function readText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim();
  const node = asNode(value);
  if (node && typeof node['#text'] === 'string') return node['#text'].trim();
  return null;
}

/** The hrefs inside a property such as `current-user-principal` or `calendar-home-set`. */
export function readHrefs(value: unknown): string[] {
  const node = asNode(value);
  if (!node) return [];
  return asArray(node.href)
    .map(readText)
    .filter((href): href is string => href !== null && href !== '');
}

export function asNode(value: unknown): XmlNode | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as XmlNode)
    : null;
}

export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function readResponse(value: unknown): DavResponse {
  const node = asNode(value) ?? {};
  const props: XmlNode = {};
  const missing: string[] = [];

  for (const propstat of asArray(node.propstat).map(asNode)) {
    if (!propstat) continue;
    const status = parseStatusLine(readText(propstat.status));
    const prop = asNode(propstat.prop) ?? {};
    if (status !== null && status >= 200 && status < 300) Object.assign(props, prop);
    else missing.push(...Object.keys(prop));
  }

  const error = asNode(node.error);
  return {
    href: readText(asArray(node.href)[0]) ?? '',
    status: parseStatusLine(readText(node.status)),
    props,
    missing,
    errors: error ? Object.keys(error).filter((key) => !key.startsWith('@')) : [],
  };
}
