/**
 * A calendar item Ordo cannot read, end to end on Radicale: it is reported in the run, the
 * other items synchronize, and a synchronized item that becomes unreadable keeps its task.
 */
import { afterEach, expect, it } from 'vitest';

import { describeWithServer, startRadicale } from '../test-support/caldav-servers.js';
import { at, createSyncKit, eventFields, type SyncKit } from './e2e-kit.js';

/** An event ending an hour before it starts: the server stores it, the mapping refuses it. */
function backwardsEvent(uid: string, label: string): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Some calendar client//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20250301T080000Z',
    `SUMMARY:${label}`,
    'DTSTART:20250312T120000Z',
    'DTEND:20250312T110000Z',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

describeWithServer('an unreadable calendar item: Radicale', startRadicale, (server) => {
  const kits: SyncKit[] = [];
  afterEach(async () => {
    for (const k of kits.splice(0)) await k.close();
  });

  it('is reported in the run, and the other items synchronize', async () => {
    const k = await createSyncKit({ dialect: 'sqlite', server: server() });
    kits.push(k);
    await k.remote.putFields('good.ics', eventFields('good@example.org', 'Dentist', at(2, 9)));
    const bad = await k.remote.put('bad.ics', backwardsEvent('bad@example.org', 'Broken'));
    await k.addTask({ label: 'Survey', timing: at(2, 14) });

    const run = await k.sync();
    expect(run.status).toBe('ok');
    expect(run.errors).toEqual([
      expect.objectContaining({ code: 'ICS_ITEM_INVALID', ref: bad, taskId: null }),
    ]);
    expect(run.errors[0]?.message).toMatch(/\S/);
    expect((await k.tasks()).map((t) => t.label).sort()).toEqual(['Dentist', 'Survey']);
    expect((await k.remote.items()).map((i) => i.fields.label).sort()).toEqual([
      'Dentist',
      'Survey',
    ]);
    const stillThere = await k.remote.request('GET', new URL(bad, k.calendarUrl).toString());
    expect(stillThere.status).toBe(200);
  });

  it('keeps the task of a synchronized item that becomes unreadable', async () => {
    const k = await createSyncKit({ dialect: 'sqlite', server: server() });
    kits.push(k);
    const ref = await k.remote.putFields('kept.ics', eventFields('kept@example.org', 'Kept'));
    await k.sync();
    const [task] = await k.tasks();

    k.clock.advance(60_000);
    await k.remote.put('kept.ics', backwardsEvent('kept@example.org', 'Kept, broken'));
    const run = await k.sync();
    expect(run.status).toBe('ok');
    expect(run.counts.deleted ?? 0).toBe(0);
    expect(run.errors).toEqual([
      expect.objectContaining({ code: 'ICS_ITEM_INVALID', ref, taskId: task!.id }),
    ]);
    expect(await k.tasks()).toEqual([expect.objectContaining({ id: task!.id, label: 'Kept' })]);

    // Mended in the calendar, the item synchronizes again.
    k.clock.advance(60_000);
    await k.remote.putFields('kept.ics', eventFields('kept@example.org', 'Kept, mended'));
    const mended = await k.sync();
    expect(mended.errors).toEqual([]);
    expect((await k.tasks()).map((t) => t.label)).toEqual(['Kept, mended']);
  });
});
