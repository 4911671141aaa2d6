/**
 * Two Ordo processes on one PostgreSQL schema, each with its scheduler and hub: every
 * reminder is raised once, and reaches the user's pages whichever process they are on.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrdo, type Ordo } from '../app/ordo.js';
import { loadConfig } from '../config/config.js';
import { SYSTEM } from '../planning/actor.js';
import { ManualClock } from '../shared/clock.js';
import { POSTGRES_URL, postgresAvailable } from '../test-support/ordo.js';
import type { HubMessage } from './hub.js';
import { startReminders, type Reminders } from './reminders.js';
import { HOUR, T0, taskInput } from './test-fixture.js';
import { ManualTimers } from './timers.js';

describe('two schedulers on one PostgreSQL schema', () => {
  let available = false;
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const opened: Ordo[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-reminders-'));

  beforeAll(async () => {
    available = await postgresAvailable();
    if (available) await adminQuery(`CREATE SCHEMA ${schema}`);
  });

  afterAll(async () => {
    for (const ordo of opened) await ordo.close();
    if (available) await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(clock: ManualClock): Promise<{ ordo: Ordo; reminders: Reminders }> {
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const config = loadConfig({
      env: { ORDO_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') },
      flags: { dataDir, databaseUrl: url.toString() },
    });
    const ordo = await createOrdo({ config, clock });
    opened.push(ordo);
    // Small batches make the two claim loops interleave.
    const reminders = await startReminders(ordo, {
      timers: new ManualTimers(clock),
      scheduler: true,
      batchSize: 7,
    });
    return { ordo, reminders };
  }

  it('raises each reminder once per user, to pages on either process', async (ctx) => {
    if (!available) return ctx.skip();
    const clock = new ManualClock(T0);
    const a = await open(clock);
    const b = await open(clock);
    const alice = await a.ordo.directory.createResource({ name: 'Alice' });
    const bob = await a.ordo.directory.createResource({ name: 'Bob' });
    const aliceUser = await a.ordo.users.create({
      login: 'alice',
      password: 'correct horse',
      resourceId: alice.id,
    });
    const bobUser = await a.ordo.users.create({
      login: 'bob',
      password: 'correct horse',
      resourceId: bob.id,
    });
    const page = async (r: Reminders, user: typeof aliceUser) => {
      const messages: HubMessage[] = [];
      await r.connect(await a.ordo.users.actorFor(user), (m) => messages.push(m));
      return () => messages.flatMap((m) => (m.type === 'reminder' ? [m.reminder.id] : []));
    };
    const aliceOnA = await page(a.reminders, aliceUser);
    const aliceOnB = await page(b.reminders, aliceUser);
    const bobOnB = await page(b.reminders, bobUser);

    const count = 120;
    for (let i = 0; i < count; i += 1) {
      const start = T0 + 2 * HOUR + i * 1000;
      const side = i % 2 === 0 ? a : b;
      await side.ordo.tasks.create({
        actor: SYSTEM,
        input: taskInput({
          label: `Task ${i}`,
          timing: {
            start: new Date(start).toISOString(),
            end: new Date(start + HOUR).toISOString(),
          },
          resourceIds: i % 3 === 0 ? [alice.id, bob.id] : [alice.id],
        }),
      });
    }
    clock.advance(3 * HOUR);
    await Promise.all([
      a.reminders.scheduler.run(),
      b.reminders.scheduler.run(),
      a.reminders.scheduler.run(),
      b.reminders.scheduler.run(),
    ]);

    expect(a.reminders.scheduler.raisedCount + b.reminders.scheduler.raisedCount).toBe(count);
    // Both claimed a share: the row locks split the work rather than one process waiting.
    expect(a.reminders.scheduler.raisedCount).toBeGreaterThan(0);
    expect(b.reminders.scheduler.raisedCount).toBeGreaterThan(0);
    await vi.waitFor(() => {
      expect(aliceOnA()).toHaveLength(count);
      expect(aliceOnB()).toHaveLength(count);
      expect(bobOnB()).toHaveLength(count / 3);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await Promise.all([a.reminders.hub.idle(), b.reminders.hub.idle()]);
    expect(new Set(aliceOnA()).size).toBe(count);
    expect(aliceOnA()).toHaveLength(count);
    expect(aliceOnB()).toHaveLength(count);
    expect(bobOnB()).toHaveLength(count / 3);
    const states = await a.ordo.store.db.selectFrom('reminder_states').select('state').execute();
    expect(states).toHaveLength(count + count / 3);
  });
});

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(text);
  await client.end();
}
