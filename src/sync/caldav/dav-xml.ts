/**
 * WebDAV XML in and out: request bodies as escaped templates, answers read with saxes (a
 * conforming, non-validating XML parser) into plain objects. Namespace prefixes are dropped
 * on reading: the element names CalDAV uses (getetag, calendar-data, sync-token, ...) do
 * not collide between DAV:, CalDAV and CalendarServer namespaces.
 *
 * The objects follow one shape: an element holding only text (or nothing) is its string;
 * any other is an object of its children by local name, its attributes as `@name` and its
 * text as `#text`; repeated children become arrays, and the elements of ARRAY_ELEMENTS are
 * always arrays.
 */
import { SaxesParser } from 'saxes';

const ARRAY_ELEMENTS = new Set(['response', 'propstat', 'href', 'comp', 'supported-report']);

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

/** An element being read: its children and attributes so far, and its text. */
interface Open {
  name: string;
  node: XmlNode;
  text: string;
  hasContent: boolean;
}

/** Parses a whole XML document; throws on anything that is not well-formed. */
export function parseXml(text: string): XmlNode {
  const reader = xmlReader();
  reader.parser.write(text).close();
  return reader.root.node;
}

/**
 * As `parseXml`, fed in parts of about `partLength` characters (cut after a `>`), awaiting
 * `between()` after each: the event loop runs meanwhile.
 */
export async function parseXmlInParts(
  text: string,
  between: () => Promise<void>,
  partLength = 262_144,
): Promise<XmlNode> {
  const reader = xmlReader();
  for (let at = 0; at < text.length;) {
    const cut = text.indexOf('>', at + partLength);
    const end = cut === -1 ? text.length : cut + 1;
    reader.parser.write(text.slice(at, end));
    at = end;
    await between();
  }
  reader.parser.close();
  return reader.root.node;
}

function xmlReader(): { parser: SaxesParser; root: Open } {
  const root: Open = { name: '', node: {}, text: '', hasContent: true };
  const stack: Open[] = [root];
  const parser = new SaxesParser({ xmlns: true, position: false });
  const top = () => stack[stack.length - 1] as Open;

  parser.on('opentag', (tag) => {
    const node: XmlNode = {};
    let hasContent = false;
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.prefix === 'xmlns' || attribute.name === 'xmlns') continue;
      node[`@${attribute.local}`] = attribute.value;
      hasContent = true;
    }
    stack.push({ name: tag.local, node, text: '', hasContent });
  });
  parser.on('text', (chunk) => {
    top().text += chunk;
  });
  parser.on('cdata', (chunk) => {
    top().text += chunk;
  });
  parser.on('closetag', () => {
    const closed = stack.pop() as Open;
    const parent = top();
    parent.hasContent = true;
    addChild(parent.node, closed.name, valueOf(closed));
  });
  parser.on('error', (error) => {
    throw error;
  });
  return { parser, root };
}

function valueOf(element: Open): unknown {
  if (!element.hasContent) return element.text;
  if (element.text !== '') element.node['#text'] = element.text;
  return element.node;
}

function addChild(node: XmlNode, name: string, value: unknown): void {
  const existing = node[name];
  if (existing === undefined) node[name] = ARRAY_ELEMENTS.has(name) ? [value] : value;
  else if (Array.isArray(existing)) existing.push(value);
  else node[name] = [existing, value];
}

/** Reads a 207 body; throws when it is not a multistatus (the caller adds the context). */
export function parseMultistatus(text: string): Multistatus {
  return readMultistatusNode(parseXml(text));
}

/** As `parseMultistatus`, letting the event loop run between parts (see `parseXmlInParts`). */
export async function parseMultistatusInParts(
  text: string,
  between: () => Promise<void>,
): Promise<Multistatus> {
  return readMultistatusNode(await parseXmlInParts(text, between));
}

function readMultistatusNode(parsed: XmlNode): Multistatus {
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
