/**
 * Declares a suite once per database Ordo runs on: SQLite in memory and a fresh schema of the
 * machine's PostgreSQL. Without PostgreSQL its tests skip with a notice (and fail under
 * CI=true, see `postgresAvailable`).
 */
import { afterEach, beforeAll, describe } from 'vitest';

import type { Ordo } from '../app/ordo.js';
import type { Clock } from '../shared/clock.js';
import { createTestOrdo, postgresAvailable, type TestDialect } from './ordo.js';

export interface DialectSuite {
  dialect: TestDialect;
  /** A fresh test Ordo, closed after the test; `null` when this database is missing. */
  open(options?: { clock?: Clock }): Promise<Ordo | null>;
}

export function describeOnDialects(title: string, body: (suite: DialectSuite) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as TestDialect[]) {
    describe(`${title} on ${dialect}`, () => {
      let opened: Ordo[] = [];
      let available = true;

      beforeAll(async () => {
        if (dialect === 'postgres') available = await postgresAvailable();
      });

      afterEach(async () => {
        for (const ordo of opened) await ordo.close();
        opened = [];
      });

      body({
        dialect,
        open: async (options = {}) => {
          if (!available) return null;
          const ordo = await createTestOrdo({ ...options, dialect });
          opened.push(ordo);
          return ordo;
        },
      });
    });
  }
}
