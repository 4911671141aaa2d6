import { afterEach, describe, expect, it } from 'vitest';
import type { Ordo } from '../app/ordo.js';
import { SYSTEM } from '../planning/actor.js';
import { createTestOrdo } from '../test-support/ordo.js';
import { exportCalendar } from './export-service.js';
import { importCalendar } from './import-service.js';

let ordo: Ordo | null = null;
afterEach(async () => {
  await ordo?.close();
  ordo = null;
});

describe('importCalendar', () => {
  it('an item changed in the file changes only what the file carries', async () => {
    ordo = await createTestOrdo();
    const camille = await ordo.directory.createResource({ name: 'Camille' });
    const lucas = await ordo.directory.createResource({ name: 'Lucas' });
    const client = await ordo.directory.createClient({ name: 'Hôtel du Lac' });
    const task = await ordo.tasks.create({
      actor: SYSTEM,
      input: {
        label: 'Pose de cuisine',
        timing: {
          allDay: false,
          start: Date.parse('2026-03-02T08:00:00Z'),
          end: Date.parse('2026-03-02T12:00:00Z'),
        },
        resourceIds: [camille.id, lucas.id],
        clientId: client.id,
        remark: 'Prévoir la camionnette',
        location: '',
        category: 'chantier',
        reminder: { kind: 'none' },
        private: false,
      },
    });

    const exported = await exportCalendar(ordo, { actor: SYSTEM, resourceId: camille.id });
    const edited = exported.replace('DTEND:20260302T120000Z', 'DTEND:20260302T130000Z');
    const report = await importCalendar(ordo, {
      actor: SYSTEM,
      resourceId: camille.id,
      input: edited,
    });

    expect(report.updated.map((u) => u.taskId)).toEqual([task.id]);
    expect(await ordo.tasks.get(SYSTEM, task.id)).toMatchObject({
      timing: { end: Date.parse('2026-03-02T13:00:00Z') },
      resourceIds: [camille.id, lucas.id],
      clientId: client.id,
      remark: 'Prévoir la camionnette',
    });
  });
});

async function open(): Promise<Ordo> {
  ordo = await createTestOrdo();
  return ordo;
}

function calendar(uid: string, summary: string): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T000000Z',
    `SUMMARY:${summary}`,
    'DTSTART:20260302T090000Z',
    'DTEND:20260302T100000Z',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

describe('importing an item the planning already holds for another resource', () => {
  it('adds the resource to the existing task instead of a second task with that UID', async () => {
    const ordo = await open();
    const alice = await ordo.directory.createResource({ name: 'Alice' });
    const bob = await ordo.directory.createResource({ name: 'Bob' });
    await importCalendar(ordo, {
      actor: SYSTEM,
      resourceId: alice.id,
      input: calendar('m@x', 'Réunion'),
    });
    const report = await importCalendar(ordo, {
      actor: SYSTEM,
      resourceId: bob.id,
      input: calendar('m@x', 'Réunion'),
    });
    expect(report.imported).toEqual([]);
    expect(report.updated.map((u) => u.uid)).toEqual(['m@x']);
    const tasks = await ordo.tasks.findByUids(['m@x']);
    expect(tasks.map((t) => t.resourceIds)).toEqual([[alice.id, bob.id]]);
  });

  it('refuses, without a copy, when the importer may not change that task', async () => {
    const ordo = await open();
    const office = await ordo.directory.createDepartment('Bureau');
    const sites = await ordo.directory.createDepartment('Chantiers');
    const camille = await ordo.directory.createResource({
      name: 'Camille',
      departmentId: sites.id,
    });
    const chloe = await ordo.directory.createResource({ name: 'Chloé', departmentId: office.id });
    const existing = await importCalendar(ordo, {
      actor: SYSTEM,
      resourceId: camille.id,
      input: calendar('site-visit@x', 'Visite'),
    });
    const user = await ordo.users.create({
      login: 'limited',
      password: 'password-123',
      defaultAccess: 'none',
      departmentAccess: { [office.id]: 'write' },
    });
    const report = await importCalendar(ordo, {
      actor: await ordo.users.actorFor(user),
      resourceId: chloe.id,
      input: calendar('site-visit@x', 'Renamed by someone else'),
    });
    expect(report.failed.map((f) => [f.uid, f.code])).toEqual([['site-visit@x', 'FORBIDDEN']]);
    const tasks = await ordo.tasks.findByUids(['site-visit@x']);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ id: existing.imported[0]?.taskId, label: 'Visite' });
    expect(tasks[0]?.resourceIds).toEqual([camille.id]);
  });
});
