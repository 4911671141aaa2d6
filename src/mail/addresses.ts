import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';

/** One mailbox: a display name (may be empty) and the address mail is delivered to. */
export interface MailAddress {
  name: string;
  address: string;
}

export interface ParsedAddressList {
  /** Every valid mailbox, in the order written; group members are listed one by one. */
  addresses: MailAddress[];
  /** The pieces of the field that are not a valid mailbox, as the user wrote them. */
  invalid: string[];
}

/**
 * Reads an address field as users type it in Ordo's settings and cards: `;` or `,` between
 * addresses, display names in quotes that may contain either, RFC 5322 groups
 * (`Team: a@x.org, b@x.org;`) and a trailing separator. Members of a group are returned as
 * mailboxes; the group's name is dropped.
 */
export function parseAddressList(field: string): ParsedAddressList {
  const result: ParsedAddressList = { addresses: [], invalid: [] };
  for (const segment of splitAddressField(field)) {
    collectSegment(segment, result);
  }
  return result;
}

/** Writes mailboxes the way every Ordo header writes them: separated by `, `. */
export function formatAddressList(addresses: readonly MailAddress[]): string {
  return addresses.map(formatAddress).join(', ');
}

export function formatAddress({ name, address }: MailAddress): string {
  if (name === '') return address;
  // RFC 5322 3.2.3: a phrase of atoms may stay bare; anything else becomes a quoted-string.
  const bare = /^[\p{L}\p{N}!#$%&'*+\-/=?^_`{|}~ ]+$/u.test(name) && name.trim() === name;
  return `${bare ? name : `"${name.replace(/["\\]/g, '\\$&')}"`} <${address}>`;
}

/**
 * Checks one address (`local@domain`, no display name). The domain is always what follows the
 * LAST `@`: a quoted local part may contain `@` (`"alice@example.org x"@internal.example`,
 * RFC 5321 4.1.2) and must never move the message to another domain.
 */
export function isValidAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;
  return isValidLocalPart(address.slice(0, at)) && isValidDomain(address.slice(at + 1));
}

/** The domain the message is delivered to, or null when the address is not valid. */
export function domainOf(address: string): string | null {
  return isValidAddress(address) ? address.slice(address.lastIndexOf('@') + 1).toLowerCase() : null;
}

function collectSegment(segment: string, result: ParsedAddressList): void {
  const text = segment.trim();
  if (text === '') return;

  const mailboxes = addressparser(text, { flatten: true });
  const valid =
    hasValidGroupName(text) &&
    mailboxes.length > 0 &&
    mailboxes.every((m) => isValidAddress(m.address));
  if (!valid) {
    result.invalid.push(text);
    return;
  }
  for (const mailbox of mailboxes) {
    result.addresses.push({ name: mailbox.name.trim(), address: mailbox.address });
  }
}

/**
 * A group's name is a phrase (RFC 5322 3.4): no address in it. Without this check,
 * `alice@example.org Bcc: mallory@evil.example` (a pasted header) reads as a group named
 * `alice@example.org Bcc`, and the parser drops alice and keeps mallory.
 */
function hasValidGroupName(segment: string): boolean {
  const colon = topLevelColon(segment);
  return colon < 0 || !/[@<>]/.test(segment.slice(0, colon));
}

function topLevelColon(segment: string): number {
  const state = { inQuote: false, inAngle: false, commentDepth: 0, inGroup: false };
  for (let i = 0; i < segment.length; i += 1) {
    const char = segment[i];
    if (char === '\\' && (state.inQuote || state.commentDepth > 0)) {
      i += 1;
      continue;
    }
    if (!isStructural(char, state) && char === ':') return i;
  }
  return -1;
}

/**
 * Cuts the field into top-level pieces. `;` separates addresses in what users type, but in
 * RFC 5322 (3.4) it also closes a group: inside a group it ends the group, elsewhere it is a
 * separator like `,`. Quoted strings, comments and `<...>` are skipped over, so a `;` or `,`
 * inside them never cuts. Line breaks count as spaces (a pasted, folded header).
 */
export function splitAddressField(field: string): string[] {
  const text = field.replace(/[\r\n\t]+/g, ' ');
  const segments: string[] = [];
  const state = { inQuote: false, inAngle: false, commentDepth: 0, inGroup: false };
  let start = 0;

  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\\' && (state.inQuote || state.commentDepth > 0)) {
      i += 1;
      continue;
    }
    if (isStructural(char, state)) continue;
    if (char === ':' && !state.inGroup) state.inGroup = true;
    else if (char === ';' && state.inGroup) {
      state.inGroup = false;
      segments.push(text.slice(start, i + 1));
      start = i + 1;
    } else if ((char === ',' && !state.inGroup) || char === ';') {
      segments.push(text.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(text.slice(start));
  return segments.filter((segment) => segment.trim() !== '');
}

interface ScanState {
  inQuote: boolean;
  inAngle: boolean;
  commentDepth: number;
  inGroup: boolean;
}

/** Tracks quotes, comments and angle brackets; true when the character is inside one of them. */
function isStructural(char: string | undefined, state: ScanState): boolean {
  if (state.inQuote) {
    if (char === '"') state.inQuote = false;
    return true;
  }
  if (state.commentDepth > 0) {
    if (char === '(') state.commentDepth += 1;
    if (char === ')') state.commentDepth -= 1;
    return true;
  }
  if (state.inAngle) {
    if (char === '>') state.inAngle = false;
    return true;
  }
  if (char === '"') state.inQuote = true;
  else if (char === '(') state.commentDepth = 1;
  else if (char === '<') state.inAngle = true;
  else return false;
  return true;
}

const ATEXT = "[\\p{L}\\p{N}!#$%&'*+\\-/=?^_`{|}~]";
const DOT_ATOM = new RegExp(`^${ATEXT}+(\\.${ATEXT}+)*$`, 'u');
// RFC 5321 4.1.2 quoted-string: printable ASCII (and UTF-8, RFC 6531) or backslash pairs.
const QUOTED = /^"(?:[^"\\\p{Cc}]|\\[^\p{Cc}])*"$/u;

function isValidLocalPart(local: string): boolean {
  if (new TextEncoder().encode(local).length > 64) return false;
  return DOT_ATOM.test(local) || QUOTED.test(local);
}

function isValidDomain(domain: string): boolean {
  const ascii = domainToASCII(domain);
  if (ascii === '' || ascii.length > 253) return false;

  const labels = ascii.split('.');
  if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}
