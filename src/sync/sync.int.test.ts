/**
 * The synchronization end to end: a real Ordo store (SQLite and PostgreSQL), the worker, and
 * real CalDAV servers (Radicale, Xandikos) edited by a "calendar user" over plain HTTP.
 */
import { afterEach, expect, it } from 'vitest';

import {
  describeWithServer,
  startRadicale,
  startXandikos,
  type CalDavServer,
  type CalDavServerStarter,
} from '../test-support/caldav-servers.js';
import { postgresAvailable, type TestDialect } from '../test-support/ordo.js';
import { syncOf } from './capability.js';
import { at, createSyncKit, eventFields, type SyncKit } from './e2e-kit.js';

const SERVERS: Array<[string, CalDavServerStarter]> = [
  ['Radicale', startRadicale],
  ['Xandikos', startXandikos],
];
const DIALECTS: TestDialect[] = (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];

for (const [name, start] of SERVERS) {
  for (const dialect of DIALECTS) {
    describeWithServer(`sync end to end: ${name}, ${dialect}`, start, (server) => {
      scenarios(server, dialect, name);
    });
  }
}

function scenarios(server: () => CalDavServer, dialect: TestDialect, serverName: string): void {
  const kits: SyncKit[] = [];
  const kit = async (options: { readOnly?: boolean } = {}) => {
    const created = await createSyncKit({ dialect, server: server(), ...options });
    kits.push(created);
    return created;
  };
  afterEach(async () => {
    for (const k of kits.splice(0)) await k.close();
  });

  it('sends a planning task once; a second sync writes nothing', async () => {
    const k = await kit();
    const task = await k.addTask({ label: 'Survey at Dupont', remark: 'Bring the ladder' });
    const first = await k.sync();
    expect(first.status).toBe('ok');
    expect(first.counts.created).toBe(1);

    const items = await k.remote.items();
    expect(items).toHaveLength(1);
    expect(items[0]?.fields).toMatchObject({
      uid: task.uid,
      label: 'Survey at Dupont',
      remark: 'Bring the ladder',
      timing: task.timing,
    });

    // The second run sees its own write come back in the sync-collection answer, with the
    // ETag its pair holds: it reads nothing more, and writes nothing on either side.
    k.net.reset();
    const second = await k.sync();
    expect(second.errors).toEqual([]);
    expect(second.actions.filter((a) => a.action !== 'skipped')).toEqual([]);
    expect(k.net.methods()).toEqual({ REPORT: 1 });

    // Once settled, a no-change run is one sync-collection REPORT answering "nothing".
    k.net.reset();
    const third = await k.sync();
    expect(third.actions.filter((a) => a.action !== 'skipped')).toEqual([]);
    expect(k.net.methods()).toEqual({ REPORT: 1 });
    expect(await k.remote.items()).toHaveLength(1);
  });

  it('imports a calendar event once, on the user resource', async () => {
    const k = await kit();
    await k.remote.putFields('from-phone.ics', eventFields('phone-1@example.org', 'Dentist'));
    const first = await k.sync();
    expect(first.counts.created).toBe(1);
    const second = await k.sync();
    expect(second.counts.created).toBe(0);

    const tasks = await k.tasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      label: 'Dentist',
      uid: 'phone-1@example.org',
      resourceIds: [k.resourceId],
      timing: at(2, 9),
    });
    expect(await k.remote.items()).toHaveLength(1);
  });

  it('carries modifications both ways', async () => {
    const k = await kit();
    const task = await k.addTask({ label: 'Before' });
    await k.sync();

    await k.ordo.tasks.update({ actor: k.actor, id: task.id, patch: { label: 'Planning edit' } });
    k.clock.advance(60_000);
    expect((await k.sync()).counts.updated).toBe(1);
    const [item] = await k.remote.items();
    expect(item?.fields.label).toBe('Planning edit');

    k.clock.advance(60_000);
    await k.remote.edit(item!, { label: 'Calendar edit', timing: at(3, 14, 2) });
    expect((await k.sync()).counts.updated).toBe(1);
    const [after] = await k.tasks();
    expect(after).toMatchObject({ label: 'Calendar edit', timing: at(3, 14, 2) });
  });

  it('carries deletions both ways', async () => {
    const k = await kit();
    const kept = await k.addTask({ label: 'Kept' });
    const dropped = await k.addTask({ label: 'Deleted in the planning', timing: at(4, 8) });
    await k.remote.putFields('x.ics', eventFields('remote-x@example.org', 'Deleted on the phone'));
    await k.sync();
    expect(await k.remote.items()).toHaveLength(3);

    await k.ordo.tasks.delete({ actor: k.actor, id: dropped.id });
    const phoneItem = (await k.remote.items()).find((i) => i.fields.uid === 'remote-x@example.org');
    await k.remote.remove(phoneItem!.ref);
    k.clock.advance(60_000);
    const run = await k.sync();
    expect(run.counts.deleted).toBe(2);

    expect((await k.remote.items()).map((i) => i.fields.label)).toEqual(['Kept']);
    expect((await k.tasks()).map((t) => t.id)).toEqual([kept.id]);
  });

  it('imports neither private nor recurring calendar items', async () => {
    const k = await kit();
    await k.remote.putFields(
      'private.ics',
      eventFields('private-1@example.org', 'Doctor', at(2, 9)),
    );
    const privateItem = (await k.remote.items())[0]!;
    await k.remote.edit(privateItem, { private: true });
    await k.remote.put('weekly.ics', recurringIcs('weekly-1@example.org'));
    const run = await k.sync();
    expect(run.counts.created).toBe(0);
    expect(await k.tasks()).toEqual([]);
    expect(await k.remote.items()).toHaveLength(2);
  });

  it('read-only user: a calendar create is ignored, a change reverted, a deletion put back', async () => {
    const k = await kit({ readOnly: true });
    // A planner books the read-only user.
    const task = await k.ordo.tasks.create({
      actor: { kind: 'system' },
      input: taskInput('Booked by the planner', k.resourceId),
    });
    await k.sync();
    const [item] = await k.remote.items();
    expect(item?.fields.label).toBe('Booked by the planner');

    await k.remote.putFields('mine.ics', eventFields('ro-new@example.org', 'My own'));
    await k.remote.edit(item!, { label: 'Changed on the phone' });
    k.clock.advance(60_000);
    await k.sync();
    let items = await k.remote.items();
    expect((await k.tasks()).map((t) => t.label)).toEqual(['Booked by the planner']);
    expect(items.find((i) => i.fields.uid === task.uid)?.fields.label).toBe(
      'Booked by the planner',
    );

    await k.remote.remove(items.find((i) => i.fields.uid === task.uid)!.ref);
    k.clock.advance(60_000);
    await k.sync();
    items = await k.remote.items();
    expect(items.find((i) => i.fields.uid === task.uid)?.fields.label).toBe(
      'Booked by the planner',
    );
    expect(await k.tasks()).toHaveLength(1);
  });

  it('a newer planning edit wins over an older calendar edit, by its LAST-MODIFIED', async () => {
    const k = await kit();
    const task = await k.addTask({ label: 'Both sides', timing: at(2, 9) });
    await k.sync();
    await k.sync();
    const [item] = await k.remote.items();
    const edited = calendar(
      'BEGIN:VEVENT',
      `UID:${task.uid}`,
      `DTSTAMP:${stamp(k.clock.now())}`,
      `LAST-MODIFIED:${stamp(k.clock.now())}`,
      `DTSTART:${stamp(at(2, 9).start)}`,
      `DTEND:${stamp(at(2, 9).end)}`,
      'SUMMARY:Older calendar edit',
      'END:VEVENT',
    );
    await k.remote.put(new URL(item!.ref, k.calendarUrl).toString(), edited);
    k.clock.advance(60_000);
    await k.ordo.tasks.update({
      actor: k.actor,
      id: task.id,
      patch: { label: 'Newer planning edit' },
    });
    k.clock.advance(60_000);
    const run = await k.sync();
    expect(run.errors).toEqual([]);
    expect((await k.remote.items()).map((i) => i.fields.label)).toEqual(['Newer planning edit']);
    expect((await k.tasks()).map((t) => t.label)).toEqual(['Newer planning edit']);
    expect(run.actions.find((action) => action.conflict)?.conflict).toMatchObject({
      winner: 'planning',
    });
  });

  it('an edit by a client that leaves LAST-MODIFIED as it was is dated when seen', async () => {
    const k = await kit();
    const url = new URL('kept-stamp.ics', k.calendarUrl).toString();
    // A client created it with its LAST-MODIFIED, long before; it is imported, then linked.
    const created = calendar(
      'BEGIN:VEVENT',
      'UID:kept-stamp@example.org',
      `DTSTAMP:${stamp(k.clock.now() - 86_400_000)}`,
      `LAST-MODIFIED:${stamp(k.clock.now() - 86_400_000)}`,
      `DTSTART:${stamp(at(2, 9).start)}`,
      `DTEND:${stamp(at(2, 9).end)}`,
      'SUMMARY:Original',
      'END:VEVENT',
    );
    await k.remote.put(url, created);
    await k.sync();
    await k.sync();
    const [task] = await k.tasks();
    k.clock.advance(60_000);
    await k.ordo.tasks.update({ actor: k.actor, id: task!.id, patch: { remark: 'planner note' } });
    // Nine minutes later the user renames it, in a client that rewrites only what it changed.
    k.clock.advance(9 * 60_000);
    const stored = await (await k.remote.request('GET', url)).text();
    await k.remote.put(url, stored.replace(/^SUMMARY:.*$/m, 'SUMMARY:Renamed by the user\r'));
    k.clock.advance(60_000);
    const run = await k.sync();
    expect(run.actions.find((action) => action.conflict)?.conflict?.winner).toBe('calendar');
    expect((await k.tasks())[0]?.label).toBe('Renamed by the user');
  });

  it('a reminder removed in the planning stays removed, whatever other alarms', async () => {
    const k = await kit();
    const url = new URL('two-alarms.ics', k.calendarUrl).toString();
    await k.remote.put(url, clientEvent(k, 'two-alarms@example.org', 'Site visit', ...TWO_ALARMS));
    await k.sync();
    const [task] = await k.tasks();
    expect(task?.reminder).toEqual({ kind: 'before', minutes: 15 });
    k.clock.advance(60_000);
    await k.ordo.tasks.update({
      actor: k.actor,
      id: task!.id,
      patch: { reminder: { kind: 'none' } },
    });
    k.clock.advance(60_000);
    expect((await k.sync()).counts.updated).toBe(1);
    k.clock.advance(60_000);
    const next = await k.sync();
    expect(next.actions.filter((action) => action.action !== 'skipped')).toEqual([]);
    expect((await k.tasks())[0]?.reminder).toEqual({ kind: 'none' });
  });

  it('a planning change keeps what the item held besides the synchronized fields', async () => {
    const k = await kit();
    const uid = 'rich-item@example.org';
    const lines = [
      'LOCATION:Salle des fêtes\\, Lyon',
      'ORGANIZER;CN=Claire:mailto:claire@example.org',
      'ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.org',
      'CATEGORIES:Chantier,Client',
      'URL:https://example.org/chantier/12',
      ...TWO_ALARMS,
    ];
    const url = new URL('rich.ics', k.calendarUrl).toString();
    await k.remote.put(url, clientEvent(k, uid, 'Site visit', ...lines));
    await k.sync();
    const [task] = await k.tasks();
    k.clock.advance(60_000);
    await k.ordo.tasks.update({
      actor: k.actor,
      id: task!.id,
      patch: { remark: 'Bring the keys' },
    });
    k.clock.advance(60_000);
    expect((await k.sync()).counts.updated).toBe(1);
    const stored = (await (await k.remote.request('GET', url)).text()).replace(/\r\n[ \t]/g, '');
    expect(stored).toContain('DESCRIPTION:Bring the keys');
    for (const line of lines.filter((line) => !line.includes('VALARM'))) {
      expect(stored).toContain(line.split(':')[0]);
    }
    expect(stored).toContain('TRIGGER:-P1D');
    expect(stored).toContain('TRIGGER:-PT15M');
  });

  it('a delete the calendar refuses is reported; the rest of the run goes through', async () => {
    const k = await kit();
    const dropped = await k.addTask({ label: 'Dropped', timing: at(1, 9) });
    await k.sync();
    await k.sync();
    await k.ordo.tasks.delete({ actor: k.actor, id: dropped.id });
    await k.addTask({ label: 'New', timing: at(2, 9) });
    k.clock.advance(60_000);
    k.net.refuse('DELETE', 403);
    const refused = await k.sync();
    expect(refused.status).toBe('ok');
    expect(refused.errors.map((error) => error.code)).toEqual(['SYNC_REMOTE_REJECTED']);
    const labels = async () => (await k.remote.items()).map((i) => i.fields.label).sort();
    expect(await labels()).toEqual(['Dropped', 'New']);
    k.net.refuse(null);
    k.clock.advance(5 * 60_000);
    expect((await k.syncScheduled()).errors).toEqual([]);
    expect(await labels()).toEqual(['New']);
  });

  it('an outside meeting two colleagues are invited to is a task for each of them', async () => {
    const k = await kit();
    const bobResource = await k.ordo.directory.createResource({ name: 'Bob', kind: 'human' });
    const bob = await k.ordo.users.create({
      login: 'bob',
      password: 'bob-password-1',
      resourceId: bobResource.id,
      defaultAccess: 'write',
    });
    const bobCalendar = await server().createCalendar();
    await syncOf(k.ordo).accounts.update(
      bob.id,
      {
        enabled: true,
        caldav: {
          calendarUrl: bobCalendar,
          username: server().username ?? null,
          password: server().password ?? null,
        },
      },
      { hasResource: true },
    );
    // The customer's invitation reached both mailboxes; each client put it in its calendar.
    const invite = eventFields('meeting-123@customer.example', 'Kick-off at the customer');
    await k.remote.putFields('invite.ics', invite);
    await k.remote.putFields(new URL('invite.ics', bobCalendar).toString(), invite);

    expect((await k.worker.syncNow(bob.id)).counts.created).toBe(1);
    expect((await k.sync()).counts.created).toBe(1);
    const owners = (await k.tasks()).map((task) => task.resourceIds).sort();
    expect(owners).toEqual([[bobResource.id], [k.resourceId]].sort());
  });

  it('a calendar deleted and made again stops the sync until the user starts over', async () => {
    const k = await kit();
    await k.addTask({ label: 'First', timing: at(1, 9) });
    await k.addTask({ label: 'Second', timing: at(2, 9) });
    await k.sync();
    await k.sync();
    // Its sync-token is unknown to the new calendar: the run lists it all, and finds nothing.
    expect((await k.remote.request('DELETE', k.calendarUrl)).status).toBeLessThan(300);
    expect((await k.remote.request('MKCALENDAR', k.calendarUrl)).status).toBe(201);
    k.clock.advance(60_000);
    const stopped = await k.sync();
    expect(stopped.status).toBe('failed');
    expect(stopped.errors.map((error) => error.code)).toEqual(['SYNC_EMPTY_LISTING']);
    expect(await k.tasks()).toHaveLength(2);

    await k.worker.startOver(k.user.id);
    const again = await k.syncScheduled();
    expect(again.errors).toEqual([]);
    const labels = (await k.remote.items()).map((item) => item.fields.label);
    expect(labels.sort()).toEqual(['First', 'Second']);
    expect(await k.tasks()).toHaveLength(2);
  });

  it("an invitation to another person's task, kept in a calendar, is no new task", async () => {
    const k = await kit();
    const bob = await k.ordo.directory.createResource({ name: 'Bob', kind: 'human' });
    const bobs = await k.ordo.tasks.create({
      actor: { kind: 'system' },
      input: taskInput("Bob's site visit", bob.id),
    });
    await k.remote.putFields('invitation.ics', eventFields(bobs.uid, "Bob's site visit"));
    const run = await k.sync();
    expect(run.errors).toEqual([]);
    expect(run.actions).toMatchObject([{ action: 'skipped', side: 'planning' }]);
    const tasks = await k.tasks();
    expect(tasks.map((task) => task.uid)).toEqual([bobs.uid]);
  });

  it('a task the calendar refused waits for its retry, or goes with "Sync now"', async () => {
    const k = await kit();
    await k.sync();
    await k.addTask({ label: 'Refused for now' });
    k.clock.advance(60_000);
    k.net.refuse('PUT');
    const refused = await k.syncScheduled();
    expect(refused.errors.map((error) => error.code)).toEqual(['SYNC_REMOTE_REJECTED']);
    k.net.refuse(null);
    k.clock.advance(60_000);
    await k.syncScheduled(); // within the 5 minutes: the calendar is not asked again
    expect(await k.remote.items()).toEqual([]);
    const asked = await k.sync();
    expect(asked.counts.created).toBe(1);
    expect((await k.remote.items()).map((item) => item.fields.label)).toEqual(['Refused for now']);
  });

  it('a calendar change the calendar refused to put back is put back by a later run', async () => {
    const k = await kit({ readOnly: true });
    await k.ordo.tasks.create({
      actor: { kind: 'system' },
      input: taskInput('Booked by the planner', k.resourceId),
    });
    await k.sync();
    await k.sync();
    const [item] = await k.remote.items();
    await k.remote.edit(item!, { label: 'Changed on the phone' });
    k.clock.advance(60_000);
    k.net.refuse('PUT');
    const refused = await k.syncScheduled();
    expect(refused.errors.map((error) => error.code)).toEqual(['SYNC_REMOTE_REJECTED']);
    k.net.refuse(null);
    k.clock.advance(5 * 60_000);
    const retried = await k.syncScheduled();
    expect(retried.errors).toEqual([]);
    const items = await k.remote.items();
    expect(items.map((i) => i.fields.label)).toEqual(['Booked by the planner']);
  });

  it('a conflict goes to the most recent change, and the run log says so', async () => {
    const k = await kit();
    const task = await k.addTask({ label: 'Original' });
    await k.sync();
    const [item] = await k.remote.items();

    await k.ordo.tasks.update({
      actor: k.actor,
      id: task.id,
      patch: { label: 'Older planning edit' },
    });
    k.clock.advance(5 * 60_000);
    await k.remote.edit(item!, { label: 'Newer calendar edit' });
    const run = await k.sync();

    const [after] = await k.tasks();
    expect(after?.label).toBe('Newer calendar edit');
    const conflict = run.actions.find((a) => a.conflict);
    expect(conflict?.conflict?.winner).toBe('calendar');
    expect(conflict?.conflict?.overwritten).toContain('Older planning edit');
    const { runs } = { runs: await k.ordo.store.db.selectFrom('sync_runs').selectAll().execute() };
    expect(runs.some((r) => r.actions.includes('"winner":"calendar"'))).toBe(true);
  });

  it('an expired sync-token falls back to a full comparison and deletes nothing', async () => {
    const k = await kit();
    await k.addTask({ label: 'One' });
    await k.addTask({ label: 'Two', timing: at(5, 10) });
    await k.remote.putFields('three.ics', eventFields('three@example.org', 'Three'));
    await k.sync();

    const account = await k.ordo.store.db
      .selectFrom('sync_accounts')
      .selectAll()
      .executeTakeFirstOrThrow();
    const cursor = JSON.parse(account.sync_cursor!.slice('caldav1:'.length)) as { token: string };
    const forged = `caldav1:${JSON.stringify({ ...cursor, token: `${cursor.token.slice(0, -8)}00000000` })}`;
    await k.ordo.store.db.updateTable('sync_accounts').set({ sync_cursor: forged }).execute();

    const run = await k.sync();
    expect(run.listing).toBe('complete');
    expect(run.errors).toEqual([]);
    expect(run.counts.deleted).toBe(0);
    expect(run.counts.created).toBe(0);
    expect(await k.tasks()).toHaveLength(3);
    expect(await k.remote.items()).toHaveLength(3);
  });

  it('no duplicate after a crash between the remote create and the state commit', async () => {
    const k = await kit();
    const task = await k.addTask({ label: 'Created just before the crash' });
    k.net.failAfter('PUT');
    const crashed = await k.sync();
    expect(crashed.status).toBe('failed');
    expect(crashed.errors[0]?.code).toBe('SYNC_REMOTE_UNAVAILABLE');
    expect(await k.remote.items()).toHaveLength(1);

    k.net.restore();
    const healed = await k.sync();
    expect(healed.errors).toEqual([]);
    const items = await k.remote.items();
    expect(items).toHaveLength(1);
    expect(items[0]?.fields.uid).toBe(task.uid);
    expect(await k.tasks()).toHaveLength(1);
    const again = await k.sync();
    expect(again.actions.filter((a) => a.action !== 'skipped')).toEqual([]);
  });

  it('an item moved out of the window moves its task (incremental sync)', async () => {
    const k = await kit();
    // A second item keeps the answer from looking like a silently full one (see the report).
    await k.remote.putFields(
      'staying.ics',
      eventFields('staying@example.org', 'Staying', at(3, 9)),
    );
    await k.remote.putFields('moving.ics', eventFields('moving@example.org', 'Moving'));
    await k.sync();
    const item = (await k.remote.items()).find((i) => i.fields.uid === 'moving@example.org');
    k.clock.advance(60_000);
    await k.remote.edit(item!, { timing: at(200, 9) });

    const run = await k.sync();
    expect(run.errors).toEqual([]);
    expect(run.listing).toBe('incremental');
    const tasks = await k.tasks();
    expect(tasks).toHaveLength(2);
    expect(tasks.find((t) => t.uid === 'moving@example.org')?.timing).toEqual(at(200, 9));
    expect(await k.remote.items()).toHaveLength(2);
  });

  it(`records the run in the log with what ${serverName} answered when it fails`, async () => {
    const k = await kit();
    await k.ordo.store.db
      .updateTable('sync_accounts')
      .set({ caldav_calendar_url: `${k.calendarUrl}missing-calendar/` })
      .execute();
    const run = await k.sync();
    expect(run.status).toBe('failed');
    expect(run.errors[0]?.remote).toMatchObject({ status: expect.any(Number) });
    expect(JSON.stringify(run)).not.toContain(server().password ?? 'no-password-here');
  });
}

function taskInput(label: string, resourceId: string) {
  return {
    label,
    timing: at(1, 10),
    resourceIds: [resourceId],
    clientId: null,
    remark: '',
    location: '',
    category: '',
    reminder: { kind: 'none' as const },
    private: false,
  };
}

function recurringIcs(uid: string): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Some calendar client//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20250301T000000Z',
    'SUMMARY:Weekly meeting',
    `DTSTART:${new Date(at(1, 9).start).toISOString().replace(/[-:]|\.\d{3}/g, '')}`,
    'DURATION:PT1H',
    'RRULE:FREQ=WEEKLY;COUNT=10',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function calendar(...lines: string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//A client//EN',
    ...lines,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** `20250310T080000Z` */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** A display alarm 15 minutes before (the reminder), and a sound the day before. */
const TWO_ALARMS = [
  'BEGIN:VALARM',
  'ACTION:DISPLAY',
  'DESCRIPTION:Soon',
  'TRIGGER:-PT15M',
  'END:VALARM',
  'BEGIN:VALARM',
  'ACTION:AUDIO',
  'TRIGGER:-P1D',
  'END:VALARM',
];

/** An event on day 3 at 9:00, as a calendar client writes it, with `extra` lines inside. */
function clientEvent(k: SyncKit, uid: string, summary: string, ...extra: string[]): string {
  return calendar(
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${stamp(k.clock.now())}`,
    `DTSTART:${stamp(at(3, 9).start)}`,
    `DTEND:${stamp(at(3, 9).end)}`,
    `SUMMARY:${summary}`,
    ...extra,
    'END:VEVENT',
  );
}
