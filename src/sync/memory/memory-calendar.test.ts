import { describe } from 'vitest';

import { ManualClock } from '../../shared/clock.js';
import { runProviderContract } from '../provider-contract.js';
import { MemoryCalendar } from './memory-calendar.js';

describe('the in-memory calendar keeps the provider contract', () => {
  runProviderContract({
    supportsTodos: true,
    createSubject: async () => {
      const calendar = new MemoryCalendar({ clock: new ManualClock(Date.UTC(2029, 11, 1)) });
      return {
        provider: calendar,
        requestCount: () => calendar.calls,
        invalidateCursor: (cursor) => {
          calendar.expireCursors();
          return cursor;
        },
      };
    },
  });
});
