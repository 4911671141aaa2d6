import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, unfoldBytes, unfoldText } from './text.js';

/** RFC 5545 3.1 unfolding byte by byte: what unfoldBytes must give, however it runs. */
function unfoldOneByOne(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  const isFold = (byte: number | undefined) => byte === 0x20 || byte === 0x09;
  for (let i = 0; i < input.length; i += 1) {
    if (input[i] === 0x0d && input[i + 1] === 0x0a && isFold(input[i + 2])) {
      i += 2;
    } else if (input[i] === 0x0a && isFold(input[i + 1])) {
      i += 1;
    } else {
      out.push(input[i]!);
    }
  }
  return Uint8Array.from(out);
}

const PIECES = ['\r', '\n', '\r\n', ' ', '\t', 'a', 'é', '😀', '\uD83D', '\uDE00', '\uFEFF', ':'];

describe('unfoldBytes', () => {
  it('removes each line break followed by a space or tab, and only those', () => {
    const bytes = fc
      .array(fc.constantFrom(0x0d, 0x0a, 0x20, 0x09, 0x41, 0xc3, 0xa9, 0xef, 0xbb, 0xbf))
      .map((list) => Uint8Array.from(list));
    fc.assert(
      fc.property(bytes, (input) => {
        expect(Buffer.from(unfoldBytes(input))).toStrictEqual(Buffer.from(unfoldOneByOne(input)));
      }),
      { numRuns: 3000 },
    );
  });

  it('rejoins a character folded in the middle of its bytes', () => {
    const folded = Buffer.concat([Buffer.from([0xc3]), Buffer.from('\r\n '), Buffer.from([0xa9])]);
    expect(decodeText(unfoldBytes(folded))).toBe('é');
  });
});

describe('unfoldText', () => {
  it('gives for a string what its UTF-8 bytes give, lone surrogates and BOMs included', () => {
    const text = fc.array(fc.constantFrom(...PIECES)).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(text, (input) => {
        const bytes = Buffer.from(input, 'utf8');
        expect(unfoldText(input)).toBe(decodeText(unfoldOneByOne(bytes)));
        expect(unfoldText(bytes)).toBe(decodeText(unfoldOneByOne(bytes)));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a surrogate pair folded in two halves as UTF-8 bytes would', () => {
    expect(unfoldText('a\uD83D\r\n \uDE00b')).toBe('a\uFFFD\uFFFDb');
    expect(unfoldText('a😀\r\n\tb')).toBe('a😀b');
  });

  it('drops one leading byte-order mark, as the decoder does', () => {
    expect(unfoldText('\uFEFF\uFEFFBEGIN')).toBe('\uFEFFBEGIN');
  });
});
