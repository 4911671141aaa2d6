/**
 * The byte-level and text-level rules of RFC 5545: line unfolding and folding (3.1), TEXT
 * escaping (3.3.11) and parameter quoting (3.2).
 */

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Removes every line break followed by a space or tab (RFC 5545 3.1), working on bytes: a
 * producer may fold inside a multi-byte UTF-8 sequence, which only decodes once rejoined.
 * Bare LF line ends are accepted too.
 */
export function unfoldBytes(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  let length = 0;
  let from = 0;
  // Copies the runs between folds whole: a file has far fewer line breaks than bytes.
  for (let lf = input.indexOf(LF); lf !== -1; lf = input.indexOf(LF, lf + 1)) {
    if (!isFoldSpace(input[lf + 1])) continue;
    const cut = lf > from && input[lf - 1] === CR ? lf - 1 : lf;
    out.set(input.subarray(from, cut), length);
    length += cut - from;
    from = lf + 2;
  }
  out.set(input.subarray(from), length);
  length += input.length - from;
  return out.subarray(0, length);
}

const FOLD = /\r?\n[ \t]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The text of a file, unfolded: what decodeText(unfoldBytes(its UTF-8 bytes)) gives. A
 * string with no lone surrogate is unfolded as a string (its UTF-8 bytes decode back to it,
 * less a leading byte-order mark, and no fold can fall inside a character); one with a lone
 * surrogate goes through bytes, where the encoder makes it U+FFFD before unfolding.
 */
export function unfoldText(input: Uint8Array | string): string {
  if (typeof input !== 'string' || LONE_SURROGATE.test(input)) {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    return decodeText(unfoldBytes(bytes));
  }
  const text = input.replace(FOLD, '');
  // The decoder drops one leading byte-order mark (ignoreBOM: false).
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isFoldSpace(byte: number | undefined): boolean {
  return byte === SPACE || byte === TAB;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const latin1 = new TextDecoder('windows-1252');

/**
 * Decodes the unfolded bytes. RFC 5545 6 makes UTF-8 the default charset; files that are not
 * valid UTF-8 come from old Windows producers, so they are read as Windows-1252 rather than
 * rejected.
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/** TEXT value escaping (RFC 5545 3.3.11): `\\`, `\;`, `\,`, and every line break as `\n`. */
export function escapeText(value: string): string {
  return (
    value
      .replace(/\r\n|\r|\n/g, '\n')
      // Other control characters are not allowed in TEXT (RFC 5545 3.3.11, TSAFE-CHAR).
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
      .replace(/[\\;,\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`))
  );
}

/**
 * A parameter value (RFC 5545 3.2): quoted when it holds `:`, `;` or `,`. A DQUOTE cannot
 * appear even quoted, and line breaks would end the line: both become plain characters.
 */
export function formatParamValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = value.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  const clean = safe.replace(/"/g, "'");
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

const encoder = new TextEncoder();

/**
 * Folds one content line at 75 octets (RFC 5545 3.1): continuation lines start with a space
 * and hold at most 74 more octets. Never splits a UTF-8 sequence, since code points are
 * kept whole.
 */
export function foldLine(line: string): string {
  if (line.length <= 75 && !/[^\x20-\x7e]/.test(line)) return line;
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  let limit = 75;
  for (const char of line) {
    const size = utf8Length(char);
    if (currentBytes + size > limit) {
      pieces.push(current);
      current = '';
      currentBytes = 0;
      limit = 74;
    }
    current += char;
    currentBytes += size;
  }
  pieces.push(current);
  return pieces.join('\r\n ');
}

function utf8Length(char: string): number {
  const code = char.codePointAt(0)!;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code < 0x10000) return 3;
  return 4;
}

/** The UTF-8 length of a string, in octets. */
export function octetLength(value: string): number {
  return encoder.encode(value).length;
}
