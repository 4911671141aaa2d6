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
