import { describe, expect, it } from 'vitest';
import { composeTaskSmsText } from './task-sms.js';
import { gsm7Length, toGatewayText, truncateGsm, wrapLines } from './gsm-text.js';
import { gatewayLocalPart } from './operators.js';

describe('toGatewayText', () => {
  it('transliterates accents and ligatures and drops emoji and other scripts', () => {
    expect(toGatewayText('Réunion à l’été — Œuvre « ß » 🚀🚨 会议 naïve')).toBe(
      'Reunion a l\'ete - OEuvre " ss " naive',
    );
  });

  it('keeps line breaks, normalizes CRLF and collapses spaces', () => {
    expect(toGatewayText('a\r\nb\u00a0\u00a0 c\t d\n\n\n\ne')).toBe('a\nb c d\n\ne');
  });

  it('leaves only printable ASCII and LF', () => {
    const text = toGatewayText('x\u0000\u0007y`z\u200b€');
    expect(text).toBe("xy'zEUR");
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
  });
});

describe('gsm7Length', () => {
  it('counts extension characters twice', () => {
    expect(gsm7Length('abc')).toBe(3);
    expect(gsm7Length('[x]{y}^~|\\')).toBe(2 + 1 + 2 + 2 + 1 + 2 + 2 + 2 + 2 + 2);
    expect(gsm7Length('a\nb')).toBe(3);
  });
});

describe('wrapLines', () => {
  it('breaks at spaces within the width', () => {
    const text = 'word '.repeat(40).trim();
    const lines = wrapLines(text, 76).split('\n');
    expect(lines.every((line) => line.length <= 76)).toBe(true);
    expect(lines.join(' ')).toBe(text);
  });

  it('never cuts a URL; a long one goes alone on its line', () => {
    const url = `https://shop.example.com/p/${'x'.repeat(80)}?ref=sms`;
    expect(wrapLines(`see ${url} now`, 76)).toBe(`see\n${url}\nnow`);
  });

  it('cuts a long word that is not a URL', () => {
    expect(
      wrapLines('y'.repeat(100), 76)
        .split('\n')
        .map((l) => l.length),
    ).toEqual([76, 24]);
  });
});

describe('truncateGsm', () => {
  it('cuts between words and marks the cut', () => {
    expect(truncateGsm('one two three four', 12)).toEqual({ text: 'one two...', truncated: true });
    expect(truncateGsm('short', 10)).toEqual({ text: 'short', truncated: false });
  });

  it('drops a URL whole rather than cutting it', () => {
    const result = truncateGsm('go https://example.com/abcdefghij', 20);
    expect(result.text).toBe('go...');
  });
});

describe('gatewayLocalPart', () => {
  it('writes national digits with the trunk prefix, or international digits', () => {
    expect(gatewayLocalPart('+12015550123', 'national')).toBe('2015550123');
    expect(gatewayLocalPart('+33612345678', 'national')).toBe('0612345678');
    expect(gatewayLocalPart('+33612345678', 'international')).toBe('33612345678');
  });

  it('refuses what is not a valid E.164 number', () => {
    expect(() => gatewayLocalPart('0612345678', 'national')).toThrow(/mobile number/);
    expect(() => gatewayLocalPart('+1555', 'national')).toThrow(/mobile number/);
  });
});

describe('composeTaskSmsText', () => {
  const task = {
    label: 'Réunion de chantier',
    timing: { allDay: false as const, start: Date.UTC(2023, 2, 7, 7, 15), end: 0 },
    location: '12 rue des Lilas, Lyon',
  };

  it('writes start and label, client, location', () => {
    const text = composeTaskSmsText({
      task,
      client: { name: 'Dupont & Fils' },
      language: 'fr',
      timeZone: 'Europe/Paris',
    });
    expect(text).toBe('07/03 08:15 Reunion de chantier\nDupont & Fils\n12 rue des Lilas, Lyon');
  });

  it('fits one SMS whatever the lengths, keeping the start', () => {
    const long = { ...task, label: 'Étiquette '.repeat(30), location: 'Lieu '.repeat(40) };
    const text = composeTaskSmsText({
      task: long,
      client: { name: 'Client '.repeat(20) },
      language: 'en',
      timeZone: 'Europe/Paris',
    });
    expect(gsm7Length(text)).toBeLessThanOrEqual(160);
    expect(text.startsWith('7 Mar 08:15 Etiquette')).toBe(true);
  });
});
