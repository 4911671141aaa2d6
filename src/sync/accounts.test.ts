import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { settingsPatchSchema } from './accounts.js';

describe('the synchronization settings a user sends', () => {
  it('answers a calendar address that is not one as an issue on its field', () => {
    for (const field of ['calendarUrl', 'serverUrl']) {
      for (const address of ['not-a-url', 'http://[::1', 'ftp://cloud.example.org/cal/']) {
        const parsed = settingsPatchSchema.safeParse({ caldav: { [field]: address } });
        expect(parsed.error?.issues, address).toEqual([
          expect.objectContaining({
            path: ['caldav', field],
            message: 'an http:// or https:// address',
          }),
        ]);
      }
    }
  });

  it('refuses a user name or password inside the address, and an endless one', () => {
    const withCredentials = settingsPatchSchema.safeParse({
      caldav: { calendarUrl: 'https://camille:secret@cloud.example.org/cal/' },
    });
    expect(withCredentials.error?.issues.map((issue) => issue.message)).toEqual([
      'an address without a user name or password in it (use the fields for them)',
    ]);
    const long = `https://cloud.example.org/${'a'.repeat(2000)}`;
    const tooLong = settingsPatchSchema.safeParse({ caldav: { calendarUrl: long } });
    expect(tooLong.error?.issues.map((issue) => issue.message)).toEqual([
      'at most 2000 characters',
    ]);
  });

  it('validates any body without throwing', () => {
    const address = fc.oneof(
      fc.string(),
      fc.webUrl({ authoritySettings: { withUserInfo: true } }),
      fc.anything(),
    );
    fc.assert(
      fc.property(address, address, fc.anything(), (calendarUrl, serverUrl, body) => {
        expect(() =>
          settingsPatchSchema.safeParse({ caldav: { calendarUrl, serverUrl } }),
        ).not.toThrow();
        expect(() => settingsPatchSchema.safeParse(body)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
