import { expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { describeOnDialects } from '../test-support/dialects.js';
import { SYSTEM } from './actor.js';
import { taskInputSchema } from './task-input.js';
import { instantsOf } from './time.js';
import type { Task } from './types.js';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** Every shape a listed task can have: short, all-day, over days, longer than the look-back. */
function inputs(resourceIds: string[], clientId: string) {
  return [
    { label: 'short', timing: { start: iso(T0 + 8 * HOUR), end: iso(T0 + 10 * HOUR) } },
    { label: 'instant', timing: { start: iso(T0 + 9 * HOUR), end: iso(T0 + 9 * HOUR) } },
    {
      label: 'all day',
      timing: { allDay: true, startDate: '2026-03-03', endDate: '2026-03-04' },
      reminder: { kind: 'before', minutes: 30 },
    },
    {
      label: 'days',
      timing: { start: iso(T0 - 3 * DAY), end: iso(T0 + DAY) },
      reminder: { kind: 'at', at: iso(T0 - 4 * DAY) },
      clientId,
    },
    {
      label: 'weeks',
      timing: { allDay: true, startDate: '2026-02-01', endDate: '2026-03-20' },
      private: true,
      remark: 'Congé « long »',
      location: 'Lyon',
      category: 'absence',
    },
    { label: 'before', timing: { start: iso(T0 - 2 * DAY), end: iso(T0 - DAY) } },
    { label: 'after', timing: { start: iso(T0 + 9 * DAY), end: iso(T0 + 9 * DAY + HOUR) } },
  ].map((fields, i) =>
    taskInputSchema.parse({
      resourceIds: i % 2 ? resourceIds : resourceIds.slice(0, 1),
      ...fields,
    }),
  );
}

function overlapping(tasks: Task[], from: number, to: number): string[] {
  return tasks
    .map((t) => ({ t, ...instantsOf(t.timing, 'Europe/Paris') }))
    .filter(({ start, end }) => end > from && start < to)
    .sort((a, b) => a.start - b.start)
    .map(({ t }) => t.label);
}

describeOnDialects('task range query', ({ open }) => {
  async function planning() {
    const ordo = await open({ clock: new ManualClock(T0 - DAY) });
    if (!ordo) return null;
    const a = await ordo.directory.createResource({ name: 'Alice' });
    const b = await ordo.directory.createResource({ name: 'Camion', kind: 'material' });
    const client = await ordo.directory.createClient({ name: 'Dupont SA' });
    const tasks: Task[] = [];
    for (const input of inputs([a.id, b.id], client.id)) {
      tasks.push(await ordo.tasks.create({ actor: SYSTEM, input }));
    }
    return { ordo, tasks, a, b };
  }

  it('lists what overlaps the range, by start, with every field as stored', async (ctx) => {
    const p = await planning();
    if (!p) return ctx.skip();
    const { ordo, tasks, b } = p;
    for (const [from, to] of [
      [T0, T0 + 7 * DAY],
      [T0 + 9 * HOUR, T0 + 9 * HOUR + 1],
      [T0 - 30 * DAY, T0 - 20 * DAY],
      [T0 + 20 * DAY, T0 + 30 * DAY],
    ] as const) {
      const listed = await ordo.tasks.list(SYSTEM, { from, to });
      expect(listed.map((t) => t.label)).toEqual(overlapping(tasks, from, to));
      for (const view of listed) {
        expect(view).toEqual(await ordo.tasks.get(SYSTEM, view.id));
      }
    }
    const ofB = await ordo.tasks.list(SYSTEM, { from: T0, to: T0 + 7 * DAY, resourceId: b.id });
    const withB = tasks.filter((t) => t.resourceIds.includes(b.id));
    expect(ofB.map((t) => t.label)).toEqual(overlapping(withB, T0, T0 + 7 * DAY));
  });

  it('does not read a transaction in progress', async (ctx) => {
    const p = await planning();
    if (!p) return ctx.skip();
    const { ordo, a } = p;
    const range = { from: T0 + 11 * HOUR, to: T0 + 12 * HOUR };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const aborted = ordo.store.db.transaction().execute(async (trx) => {
      const input = taskInputSchema.parse({
        label: 'uncommitted',
        timing: { start: iso(range.from), end: iso(range.to) },
        resourceIds: [a.id],
      });
      await ordo.tasks.create({ actor: SYSTEM, input, trx });
      inside();
      await gate;
      throw new Error('rolled back');
    });
    await started;
    const listing = ordo.tasks.list(SYSTEM, range);
    release();
    await expect(aborted).rejects.toThrow('rolled back');
    const labels = (await listing).map((t) => t.label);
    expect(labels).toEqual(['weeks', 'days']);
  });
});
