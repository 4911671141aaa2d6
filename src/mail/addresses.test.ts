import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { domainOf, formatAddressList, isValidAddress, parseAddressList } from './addresses.js';

const FIXTURE = new URL('../../fixtures/interop/15-recipient-headers.txt', import.meta.url);

function fixtureFields(): { key: string; value: string }[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => {
      const colon = line.indexOf(':');
      return { key: line.slice(0, colon), value: line.slice(colon + 1).trim() };
    });
}

describe('parseAddressList with fixture 15 (recipient headers)', () => {
  const fields = fixtureFields();

  it('reads `;` between bare addresses as two addresses', () => {
    const parsed = parseAddressList(fields[0]!.value);
    expect(parsed).toEqual({
      addresses: [
        { name: '', address: 'alice@example.org' },
        { name: '', address: 'bob@example.net' },
      ],
      invalid: [],
    });
    expect(formatAddressList(parsed.addresses)).toBe('alice@example.org, bob@example.net');
  });

  it('keeps quoted names containing `,` whole and ignores the trailing `;`', () => {
    const parsed = parseAddressList(fields[1]!.value);
    expect(parsed.invalid).toEqual([]);
    expect(parsed.addresses).toEqual([
      { name: 'Doe, Alice', address: 'alice@example.org' },
      { name: 'Roe, Bob', address: 'bob@example.net' },
    ]);
    expect(formatAddressList(parsed.addresses)).toBe(
      '"Doe, Alice" <alice@example.org>, "Roe, Bob" <bob@example.net>',
    );
  });

  it('keeps a quoted name containing `;` whole', () => {
    const parsed = parseAddressList(fields[2]!.value);
    expect(parsed.addresses).toEqual([
      { name: 'Semi; Colon', address: 'carol@example.com' },
      { name: '', address: 'dave@example.com' },
    ]);
    expect(formatAddressList(parsed.addresses)).toBe(
      '"Semi; Colon" <carol@example.com>, dave@example.com',
    );
  });

  it('reads a group: its `;` ends the group, members become mailboxes', () => {
    const parsed = parseAddressList(fields[3]!.value);
    expect(parsed).toEqual({
      addresses: [
        { name: '', address: 'erin@example.org' },
        { name: '', address: 'frank@example.org' },
      ],
      invalid: [],
    });
  });
});

describe('parseAddressList', () => {
  it('handles an address after a group and a `;` separator after that', () => {
    const parsed = parseAddressList('Team: a@x.example, b@x.example; c@y.example; d@z.example;');
    expect(parsed.addresses.map((a) => a.address)).toEqual([
      'a@x.example',
      'b@x.example',
      'c@y.example',
      'd@z.example',
    ]);
  });

  it('reports what is not an address, as written, and keeps the rest', () => {
    const parsed = parseAddressList('alice@example.org; not an address ;bob@; "x" <y@example.org>');
    expect(parsed.addresses.map((a) => a.address)).toEqual(['alice@example.org', 'y@example.org']);
    expect(parsed.invalid).toEqual(['not an address', 'bob@']);
  });

  it('returns nothing for an empty or separator-only field', () => {
    expect(parseAddressList('')).toEqual({ addresses: [], invalid: [] });
    expect(parseAddressList(' ; , ;')).toEqual({ addresses: [], invalid: [] });
  });

  it('treats a pasted line break as a space, never as a new header', () => {
    const parsed = parseAddressList('alice@example.org\r\nBcc: mallory@evil.example');
    // Read as a group named `alice@example.org Bcc`, which is no phrase: the whole piece is
    // refused rather than silently keeping only mallory.
    expect(parsed.addresses).toEqual([]);
    expect(parsed.invalid).toEqual(['alice@example.org Bcc: mallory@evil.example']);
  });

  it('keeps a quoted local part containing `@` on its own domain', () => {
    const parsed = parseAddressList('"alice@example.org x"@internal.example');
    expect(parsed.addresses).toEqual([
      { name: '', address: '"alice@example.org x"@internal.example' },
    ]);
    expect(domainOf(parsed.addresses[0]!.address)).toBe('internal.example');
  });

  it('accepts internationalized addresses', () => {
    expect(parseAddressList('Zoë <zoë@exämple.org>').addresses).toEqual([
      { name: 'Zoë', address: 'zoë@exämple.org' },
    ]);
  });
});

describe('isValidAddress', () => {
  it.each([
    'a@example.org',
    'first.last+tag@sub.example.co.uk',
    '"a b"@example.org',
    '"alice@example.org x"@internal.example',
  ])('accepts %s', (address) => expect(isValidAddress(address)).toBe(true));

  it.each([
    '',
    'a',
    'a@',
    '@example.org',
    'a@localhost',
    'a@1.2.3.4',
    'a..b@example.org',
    'a b@example.org',
    'a@exa_mple.org',
    'a@-example.org',
    'a@example.org\r\nBcc: x@y.example',
    '"unterminated@example.org',
  ])('rejects %j', (address) => expect(isValidAddress(address)).toBe(false));
});
