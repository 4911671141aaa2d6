/**
 * Makes text safe for a header: every line break and control character becomes one space, so
 * nothing a user typed (a task label, a name) can end the header and start another. Nodemailer
 * also encodes such characters, but a header must never depend on one line of defence.
 */
export function toHeaderText(value: string): string {
  // Cc is the C0 controls (CR, LF, TAB...), DEL and the C1 controls (NEL); plus the Unicode
  // line and paragraph separators.
  return value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}
