/**
 * The sync engine on the Graph provider and the stand-in: what the provider contract cannot
 * show, that a second run changes nothing (no echo of our own writes) and that edits cross
 * over in both directions, appointments and To Do tasks alike.
 */
import { describe, expect, it } from 'vitest';

import type { SyncSettings } from '../engine/index.js';
import { HOUR, NOW, setUpEngine, useGraphStandIn } from './test-kit.js';

const standIn = useGraphStandIn();

function setUp(settings: Partial<SyncSettings> = {}) {
  return setUpEngine(standIn(), {
    calendarPrefix: 'engine',
    settings: { exportAs: 'appointments', ...settings },
  });
}

describe('sync engine on Microsoft Graph (stand-in)', () => {
  it('exports tasks, then a second run changes nothing', async () => {
    const kit = setUp();
    kit.planning.add({
      label: 'Pose cuisine',
      timing: { allDay: false, start: NOW + 26 * HOUR, end: NOW + 29 * HOUR },
      remark: 'Clé chez le gardien',
      reminder: { kind: 'before', minutes: 30 },
    });
    kit.planning.add({
      label: 'Congés',
      timing: { allDay: true, startDate: '2030-03-10', endDate: '2030-03-12' },
    });
    const first = await kit.sync();
    expect(first.errors).toEqual([]);
    expect(first.counts.created).toBe(2);

    const second = await kit.sync();
    expect(second.errors).toEqual([]);
    expect(second.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, restored: 0 });
  });

  it('brings an Outlook edit and an Outlook deletion into the planning, and not private ones', async () => {
    const kit = setUp();
    const kept = standIn().addEvent({
      subject: 'Visite client',
      start: NOW + 50 * HOUR,
      end: NOW + 51 * HOUR,
      calendarId: kit.calendarId,
    });
    const gone = standIn().addEvent({
      subject: 'Annulé',
      start: NOW + 52 * HOUR,
      end: NOW + 53 * HOUR,
      calendarId: kit.calendarId,
    });
    standIn().addEvent({
      subject: 'Médecin',
      start: NOW + 54 * HOUR,
      end: NOW + 55 * HOUR,
      sensitivity: 'private',
      calendarId: kit.calendarId,
    });
    await kit.sync();
    expect([...kit.planning.tasks.values()].map((t) => t.label).sort()).toEqual([
      'Annulé',
      'Visite client',
    ]);

    standIn().editEvent(kept, {
      subject: 'Visite client (déplacée)',
      start: NOW + 60 * HOUR,
      end: NOW + 61 * HOUR,
    });
    standIn().removeEvent(gone);
    const report = await kit.sync();
    expect(report.errors).toEqual([]);
    const tasks = [...kit.planning.tasks.values()];
    expect(tasks.map((t) => [t.label, t.timing])).toEqual([
      ['Visite client (déplacée)', { allDay: false, start: NOW + 60 * HOUR, end: NOW + 61 * HOUR }],
    ]);
    expect((await kit.sync()).counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  });

  it('exports to To Do tasks and stays quiet on the next run', async () => {
    const kit = setUp({ exportAs: 'tasks' });
    kit.planning.add({
      label: 'Rappeler le client',
      timing: { allDay: false, start: NOW + 30 * HOUR, end: NOW + 31 * HOUR },
      reminder: { kind: 'at', at: NOW + 29 * HOUR },
    });
    const first = await kit.sync();
    expect(first.errors).toEqual([]);
    expect(first.counts.created).toBe(1);
    expect((await kit.sync()).counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  });
});
