import { beforeAll, describe, expect, it, vi } from 'vitest';

import type * as SyncText from './sync-text.js';

// The page's modules read the browser's language when loaded.
let text: typeof SyncText;
let setLanguage: (language: 'fr' | 'en') => void;
let ApiError: typeof import('./api.js').ApiError;

beforeAll(async () => {
  vi.stubGlobal('navigator', { languages: ['en'], language: 'en' });
  vi.stubGlobal('document', { documentElement: { lang: 'en' } });
  text = await import('./sync-text.js');
  ({ setLanguage } = await import('./i18n.js'));
  ({ ApiError } = await import('./api.js'));
});

describe('sync page error texts', () => {
  it('names a refused address in French and English', () => {
    const error = new ApiError(400, 'SYNC_ADDRESS_REFUSED', 'Ordo does not fetch this address');
    setLanguage('fr');
    expect(text.syncErrorText(error)).toMatch(/^Cette adresse n’est pas autorisée/);
    expect(text.codeText('SYNC_ADDRESS_REFUSED', 'x')).toMatch(/^Cette adresse/);
    setLanguage('en');
    expect(text.syncErrorText(error)).toMatch(/^This address is not allowed/);
  });

  it('says how long to wait after a run that just happened, when the server tells', () => {
    const limited = new ApiError(429, 'RATE_LIMITED', 'Too many requests', {
      retryAfterSeconds: 27,
    });
    setLanguage('fr');
    expect(text.syncErrorText(limited)).toBe(
      'Une synchronisation vient d’avoir lieu : réessayez dans 27 s.',
    );
    expect(text.syncErrorText(new ApiError(429, 'RATE_LIMITED', 'Too many requests'))).toBe(
      'Une synchronisation vient d’avoir lieu : réessayez dans un instant.',
    );
    setLanguage('en');
    expect(text.syncErrorText(limited)).toBe('A synchronization has just run: try again in 27 s.');
  });
});
