/**
 * A real Ordo for tests, on SQLite in memory or on a fresh schema of the machine's
 * PostgreSQL (127.0.0.1:5432, database `test`), dropped afterwards.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createOrdo, type Ordo } from '../app/ordo.js';
import { loadConfig } from '../config/config.js';
import type { Clock } from '../shared/clock.js';

export type TestDialect = 'sqlite' | 'postgres';

export const POSTGRES_URL =
  process.env.ORDO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is not reachable at ${POSTGRES_URL}, and CI needs it`);
    }
    console.warn(`PostgreSQL is not reachable at ${POSTGRES_URL}: its tests are skipped`);
    return false;
  }
}

export async function createTestOrdo(
  options: { dialect?: TestDialect; clock?: Clock } = {},
): Promise<Ordo> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-test-'));
  const secretKey = crypto.randomBytes(32).toString('base64');
  if (options.dialect === 'postgres') {
    const { url, drop } = await createSchema();
    const config = loadConfig({ env: { ORDO_SECRET_KEY: secretKey }, flags: { dataDir } });
    const ordo = await createOrdo({
      config: { ...config, databaseUrl: url },
      clock: options.clock,
    });
    ordo.onClose(drop);
    ordo.onClose(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    return ordo;
  }
  const config = loadConfig({ env: { ORDO_SECRET_KEY: secretKey }, flags: { dataDir } });
  const ordo = await createOrdo({ config, clock: options.clock, sqliteFile: ':memory:' });
  ordo.onClose(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return ordo;
}

/** A schema of its own per test Ordo, so test files can run in parallel on one database. */
async function createSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}
