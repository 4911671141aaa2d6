/**
 * The iCalendar grammar (RFC 5545 3.1-3.6) read by ical.js into jCal, sparing it two kinds of
 * work whose result is known or unused:
 *
 * - A VTIMEZONE block whose text was read before is not read again. Every object of a CalDAV
 *   calendar repeats the same VTIMEZONE, and reading it (its RRULEs above all) costs ical.js
 *   more than reading the event. The block is cut out and an empty placeholder component put
 *   in its place; the placeholder is then swapped for the block as ical.js read it alone,
 *   once per distinct text (see readAlone for why that is the same).
 * - Lines of properties the caller never reads (DTSTAMP, X- properties...) are left out when
 *   ical.js would only have stored them: no parameters, a value type that cannot fail, inside
 *   a component.
 *
 * The lines are walked as ical.js walks them (a line ends at LF, less a CR before it; BEGIN
 * and END are told by the name before the first colon, in any case). When the text holds
 * something that walk does not follow (a folded line left, a vCard, a component closed twice)
 * ical.js reads the whole text as it is, and whenever the cut text fails to read or gives
 * placeholders that do not match the blocks one to one, the whole text is read again.
 */
import ICAL from 'ical.js';
import type { JCalComponent } from './zones.js';

export interface GrammarOptions {
  /**
   * Properties the caller never reads, by name (any case; `X-*` stands for every extension):
   * their lines may be left out of the jCal. Names whose values ical.js could fail on are
   * always kept. Pass the same array each time: what is built from it is kept with it.
   */
  unread?: readonly string[];
}

/** Distinct VTIMEZONE texts kept: a calendar has a handful; imports bring a few more. */
const MAX_BLOCKS = 32;
/** Longer blocks (long RDATE histories) are read with the rest each time rather than kept. */
const MAX_BLOCK_LENGTH = 16_384;

const PLACEHOLDER = 'x-ordo-cached-vtimezone-';
/** Value types whose reading by ical.js cannot throw: string slicing, parseInt, a regex. */
const SAFE_TYPES = new Set(['text', 'date', 'date-time', 'integer']);
/** Components read with the default design set, as producers write them. */
const PLAIN_COMPONENTS = new Set([
  'VCALENDAR',
  'VEVENT',
  'VTODO',
  'VJOURNAL',
  'VALARM',
  'VTIMEZONE',
  'STANDARD',
  'DAYLIGHT',
]);
const CR = 13;

/** A block as ical.js read it alone; `null` when it does not read the same alone. */
const blocks = new Map<string, JCalComponent | null>();
/** The block read last, which is also the most recent entry of `blocks`. */
let last: { block: string; component: JCalComponent | null } | undefined;

/**
 * What ICAL.parse gives for `text` (a component or a list of them), less properties the
 * caller does not read; or what ICAL.parse throws for it.
 */
export function parseGrammar(text: string, options: GrammarOptions = {}): unknown {
  const reduced = reduce(text, linePattern(options.unread ?? []));
  if (!reduced) return ICAL.parse(text);

  let parsed: unknown;
  try {
    parsed = ICAL.parse(reduced.text);
  } catch {
    // The whole text fails too; read it so that the error is ical.js's own for it.
    return ICAL.parse(text);
  }
  return splice(parsed, reduced.blocks) ?? ICAL.parse(text);
}

/** How many VTIMEZONE blocks are kept, for tests and diagnostics. */
export function cachedBlockCount(): number {
  return blocks.size;
}

const patterns = new WeakMap<readonly string[], RegExp>();

/**
 * The lines the walk stops at: BEGIN and END, and properties without parameters that may be
 * left out. Other lines are skipped by the regular expression engine.
 */
function linePattern(unread: readonly string[]): RegExp {
  let pattern = patterns.get(unread);
  if (!pattern) {
    const names = unread
      .filter(isSafeToLeaveOut)
      .map((name) => (name === 'X-*' ? 'X-[A-Z0-9-]*' : name));
    pattern = new RegExp(`\\n(?:${['BEGIN', 'END', ...names].join('|')}):`, 'gi');
    patterns.set(unread, pattern);
  }
  return pattern;
}

/** Whether ical.js only stores the property when written without parameters. */
function isSafeToLeaveOut(name: string): boolean {
  if (/^(begin|end)$/i.test(name)) return false;
  const properties = ICAL.design.defaultSet.property as Record<string, PropertyDesign>;
  // An unknown property keeps its value as written, unless the design knows extensions.
  if (name === 'X-*') return !Object.keys(properties).some((known) => /^x-/i.test(known));
  if (!/^[A-Za-z0-9-]+$/.test(name)) return false;
  // Looked up as ical.js does, prototype included.
  const lower = name.toLowerCase();
  if (!(lower in properties)) return true;
  const details = properties[lower]!;
  return (
    !details.multiValue &&
    !details.structuredValue &&
    !details.detectType &&
    SAFE_TYPES.has(details.defaultType)
  );
}

interface PropertyDesign {
  defaultType: string;
  multiValue?: string;
  structuredValue?: string;
  detectType?: unknown;
}

interface Reduced {
  text: string;
  blocks: JCalComponent[];
}

/**
 * The text without its known VTIMEZONE blocks and unread lines; `null` when there are none,
 * or when the text holds what the walk does not follow.
 */
function reduce(text: string, pattern: RegExp): Reduced | null {
  // ical.js skips spaces and tabs before the first line only.
  let first = 0;
  while (isFoldSpace(text[first])) first += 1;
  if (first === text.length) return null;
  const opening = keywordAt(text, first, text.indexOf(':', first));
  if (opening === 'end' || (opening === 'begin' && !isPlainBegin(text, first))) return null;

  const pieces: string[] = [];
  const found: JCalComponent[] = [];
  let kept = 0;
  let depth = opening === 'begin' ? 1 : 0;
  pattern.lastIndex = first;
  while (pattern.test(text)) {
    const colon = pattern.lastIndex - 1;
    const at = text.lastIndexOf('\n', colon) + 1;
    const lf = text.indexOf('\n', colon);
    // The last line is left to ical.js: nothing after it depends on it.
    if (lf === -1) break;
    pattern.lastIndex = lf;
    const keyword = keywordAt(text, at, colon);
    if (keyword === 'end') {
      depth -= 1;
      // ical.js then has no component to put lines in, and fails or drops them its own way.
      if (depth < 0) return null;
    } else if (keyword === 'begin') {
      const block = cachedBlock(text, at);
      if (block) {
        pieces.push(text.slice(kept, at), placeholder(found.length));
        found.push(block.component);
        kept = block.end;
        pattern.lastIndex = block.end;
        continue;
      }
      if (!isPlainBegin(text, at)) return null;
      depth += 1;
    } else if (depth > 0 && !isFoldSpace(text[lf + 1])) {
      // Outside every component ical.js fails, or puts the property in odd places; a line
      // continued on the next is left whole.
      pieces.push(text.slice(kept, at));
      kept = lf + 1;
    }
  }
  if (pieces.length === 0) return null;
  pieces.push(text.slice(kept));
  return { text: pieces.join(''), blocks: found };
}

/** `begin` or `end` when the name before the colon at `colon` is one, as ical.js tells it. */
function keywordAt(text: string, at: number, colon: number): 'begin' | 'end' | null {
  const length = colon - at;
  if (length === 5) return isWordAt(text, at, 'begin') ? 'begin' : null;
  if (length === 3) return isWordAt(text, at, 'end') ? 'end' : null;
  return null;
}

/** Whether the ASCII letters of `word` (lower case) are written at `at`, in any case. */
function isWordAt(text: string, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i += 1) {
    // Setting bit 0x20 lowers an ASCII capital, and turns no other character into a lower-case
    // ASCII letter: the same test as ical.js's toLowerCase() for these words.
    if ((text.charCodeAt(at + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Whether the BEGIN line at `at` opens a component read with the default design set (not
 * a vCard), and is not continued on the next line, which would change the component's name.
 */
function isPlainBegin(text: string, at: number): boolean {
  const lf = text.indexOf('\n', at);
  if (lf !== -1 && isFoldSpace(text[lf + 1])) return false;
  return !changesDesign(lineValue(text, at, 'BEGIN:'.length));
}

function isFoldSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** The value of the line starting at `at` whose name and colon take `skip` characters. */
function lineValue(text: string, at: number, skip: number): string {
  let end = text.indexOf('\n', at);
  if (end === -1) end = text.length;
  else if (end > at && text.charCodeAt(end - 1) === CR) end -= 1;
  return text.slice(at + skip, end);
}

/** Whether a component makes ical.js read what follows with another design set (vCard). */
function changesDesign(componentName: string): boolean {
  if (PLAIN_COMPONENTS.has(componentName)) return false;
  return ICAL.design.getDesignSet(componentName.toLowerCase()) !== ICAL.design.defaultSet;
}

/** The length of the line break (CRLF or LF, as ical.js splits lines) at `at`, or 0. */
function lineBreakAt(text: string, at: number): number {
  if (text[at] === '\n') return 1;
  return text[at] === '\r' && text[at + 1] === '\n' ? 2 : 0;
}

/**
 * The VTIMEZONE block starting at `begin` (a `BEGIN:VTIMEZONE` line) as read alone, and where
 * its last line ends; `null` when it does not end in an `END:VTIMEZONE` line of its own or
 * does not read the same alone.
 */
function cachedBlock(
  text: string,
  begin: number,
): { component: JCalComponent; end: number } | null {
  if (!text.startsWith('BEGIN:VTIMEZONE', begin) || lineBreakAt(text, begin + 15) === 0) {
    return null;
  }
  const close = text.indexOf('\nEND:VTIMEZONE', begin + 'BEGIN:VTIMEZONE'.length);
  if (close === -1) return null;
  const end = close + '\nEND:VTIMEZONE'.length;
  // The END line must end there, and not be continued on the next line (RFC 5545 3.1).
  const lineBreak = lineBreakAt(text, end);
  if (lineBreak === 0 || isFoldSpace(text[end + lineBreak])) return null;
  const component = readBlock(text.slice(begin, end));
  return component ? { component, end } : null;
}

function placeholder(index: number): string {
  return `BEGIN:${PLACEHOLDER}${index}\nEND:${PLACEHOLDER}${index}`;
}

function readBlock(block: string): JCalComponent | null {
  if (block.length > MAX_BLOCK_LENGTH) return null;
  // Objects of one calendar follow each other with the same block: a comparison spares
  // hashing its text for the map.
  if (last && last.block === block) return last.component;

  let component = blocks.get(block);
  if (component === undefined) {
    component = readAlone(block);
    if (blocks.size >= MAX_BLOCKS) blocks.delete(blocks.keys().next().value as string);
  } else {
    // Kept in the order of last use, so that the least used is the one forgotten.
    blocks.delete(block);
  }
  blocks.set(block, component);
  last = { block, component };
  return component;
}

/**
 * The block read alone, inside a VCALENDAR and followed by a property. ical.js carries
 * nothing from one line to the next but the stack of open components and the design set
 * (which only a vCard component changes, refused here and in the rest of the text), so the
 * block reads the same anywhere when, read alone, it opens one VTIMEZONE and closes it, and
 * leaves the VCALENDAR open for the property after it: any other way through its lines
 * throws, or leaves a property or another component in the VCALENDAR.
 */
function readAlone(block: string): JCalComponent | null {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(`BEGIN:VCALENDAR\r\n${block}\r\nX-ORDO-AFTER:1\r\nEND:VCALENDAR`);
  } catch {
    return null;
  }
  const [name, properties, children] = parsed as JCalComponent;
  if (name !== 'vcalendar' || properties.length !== 1 || properties[0]?.[0] !== 'x-ordo-after') {
    return null;
  }
  const [component] = children;
  if (children.length !== 1 || component?.[0] !== 'vtimezone') return null;
  return holdsDesignChange(component) ? null : component;
}

function holdsDesignChange(component: JCalComponent): boolean {
  return changesDesign(component[0]) || component[2].some(holdsDesignChange);
}

/**
 * `parsed` with each block back in place of its placeholder; `undefined` when placeholders
 * and blocks do not match one to one (the text had a component of the placeholder's name),
 * or when a placeholder did not stay empty.
 */
function splice(parsed: unknown, found: JCalComponent[]): unknown {
  if (found.length === 0) return parsed;
  // ICAL.parse gives the component itself when there is only one.
  const single = typeof (parsed as unknown[])[0] === 'string';
  const roots = (single ? [parsed] : parsed) as unknown[];
  const placed = new Set<number>();
  if (!spliceInto(roots, found, placed) || placed.size !== found.length) return undefined;
  return single ? roots[0] : roots;
}

function spliceInto(list: unknown[], found: JCalComponent[], placed: Set<number>): boolean {
  for (let i = 0; i < list.length; i += 1) {
    const component = list[i] as JCalComponent;
    if (!Array.isArray(component) || typeof component[0] !== 'string') return false;
    if (!component[0].startsWith(PLACEHOLDER)) {
      if (!spliceInto(component[2], found, placed)) return false;
      continue;
    }
    // Outside every component ical.js may push lines into the second top-level component:
    // a placeholder that received any stands for a block that would have.
    const untouched = component.length === 3 && component[1].length + component[2].length === 0;
    const index = Number(component[0].slice(PLACEHOLDER.length));
    const block = found[index];
    if (!untouched || !block || placed.has(index)) return false;
    placed.add(index);
    list[i] = block;
  }
  return true;
}
