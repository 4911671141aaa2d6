import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { ManualClock } from '../shared/clock.js';
import { isOrdoError } from '../shared/errors.js';
import { createTestOrdo, postgresAvailable, type TestDialect } from '../test-support/ordo.js';
import { SYSTEM } from './actor.js';
import { taskInputSchema } from './task-input.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const HOUR = 3600_000;

function input(overrides: Record<string, unknown> = {}) {
  return taskInputSchema.parse({
    label: 'Pose cuisine',
    timing: { start: new Date(T0).toISOString(), end: new Date(T0 + 2 * HOUR).toISOString() },
    ...overrides,
  });
}

for (const dialect of ['sqlite', 'postgres'] as TestDialect[]) {
  describe(`planning store on ${dialect}`, () => {
    let ordo: Ordo;
    let clock: ManualClock;
    let available = true;

    beforeAll(async () => {
      if (dialect === 'postgres') available = await postgresAvailable();
    });

    async function open(): Promise<Ordo | null> {
      if (!available) return null;
      clock = new ManualClock(T0 - 24 * HOUR);
      ordo = await createTestOrdo({ dialect, clock });
      return ordo;
    }

    afterEach(async () => {
      if (ordo) await ordo.close();
    });

    it('stores, lists, changes and deletes a task', async (ctx) => {
      if (!(await open())) return ctx.skip();
      const alice = await ordo.directory.createResource({ name: 'Alice', email: 'a@example.org' });
      const client = await ordo.directory.createClient({ name: 'Dupont SA' });
      const task = await ordo.tasks.create({
        actor: SYSTEM,
        input: input({ resourceIds: [alice.id], clientId: client.id, remark: 'Étage 2' }),
      });
      expect(task.uid).toBe(task.id);

      const listed = await ordo.tasks.list(SYSTEM, { from: T0 - HOUR, to: T0 + HOUR });
      expect(listed.map((t) => t.label)).toEqual(['Pose cuisine']);
      expect(listed[0]?.remark).toBe('Étage 2');
      expect(await ordo.tasks.list(SYSTEM, { from: T0 + 3 * HOUR, to: T0 + 4 * HOUR })).toEqual([]);

      clock.advance(1000);
      const moved = await ordo.tasks.update({
        actor: SYSTEM,
        id: task.id,
        patch: { timing: { allDay: false, start: T0 + HOUR, end: T0 + 3 * HOUR } },
      });
      expect(moved.sequence).toBe(1);
      expect(moved.modifiedAt).toBeGreaterThan(task.modifiedAt);

      await ordo.tasks.delete({ actor: SYSTEM, id: task.id });
      await expect(ordo.tasks.get(SYSTEM, task.id)).rejects.toMatchObject({
        code: 'TASK_NOT_FOUND',
      });
      const tomb = await ordo.store.db.selectFrom('task_tombstones').selectAll().execute();
      expect(tomb).toHaveLength(1);
    });

    it('finds long tasks and all-day tasks by range', async (ctx) => {
      if (!(await open())) return ctx.skip();
      await ordo.tasks.create({
        actor: SYSTEM,
        input: input({
          label: 'Chantier',
          timing: { start: '2026-01-01T00:00:00Z', end: '2026-06-01T00:00:00Z' },
        }),
      });
      await ordo.tasks.create({
        actor: SYSTEM,
        input: input({
          label: 'Noël',
          timing: { allDay: true, startDate: '2026-12-25', endDate: '2026-12-26' },
        }),
      });
      const march = await ordo.tasks.list(SYSTEM, { from: T0, to: T0 + 24 * HOUR });
      expect(march.map((t) => t.label)).toEqual(['Chantier']);
      const xmas = await ordo.tasks.list(SYSTEM, {
        from: Date.parse('2026-12-25T12:00:00Z'),
        to: Date.parse('2026-12-25T13:00:00Z'),
      });
      expect(xmas[0]?.timing).toEqual({
        allDay: true,
        startDate: '2026-12-25',
        endDate: '2026-12-26',
      });
    });

    it('rolls the task back when a hook fails', async (ctx) => {
      if (!(await open())) return ctx.skip();
      ordo.tasks.onChange(async () => {
        throw new Error('outbox unavailable');
      });
      await expect(ordo.tasks.create({ actor: SYSTEM, input: input() })).rejects.toThrow(
        'outbox unavailable',
      );
      expect(await ordo.tasks.list(SYSTEM, { from: 0, to: T0 * 2 })).toEqual([]);
    });

    it('rejects unknown resources and an end before the start', async (ctx) => {
      if (!(await open())) return ctx.skip();
      await expect(
        ordo.tasks.create({ actor: SYSTEM, input: input({ resourceIds: ['nope'] }) }),
      ).rejects.toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
      expect(() =>
        input({ timing: { start: '2026-03-02T10:00:00Z', end: '2026-03-02T09:00:00Z' } }),
      ).toThrow(/end must come after/);
    });

    it('applies access per department, group rights and private masking', async (ctx) => {
      if (!(await open())) return ctx.skip();
      const dept = await ordo.directory.createDepartment('Atelier');
      const other = await ordo.directory.createDepartment('Bureau');
      const bob = await ordo.directory.createResource({ name: 'Bob', departmentId: dept.id });
      const carl = await ordo.directory.createResource({ name: 'Carl', departmentId: other.id });
      const noDelete = await ordo.users.createGroup({
        name: 'Planners',
        canAdd: true,
        canModify: true,
        canDelete: false,
      });
      const reader = await ordo.users.create({
        login: 'reader',
        password: 'password-1',
        defaultAccess: 'none',
        departmentAccess: { [dept.id]: 'read' },
      });
      const planner = await ordo.users.create({
        login: 'planner',
        password: 'password-2',
        resourceId: carl.id,
        groupId: noDelete.id,
        defaultAccess: 'write',
      });
      const readerActor = await ordo.users.actorFor(reader);
      const plannerActor = await ordo.users.actorFor(planner);

      const bobs = await ordo.tasks.create({
        actor: SYSTEM,
        input: input({ resourceIds: [bob.id], private: true, remark: 'secret' }),
      });
      await ordo.tasks.create({ actor: SYSTEM, input: input({ resourceIds: [carl.id] }) });

      const seen = await ordo.tasks.list(readerActor, { from: 0, to: T0 * 2 });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ id: bobs.id, masked: true, label: '', remark: '' });

      const err = await ordo.tasks
        .create({ actor: readerActor, input: input({ resourceIds: [bob.id] }) })
        .catch((e: unknown) => e);
      expect(isOrdoError(err, 'FORBIDDEN')).toBe(true);

      const own = await ordo.tasks.create({
        actor: plannerActor,
        input: input({ resourceIds: [carl.id] }),
      });
      await expect(ordo.tasks.delete({ actor: plannerActor, id: own.id })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(
        ordo.tasks.update({ actor: plannerActor, id: bobs.id, patch: { label: 'x' } }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('keeps secrets sealed in the settings table', async (ctx) => {
      if (!(await open())) return ctx.skip();
      await ordo.settings.setFromText('mail.smtp.password', 'hunter2-secret');
      await ordo.settings.setFromText('mail.smtp.port', '2525');
      expect(await ordo.settings.get('mail.smtp.password')).toBe('hunter2-secret');
      expect(await ordo.settings.get('mail.smtp.port')).toBe(2525);
      const rows = await ordo.store.db.selectFrom('settings').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain('hunter2');
      await expect(
        ordo.settings.setFromText('company.timeZone', 'Mars/Olympus'),
      ).rejects.toMatchObject({ code: 'SETTING_INVALID' });
      await expect(ordo.settings.setFromText('no.such', 'x')).rejects.toMatchObject({
        code: 'SETTING_UNKNOWN',
      });
    });

    it('normalizes identity cards and refuses bad ones', async (ctx) => {
      if (!(await open())) return ctx.skip();
      const r = await ordo.directory.createResource({ name: 'Dana', mobile: '06 12 34 56 78' });
      expect(r.mobile).toBe('+33612345678');
      await expect(
        ordo.directory.createResource({ name: 'Eve', email: 'not-an-address' }),
      ).rejects.toMatchObject({ code: 'MAIL_ADDRESS_INVALID' });
      await expect(ordo.directory.createResource({ name: 'Dana' })).rejects.toMatchObject({
        code: 'RESOURCE_EXISTS',
      });
    });
  });
}
