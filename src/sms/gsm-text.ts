/**
 * Text that survives an operator's e-mail-to-SMS gateway: 7-bit ASCII (so the e-mail is
 * `us-ascii`, 7bit, never quoted-printable) that is also in the GSM 03.38 alphabet, so the SMS
 * needs no UCS-2 (which would cut it to 70 characters).
 */

/** Letters NFKD does not take apart, and punctuation with an ASCII look-alike. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ı: 'i',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '′': "'",
  '`': "'",
  '´': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '″': '"',
  '«': '"',
  '»': '"',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '−': '-',
  '…': '...',
  '€': 'EUR',
  '£': 'GBP',
  '•': '-',
  '·': '.',
  '×': 'x',
};

/**
 * GSM 03.38 basic characters that are ASCII: all printable ASCII but these, which are in the
 * extension table (sent as ESC + char: they count twice) or, for the backtick, nowhere.
 */
const GSM_EXTENSION = new Set(['^', '{', '}', '\\', '[', ']', '~', '|']);

/** Turns any text into printable ASCII plus `\n`: accents dropped, emoji and the rest removed. */
export function toGatewayText(text: string): string {
  const mapped = Array.from(text.normalize('NFC'), (char) => TRANSLITERATIONS[char] ?? char).join(
    '',
  );
  return (
    mapped
      .normalize('NFKD')
      // Combining marks after NFKD are the accents: é -> e + U+0301 -> e.
      .replace(/\p{M}/gu, '')
      .replace(/\r\n?/g, '\n')
      .replace(/[\t\p{Zs}]/gu, ' ')
      .replace(/[^\x20-\x7e\n]/g, '')
      .replace(/ {2,}/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

/** The length in GSM 03.38 septets: extension characters count two, a line break one. */
export function gsm7Length(text: string): number {
  let length = 0;
  for (const char of text) length += GSM_EXTENSION.has(char) ? 2 : 1;
  return length;
}

const URL_PATTERN = /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S+$/i;

export function isUrl(token: string): boolean {
  return URL_PATTERN.test(token);
}

/**
 * Breaks lines at spaces so none is longer than `width`. A URL is never cut: a URL longer than
 * the width goes alone on its line. Another word longer than the width is cut (it is not
 * something a reader or a link needs whole).
 */
export function wrapLines(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, width))
    .join('\n');
}

function wrapLine(line: string, width: number): string {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ').filter((w) => w !== '')) {
    const pieces = word.length > width && !isUrl(word) ? chunk(word, width) : [word];
    for (const piece of pieces) {
      if (current === '') current = piece;
      else if (current.length + 1 + piece.length <= width) current += ` ${piece}`;
      else {
        out.push(current);
        current = piece;
      }
    }
  }
  out.push(current);
  return out.join('\n');
}

function chunk(word: string, width: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < word.length; i += width) pieces.push(word.slice(i, i + width));
  return pieces;
}

/**
 * Shortens text to at most `max` septets, cutting between words and marking the cut with
 * `...`; a URL is dropped whole rather than cut. Returns the text unchanged when it fits.
 */
export function truncateGsm(text: string, max: number): { text: string; truncated: boolean } {
  if (gsm7Length(text) <= max) return { text, truncated: false };
  const tokens = text.split(/(?<=[ \n])/);
  while (tokens.length > 0) {
    tokens.pop();
    const candidate = `${tokens.join('').trimEnd()}...`;
    if (gsm7Length(candidate) <= max) return { text: candidate, truncated: true };
  }
  return { text: '...'.slice(0, Math.max(0, max)), truncated: true };
}
