import crypto from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { SyncFields } from '../provider.js';
import { contentHash } from './fields.js';

function fields(overrides: Partial<SyncFields>): SyncFields {
  return {
    uid: 'uid-1',
    kind: 'event',
    label: 'Chantier Lyon',
    remark: 'Prévoir 2 personnes',
    timing: { allDay: false, start: 1_767_254_400_000, end: 1_767_261_600_000 },
    reminder: { kind: 'before', minutes: 15 },
    private: false,
    recurring: false,
    ...overrides,
  };
}

describe('contentHash', () => {
  // Stored pairs keep these hashes: a different hash for the same fields would make every
  // pair look changed on the next run. These values were produced before any change to the
  // function and must never move.
  it.each<[string, Partial<SyncFields>, string]>([
    ['a timed item with a reminder before it', {}, 'SJRJThU-EezZKgBthWSpWO-yHhVNxfuS'],
    [
      'an all-day private task without reminders carried',
      {
        uid: 'b',
        kind: 'todo',
        label: 'Inventaire',
        remark: '',
        timing: { allDay: true, startDate: '2026-03-29', endDate: '2026-03-30' },
        reminder: null,
        private: true,
      },
      '0QHidYm5fv9paw0Bny1j0X4ZhgMzJs8f',
    ],
    [
      'an instant with a reminder at a time, non-ASCII text and a line break',
      {
        uid: 'c',
        label: 'Réunion « équipe » 😀',
        remark: 'ligne 1\nligne 2',
        timing: { allDay: false, start: 0, end: 0 },
        reminder: { kind: 'at', at: 1_767_254_400_000 },
        recurring: true,
      },
      'uWzIIO_e2aSlEgmfbDQ1RJwLFdE32jnD',
    ],
    [
      'an empty label and a reminder of kind none',
      {
        uid: 'd',
        label: '',
        remark: '',
        timing: { allDay: false, start: -86_400_000, end: 1 },
        reminder: { kind: 'none' },
      },
      'SSEKBRucC0wKmyOq8TjyjR134gQCF5ep',
    ],
    [
      'lone surrogates (JSON escapes them)',
      {
        uid: 'e',
        label: 'x\uD83Dy',
        remark: '\uDE00',
        timing: { allDay: false, start: 1, end: 2 },
        reminder: null,
      },
      'EbpobfpHJRNDVqYdAjOAZ8nOmrx5yRAe',
    ],
  ])('keeps the stored hash of %s', (_name, overrides, expected) => {
    expect(contentHash(fields(overrides))).toBe(expected);
  });

  it('gives the same hash on a Node version without crypto.hash (before 20.12)', () => {
    const expected = contentHash(fields({}));
    const oneShot = crypto.hash;
    try {
      (crypto as { hash?: typeof crypto.hash }).hash = undefined;
      expect(contentHash(fields({}))).toBe(expected);
    } finally {
      crypto.hash = oneShot;
    }
  });

  it('ignores identity: uid and kind', () => {
    const hash = contentHash(fields({}));
    expect(contentHash(fields({ uid: 'another', kind: 'todo' }))).toBe(hash);
  });

  it('changes with each compared field', () => {
    const hash = contentHash(fields({}));
    const changed: Partial<SyncFields>[] = [
      { label: 'Chantier Bron' },
      { remark: '' },
      { timing: { allDay: false, start: 1_767_254_400_000, end: 1_767_261_600_001 } },
      { reminder: { kind: 'before', minutes: 30 } },
      { reminder: null },
      { private: true },
      { recurring: true },
    ];
    for (const overrides of changed) expect(contentHash(fields(overrides))).not.toBe(hash);
  });
});
