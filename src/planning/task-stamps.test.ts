/**
 * When a task is stamped as created: once its transaction holds SQLite's one connection, so
 * that a sync run's "changed since" check, which needs that connection too, comes wholly
 * before the new rows (and then before their stamp) or after them.
 */
import { afterEach, expect, it } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { ManualClock } from '../shared/clock.js';
import { createTestOrdo } from '../test-support/ordo.js';
import { SYSTEM } from './actor.js';
import { taskInputSchema } from './task-input.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');

let ordo: Ordo | undefined;
afterEach(async () => {
  await ordo?.close();
  ordo = undefined;
});

it('stamps a created task when its transaction starts, not while it waits for one', async () => {
  const clock = new ManualClock(T0);
  ordo = await createTestOrdo({ clock });
  let release = () => {};
  let holding = () => {};
  const held = new Promise<void>((resolve) => (holding = resolve));
  // Another transaction (as a sync run's check would) holds the connection meanwhile.
  const other = ordo.store.db.transaction().execute(async () => {
    holding();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await held;

  const creating = ordo.tasks.create({
    actor: SYSTEM,
    input: taskInputSchema.parse({
      label: 'Pose cuisine',
      timing: { start: '2026-03-03T08:00:00Z', end: '2026-03-03T10:00:00Z' },
    }),
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  clock.advance(60_000);
  release();
  await other;

  const task = await creating;
  expect(task.modifiedAt).toBe(T0 + 60_000);
  expect(task.createdAt).toBe(T0 + 60_000);
  const [stored] = await ordo.tasks.list(SYSTEM, { from: T0, to: T0 + 86_400_000 * 2 });
  expect(stored?.modifiedAt).toBe(T0 + 60_000);
});
