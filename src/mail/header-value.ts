/**
 * Makes text safe for a header: every line break and control character becomes one space, so
 * nothing a user typed (a task label, a name) can end the header and start another. Nodemailer
 * also encodes such characters, but a header must never depend on one line of defence.
 */
export function toHeaderText(value: string): string {
  // C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}
