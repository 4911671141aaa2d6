import { describe, expect, it } from 'vitest';

import { isOrdoError } from '../../shared/errors.js';
import { SimulatedCrash } from '../memory/memory-calendar.js';
import { at, createKit, DAY, eventFields } from './sync-test-kit.js';

function actionsOf(report: Awaited<ReturnType<ReturnType<typeof createKit>['sync']>>) {
  return report.actions.map((a) => `${a.action} ${a.side}: ${a.reason}`);
}

describe('SPEC 3.2 calendar → planning', () => {
  it('creates a task for an appointment created in the calendar', async () => {
    const kit = createKit();
    kit.calendar.userCreate(eventFields('Dentist'));
    const report = await kit.sync();
    expect(kit.tasks().map((t) => t.label)).toEqual(['Dentist']);
    expect(report.counts.created).toBe(1);
    expect(report.actions[0]).toMatchObject({ action: 'created', side: 'planning' });
  });

  it('does not import appointments when "synchronize all appointments" is off', async () => {
    const kit = createKit({ importAppointments: false });
    kit.calendar.userCreate(eventFields('Dentist'));
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(0);
    expect(actionsOf(report)).toEqual(['skipped planning: appointments are not imported']);
  });

  it('creates a task for a calendar task when "synchronize all tasks" is on, not when off', async () => {
    const on = createKit();
    on.calendar.userCreate({ ...eventFields('Call back'), kind: 'todo' });
    await on.sync();
    expect(on.tasks().map((t) => [t.label, t.manualKind])).toEqual([['Call back', 'todo']]);

    const off = createKit({ importTasks: false });
    off.calendar.userCreate({ ...eventFields('Call back'), kind: 'todo' });
    const report = await off.sync();
    expect(off.tasks()).toHaveLength(0);
    expect(actionsOf(report)).toEqual(['skipped planning: calendar tasks are not imported']);
  });

  it('carries a modification in the calendar to the task', async () => {
    const kit = createKit();
    const item = kit.calendar.userCreate(eventFields('Dentist'));
    await kit.sync();
    kit.tick();
    kit.calendar.userEdit(item.ref, {
      label: 'Dentist (moved)',
      timing: at(2, 14),
      remark: 'bring card',
    });
    const report = await kit.sync();
    expect(kit.tasks()[0]).toMatchObject({
      label: 'Dentist (moved)',
      timing: at(2, 14),
      remark: 'bring card',
    });
    expect(actionsOf(report)).toEqual(['updated planning: changed in the calendar']);
  });

  it('carries a deletion in the calendar to the task', async () => {
    const kit = createKit();
    const item = kit.calendar.userCreate(eventFields('Dentist'));
    await kit.sync();
    kit.calendar.userDelete(item.ref);
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(0);
    expect(actionsOf(report)).toEqual(['deleted planning: deleted in the calendar']);
  });

  it('creates nothing for a recurring item and reports why', async () => {
    const kit = createKit();
    kit.calendar.userCreate(eventFields('Weekly meeting', at(1, 9), { recurring: true }));
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(0);
    expect(actionsOf(report)).toEqual(['skipped planning: recurring item: not imported']);
  });

  it('creates nothing for a private item and reports why', async () => {
    const kit = createKit();
    kit.calendar.userCreate(eventFields('Doctor', at(1, 9), { private: true }));
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(0);
    expect(actionsOf(report)).toEqual(['skipped planning: private item: not imported']);
  });

  it('copies reminders both ways', async () => {
    const kit = createKit();
    const item = kit.calendar.userCreate(
      eventFields('Dentist', at(1, 9), { reminder: { kind: 'before', minutes: 15 } }),
    );
    await kit.sync();
    expect(kit.tasks()[0]?.reminder).toEqual({ kind: 'before', minutes: 15 });
    kit.tick();
    kit.planning.edit(kit.tasks()[0]!.id, { reminder: { kind: 'before', minutes: 60 } });
    await kit.sync();
    expect(kit.calendar.items.get(item.ref)?.fields.reminder).toEqual({
      kind: 'before',
      minutes: 60,
    });
  });

  it('neither compares nor copies reminders with the "reminder at a date" option', async () => {
    const kit = createKit({ carryReminders: false });
    const item = kit.calendar.userCreate(
      eventFields('Dentist', at(1, 9), { reminder: { kind: 'before', minutes: 15 } }),
    );
    await kit.sync();
    const task = kit.tasks()[0]!;
    expect(task.reminder).toEqual({ kind: 'none' });
    kit.tick();
    kit.planning.edit(task.id, { reminder: { kind: 'at', at: at(1, 8).start } });
    kit.calendar.userEdit(item.ref, { reminder: { kind: 'before', minutes: 30 } });
    const writes = kit.writes();
    const report = await kit.sync();
    expect(report.actions).toEqual([]);
    expect(kit.writes()).toBe(writes);
    expect(kit.calendar.items.get(item.ref)?.fields.reminder).toEqual({
      kind: 'before',
      minutes: 30,
    });
  });
});

describe('SPEC 3.3 planning → calendar', () => {
  it('sends a new task as an appointment', async () => {
    const kit = createKit();
    const task = kit.task({ label: 'Install boiler', timing: at(2, 8, 4) });
    const report = await kit.sync();
    const items = kit.remoteItems();
    expect(items).toHaveLength(1);
    expect(items[0]?.fields).toMatchObject({
      kind: 'event',
      uid: task.uid,
      label: 'Install boiler',
    });
    expect(actionsOf(report)).toEqual(['created calendar: created in the planning']);
  });

  it('sends a new task as a calendar task when tasks are chosen', async () => {
    const kit = createKit({ exportAs: 'tasks' });
    kit.task({ label: 'Install boiler', timing: at(2, 8, 4) });
    await kit.sync();
    expect(kit.remoteItems()[0]?.fields.kind).toBe('todo');
  });

  it('reports tasks it cannot send because the calendar holds no calendar tasks', async () => {
    const kit = createKit({ exportAs: 'tasks' });
    const calendar = new (
      kit.calendar.constructor as typeof import('../memory/memory-calendar.js').MemoryCalendar
    )({
      clock: kit.clock,
      kinds: ['event'],
    });
    Object.assign(kit, { calendar });
    kit.task({ label: 'Install boiler', timing: at(2, 8, 4) });
    const { runSync } = await import('./run-sync.js');
    const { silentLogger } = await import('../../shared/logger.js');
    const report = await runSync({ ...kit, provider: calendar, logger: silentLogger() });
    expect(calendar.items.size).toBe(0);
    expect(actionsOf(report)).toEqual(['skipped calendar: the calendar holds no tasks']);
  });

  it('carries a modification and a deletion in the planning to the calendar', async () => {
    const kit = createKit();
    const task = kit.task({ label: 'Install boiler', timing: at(2, 8, 4) });
    await kit.sync();
    kit.tick();
    kit.planning.edit(task.id, { label: 'Install boiler (2 people)', remark: 'heavy' });
    expect(actionsOf(await kit.sync())).toEqual(['updated calendar: changed in the planning']);
    expect(kit.remoteItems()[0]?.fields).toMatchObject({
      label: 'Install boiler (2 people)',
      remark: 'heavy',
    });
    kit.planning.remove(task.id);
    expect(actionsOf(await kit.sync())).toEqual(['deleted calendar: deleted in the planning']);
    expect(kit.remoteItems()).toHaveLength(0);
  });

  it('sends nothing for a periodic-task occurrence, and sends it once taken out of its series', async () => {
    const kit = createKit();
    const occurrence = kit.task({ label: 'Weekly check', timing: at(1, 8), periodic: true });
    await kit.sync();
    expect(kit.remoteItems()).toHaveLength(0);
    kit.planning.edit(occurrence.id, { periodic: false });
    await kit.sync();
    expect(kit.remoteItems().map((i) => i.fields.label)).toEqual(['Weekly check']);
  });

  it('in manual mode sends only marked tasks, each as the kind chosen', async () => {
    const kit = createKit({ exportAs: 'manual' });
    kit.task({ label: 'Unmarked', timing: at(1, 8) });
    kit.task({ label: 'As appointment', timing: at(1, 9), manualKind: 'event' });
    kit.task({ label: 'As task', timing: at(1, 10), manualKind: 'todo' });
    await kit.sync();
    const kinds = kit.remoteItems().map((i) => [i.fields.label, i.fields.kind]);
    expect(kinds.sort()).toEqual([
      ['As appointment', 'event'],
      ['As task', 'todo'],
    ]);
  });

  it('in manual mode removes the calendar copy when the task stops being synchronized', async () => {
    const kit = createKit({ exportAs: 'manual' });
    const task = kit.task({ label: 'As appointment', timing: at(1, 9), manualKind: 'event' });
    await kit.sync();
    kit.planning.edit(task.id, { manualKind: null });
    const report = await kit.sync();
    expect(kit.remoteItems()).toHaveLength(0);
    expect(kit.tasks()).toHaveLength(1);
    expect(actionsOf(report)).toEqual(['deleted calendar: the task is no longer synchronized']);
  });
});

describe('SPEC 3.4 user rights', () => {
  it('read-only: an item created in the calendar creates nothing', async () => {
    const kit = createKit();
    kit.planning.currentRights.readOnly = true;
    kit.calendar.userCreate(eventFields('Dentist'));
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(0);
    expect(kit.planning.writes).toBe(0);
    expect(actionsOf(report)).toEqual([
      'skipped planning: read-only access: nothing is created in the planning',
    ]);
  });

  it('read-only: a modification in the calendar goes back to the planning version', async () => {
    const kit = createKit();
    const task = kit.task({ label: 'Install boiler', timing: at(2, 8, 4) });
    await kit.sync();
    kit.planning.currentRights.readOnly = true;
    const ref = kit.remoteItems()[0]!.ref;
    kit.tick();
    kit.calendar.userEdit(ref, { label: 'Changed in calendar' });
    const report = await kit.sync();
    expect(kit.planning.tasks.get(task.id)?.label).toBe('Install boiler');
    expect(kit.calendar.items.get(ref)?.fields.label).toBe('Install boiler');
    expect(actionsOf(report)).toEqual([
      'restored calendar: not allowed to modify the task: calendar change reverted',
    ]);
  });

  it('read-only: a deletion in the calendar is put back', async () => {
    const kit = createKit();
    kit.task({ label: 'Install boiler', timing: at(2, 8, 4) });
    await kit.sync();
    kit.planning.currentRights.readOnly = true;
    kit.calendar.userDelete(kit.remoteItems()[0]!.ref);
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(1);
    expect(kit.remoteItems().map((i) => i.fields.label)).toEqual(['Install boiler']);
    expect(actionsOf(report)).toEqual([
      'restored calendar: not allowed to delete the task: item put back',
    ]);
  });

  it('read-only: planning changes still reach the calendar', async () => {
    const kit = createKit();
    kit.planning.currentRights.readOnly = true;
    kit.task({ label: 'Install boiler', timing: at(2, 8, 4) });
    await kit.sync();
    expect(kit.remoteItems()).toHaveLength(1);
  });

  it("applies the group's add, modify and delete rights one by one", async () => {
    const kit = createKit();
    const kept = kit.task({ label: 'Kept', timing: at(1, 8) });
    kit.task({ label: 'Edited', timing: at(1, 10) });
    await kit.sync();
    kit.planning.currentRights = {
      readOnly: false,
      canAdd: false,
      canModify: false,
      canDelete: true,
    };
    const byLabel = (label: string) => kit.remoteItems().find((i) => i.fields.label === label)!;
    kit.tick();
    kit.calendar.userEdit(byLabel('Edited').ref, { label: 'Edited in calendar' });
    kit.calendar.userDelete(byLabel('Kept').ref);
    kit.calendar.userCreate(eventFields('New in calendar'));
    const report = await kit.sync();
    expect(kit.tasks().map((t) => t.label)).toEqual(['Edited']);
    expect(kit.planning.tasks.has(kept.id)).toBe(false);
    expect(
      kit
        .remoteItems()
        .map((i) => i.fields.label)
        .sort(),
    ).toEqual(['Edited', 'New in calendar']);
    expect(actionsOf(report).sort()).toEqual([
      'deleted planning: deleted in the calendar',
      'restored calendar: not allowed to modify the task: calendar change reverted',
      'skipped planning: not allowed to add tasks',
    ]);
  });

  it('without the delete right, a calendar deletion is put back', async () => {
    const kit = createKit();
    kit.task({ label: 'Kept', timing: at(1, 8) });
    await kit.sync();
    kit.planning.currentRights.canDelete = false;
    kit.calendar.userDelete(kit.remoteItems()[0]!.ref);
    await kit.sync();
    expect(kit.tasks()).toHaveLength(1);
    expect(kit.remoteItems()).toHaveLength(1);
  });
});

describe('SPEC 3.5 master data: the most recent change wins, never a duplicate', () => {
  async function linkedPair() {
    const kit = createKit();
    const task = kit.task({ label: 'Survey', timing: at(3, 9) });
    await kit.sync();
    return { kit, task, ref: kit.remoteItems()[0]!.ref };
  }

  it('calendar change more recent than the planning change: the calendar wins', async () => {
    const { kit, task, ref } = await linkedPair();
    kit.tick();
    kit.planning.edit(task.id, { label: 'Survey (planning)' });
    kit.tick();
    kit.calendar.userEdit(ref, { label: 'Survey (calendar)' });
    const report = await kit.sync();
    expect(kit.planning.tasks.get(task.id)?.label).toBe('Survey (calendar)');
    expect(kit.calendar.items.get(ref)?.fields.label).toBe('Survey (calendar)');
    expect(report.actions[0]).toMatchObject({
      action: 'updated',
      side: 'planning',
      conflict: { winner: 'calendar', overwritten: expect.stringContaining('Survey (planning)') },
    });
  });

  it('planning change more recent than the calendar change: the planning wins', async () => {
    const { kit, task, ref } = await linkedPair();
    kit.tick();
    kit.calendar.userEdit(ref, { label: 'Survey (calendar)' });
    kit.tick();
    kit.planning.edit(task.id, { label: 'Survey (planning)' });
    const report = await kit.sync();
    expect(kit.calendar.items.get(ref)?.fields.label).toBe('Survey (planning)');
    expect(report.actions[0]).toMatchObject({
      action: 'updated',
      side: 'calendar',
      conflict: { winner: 'planning', overwritten: expect.stringContaining('Survey (calendar)') },
    });
  });

  it('a last-modified time its client did not rewrite dates nothing: timed when seen', async () => {
    const { kit, task, ref } = await linkedPair();
    kit.tick();
    kit.planning.edit(task.id, { label: 'Survey (planning)' });
    kit.tick();
    kit.calendar.userEdit(ref, { label: 'Survey (calendar)' });
    // The item keeps the time of an edit before the last run read the calendar.
    kit.calendar.items.get(ref)!.lastModified = kit.clock.now() - DAY;
    await kit.sync();
    expect(kit.planning.tasks.get(task.id)?.label).toBe('Survey (calendar)');
  });

  it('a last-modified time in whole seconds, in the second of the last run, counts', async () => {
    const { kit, task, ref } = await linkedPair();
    kit.tick(1_500);
    await kit.sync(); // reads the calendar at a second and a half
    kit.calendar.userEdit(ref, { label: 'Survey (calendar)' });
    const item = kit.calendar.items.get(ref)!;
    item.lastModified = Math.floor(kit.clock.now() / 1000) * 1000;
    kit.tick(5_000);
    kit.planning.edit(task.id, { label: 'Survey (planning)' });
    kit.tick();
    await kit.sync();
    expect(kit.calendar.items.get(ref)?.fields.label).toBe('Survey (planning)');
  });

  it('without a last-modified time, a calendar change is timed when first seen', async () => {
    const { kit, task, ref } = await linkedPair();
    kit.calendar.setFaults({ noLastModified: true });
    kit.calendar.userEdit(ref, { label: 'Survey (calendar)' });
    kit.tick();
    kit.planning.edit(task.id, { label: 'Survey (planning)' });
    kit.tick();
    await kit.sync();
    expect(kit.planning.tasks.get(task.id)?.label).toBe('Survey (calendar)');
  });

  it('a deletion does not beat a more recent change: calendar deletion, later planning change', async () => {
    const { kit, task, ref } = await linkedPair();
    kit.calendar.userDelete(ref);
    // The deletion is first seen by a run that stops before applying it; then the planning changes.
    kit.planning.failBeforeNextWrite = new Error('database gone');
    await expect(kit.sync()).rejects.toThrow('database gone');
    kit.tick();
    kit.planning.edit(task.id, { label: 'Survey (still on)' });
    const report = await kit.sync();
    expect(kit.remoteItems().map((i) => i.fields.label)).toEqual(['Survey (still on)']);
    expect(report.actions[0]).toMatchObject({
      action: 'restored',
      side: 'calendar',
      conflict: { winner: 'planning' },
    });
  });

  it('a calendar deletion more recent than the planning change wins', async () => {
    const { kit, task, ref } = await linkedPair();
    kit.planning.edit(task.id, { label: 'Survey (planning)' });
    kit.tick();
    kit.calendar.userDelete(ref);
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(0);
    expect(report.actions[0]).toMatchObject({
      action: 'deleted',
      side: 'planning',
      conflict: { winner: 'calendar' },
    });
  });

  it('a planning deletion more recent than the calendar change wins; an older one loses', async () => {
    const first = await linkedPair();
    first.kit.calendar.userEdit(first.ref, { label: 'Survey (calendar)' });
    first.kit.tick();
    first.kit.planning.remove(first.task.id);
    await first.kit.sync();
    expect(first.kit.remoteItems()).toHaveLength(0);

    const second = await linkedPair();
    second.kit.planning.remove(second.task.id);
    second.kit.tick();
    second.kit.calendar.userEdit(second.ref, { label: 'Survey (calendar)' });
    const report = await second.kit.sync();
    expect(second.kit.tasks().map((t) => t.label)).toEqual(['Survey (calendar)']);
    expect(report.actions[0]).toMatchObject({
      action: 'created',
      side: 'planning',
      conflict: { winner: 'calendar' },
    });
  });

  it('equal times go to the planning', async () => {
    const { kit, task, ref } = await linkedPair();
    kit.tick();
    kit.planning.edit(task.id, { label: 'Survey (planning)' });
    kit.calendar.userEdit(ref, { label: 'Survey (calendar)' });
    await kit.sync();
    expect(kit.calendar.items.get(ref)?.fields.label).toBe('Survey (planning)');
  });

  it('first sync links identical items by UID and by label, start and end instead of duplicating', async () => {
    const kit = createKit();
    const byUid = kit.task({ label: 'Same UID', timing: at(1, 8) });
    kit.task({ label: 'Same time', timing: at(1, 10) });
    kit.calendar.userCreate({ ...eventFields('Same UID', at(1, 8)), uid: byUid.uid });
    kit.calendar.userCreate(eventFields('Same time', at(1, 10)));
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(2);
    expect(kit.remoteItems()).toHaveLength(2);
    expect(kit.writes()).toBe(0);
    expect(actionsOf(report).sort()).toEqual([
      'linked calendar: matched by same UID',
      'linked calendar: matched by same label, start and end',
    ]);
  });

  it('duplicate UIDs in one calendar: one is linked, the others reported', async () => {
    const kit = createKit();
    kit.calendar.userCreate({ ...eventFields('Twin'), uid: 'twin@x' }, 'a.ics');
    kit.calendar.userCreate({ ...eventFields('Twin'), uid: 'twin@x' }, 'b.ics');
    const report = await kit.sync();
    expect(kit.tasks()).toHaveLength(1);
    expect(report.errors.map((e) => [e.code, e.ref])).toEqual([['SYNC_DUPLICATE_UID', 'b.ics']]);
    const again = await kit.sync();
    expect(kit.tasks()).toHaveLength(1);
    expect(again.counts.created).toBe(0);
  });
});

describe('guards', () => {
  it('an empty complete listing while items were known stops the run and deletes nothing', async () => {
    const kit = createKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    kit.task({ label: 'B', timing: at(1, 9) });
    await kit.sync();
    for (const item of kit.remoteItems()) kit.calendar.userDelete(item.ref);
    kit.calendar.expireCursors();
    const error = await kit.sync().catch((e: unknown) => e);
    expect(isOrdoError(error, 'SYNC_EMPTY_LISTING')).toBe(true);
    expect(kit.tasks()).toHaveLength(2);
  });

  it('an empty listing is believed when its only item was moved out of the window', async () => {
    const kit = createKit();
    const task = kit.task({ label: 'Only one', timing: at(1, 8) });
    await kit.sync();
    kit.tick();
    kit.calendar.userEdit(kit.remoteItems()[0]!.ref, { timing: at(200, 8) });
    kit.calendar.expireCursors();
    const report = await kit.sync();
    expect(report.counts.deleted ?? 0).toBe(0);
    expect(kit.tasks()).toHaveLength(1);
    expect(kit.tasks()[0]?.id).toBe(task.id);
  });

  it('an item moved out of the window in the calendar is a change, not a deletion', async () => {
    for (const unwindowedDeltas of [false, true]) {
      const kit = createKit();
      const task = kit.task({ label: 'A', timing: at(1, 8) });
      await kit.sync();
      kit.calendar.setFaults({ unwindowedDeltas });
      kit.tick();
      kit.calendar.userEdit(kit.remoteItems()[0]!.ref, { timing: at(200, 8) });
      await kit.sync();
      expect(kit.planning.tasks.get(task.id)?.timing).toEqual(at(200, 8));
    }
  });

  it('a task moved out of the window in the planning moves the calendar item, and then both rest', async () => {
    const kit = createKit();
    const task = kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    kit.tick();
    kit.planning.edit(task.id, { timing: at(200, 8) });
    await kit.sync();
    expect(kit.remoteItems()[0]?.fields.timing).toEqual(at(200, 8));
    const writes = kit.writes();
    kit.calendar.expireCursors();
    await kit.sync();
    expect(kit.writes()).toBe(writes);
  });

  it('items that age out of the window are neither deleted nor touched', async () => {
    const kit = createKit();
    kit.task({ label: 'Old', timing: at(0, 8) });
    await kit.sync();
    kit.clock.advance(30 * DAY);
    kit.calendar.expireCursors();
    kit.task({ label: 'New', timing: at(31, 8) });
    const writes = kit.writes();
    await kit.sync();
    expect(kit.tasks()).toHaveLength(2);
    expect(kit.remoteItems()).toHaveLength(2);
    expect(kit.writes()).toBe(writes + 1);
  });
});

describe('commit per operation and faults', () => {
  it('an ETag change alone is not a change; the server reformatting causes no write', async () => {
    const kit = createKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    kit.calendar.userCreate(eventFields('B'));
    kit.calendar.setFaults({ rewriteEtags: true, reformatOnWrite: true });
    await kit.sync();
    const writes = kit.writes();
    for (const item of kit.remoteItems()) kit.calendar.reformat(item.ref);
    await kit.sync();
    kit.calendar.expireCursors();
    await kit.sync();
    expect(kit.writes()).toBe(writes);
  });

  it('a write that loses a race (412) re-reads and decides again', async () => {
    const kit = createKit();
    const task = kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    kit.tick();
    kit.planning.edit(task.id, { label: 'A2' });
    kit.tick();
    kit.calendar.setFaults({ raceOnWrite: 1 });
    const report = await kit.sync();
    // The concurrent calendar edit is newer: it wins and lands in the planning.
    expect(kit.planning.tasks.get(task.id)?.remark).toBe(' (edited elsewhere)');
    expect(report.errors).toEqual([]);
  });

  it('a 5xx stops the run, keeps what succeeded, and the next run converges', async () => {
    const kit = createKit();
    for (let i = 0; i < 4; i += 1) kit.task({ label: `T${i}`, timing: at(1, 8 + i) });
    kit.calendar.setFaults({ unavailableOnCall: 4 });
    await expect(kit.sync()).rejects.toMatchObject({ code: 'SYNC_REMOTE_UNAVAILABLE' });
    expect(kit.state.cursor).toBeNull();
    await kit.sync();
    expect(kit.remoteItems()).toHaveLength(4);
  });

  it('a crash after the calendar create but before the state commit leaves no duplicate', async () => {
    const kit = createKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    kit.task({ label: 'B', timing: at(1, 9) });
    kit.calendar.setFaults({ crashOnWrite: 1 });
    await expect(kit.sync()).rejects.toBeInstanceOf(SimulatedCrash);
    expect(kit.state.intents.size).toBe(1);
    const report = await kit.sync();
    expect(kit.remoteItems()).toHaveLength(2);
    expect(actionsOf(report)).toEqual(['linked calendar: created by an interrupted run']);
    expect(kit.state.intents.size).toBe(0);
  });

  it('a crash after the create, then the task deleted: the orphan calendar item is removed', async () => {
    const kit = createKit();
    await kit.sync();
    const task = kit.task({ label: 'B', timing: at(1, 9) });
    kit.calendar.setFaults({ crashOnWrite: 1 });
    await expect(kit.sync()).rejects.toBeInstanceOf(SimulatedCrash);
    kit.planning.remove(task.id);
    await kit.sync();
    expect(kit.remoteItems()).toHaveLength(0);
    expect(kit.tasks()).toHaveLength(0);
  });

  it('a crash after a planning create from the calendar leaves no duplicate task', async () => {
    const kit = createKit();
    await kit.sync();
    kit.calendar.userCreate(eventFields('From calendar'));
    kit.planning.crashAfterNextWrite = new Error('crash');
    await expect(kit.sync()).rejects.toThrow('crash');
    await kit.sync();
    expect(kit.tasks()).toHaveLength(1);
    expect(kit.remoteItems()).toHaveLength(1);
  });

  it('a crash after re-creating a task from a newer calendar change leaves no duplicate task', async () => {
    const kit = createKit();
    const task = kit.task({ label: 'Survey', timing: at(3, 9) });
    await kit.sync();
    kit.planning.remove(task.id);
    kit.tick();
    kit.calendar.userEdit(kit.remoteItems()[0]!.ref, { label: 'Survey (calendar)' });
    kit.planning.crashAfterNextWrite = new Error('crash');
    await expect(kit.sync()).rejects.toThrow('crash');
    await kit.sync();
    expect(kit.tasks().map((t) => t.label)).toEqual(['Survey (calendar)']);
    expect(kit.state.pairs.size).toBe(1);
  });

  it('a rejected item is reported with the server answer and the others go on', async () => {
    const kit = createKit();
    kit.task({ label: '!bad', timing: at(1, 8) });
    kit.task({ label: 'good', timing: at(1, 9) });
    kit.calendar.setFaults({ rejectLabelPrefix: '!' });
    const report = await kit.sync();
    expect(kit.remoteItems().map((i) => i.fields.label)).toEqual(['good']);
    expect(report.errors).toEqual([
      expect.objectContaining({
        code: 'SYNC_REMOTE_REJECTED',
        remote: expect.objectContaining({ status: 403 }),
      }),
    ]);
  });

  it.each([
    ['reported by the listing', false],
    ['left out of the listing unreported', true],
  ])('leaves a pair alone while its calendar item cannot be read (%s)', async (_, unreported) => {
    const kit = createKit();
    const task = kit.task({ label: 'A', timing: at(1, 8) });
    kit.task({ label: 'B', timing: at(1, 9) });
    await kit.sync();
    const ref = kit.state.pairs.get(task.id)!.ref;
    kit.calendar.setFaults({ unreadableRefs: new Set([ref]), unreportedUnreadable: unreported });
    kit.calendar.expireCursors();
    kit.planning.edit(task.id, { label: 'A2' });
    const report = await kit.sync();
    expect(report.errors.map((e) => [e.code, e.ref])).toEqual([['ICS_ITEM_INVALID', ref]]);
    expect(kit.tasks()).toHaveLength(2);
    expect(kit.calendar.items.get(ref)?.fields.label).toBe('A');
    kit.calendar.clearFaults();
    await kit.sync();
    expect(kit.calendar.items.get(ref)?.fields.label).toBe('A2');
  });

  it('reports a calendar item it cannot read, with why, and synchronizes the others', async () => {
    const kit = createKit();
    const bad = kit.calendar.userCreate(eventFields('Broken', at(1, 8)));
    kit.calendar.userCreate(eventFields('Fine', at(1, 9)));
    kit.task({ label: 'Mine', timing: at(1, 10) });
    kit.calendar.setFaults({ unreadableRefs: new Set([bad.ref]) });
    const report = await kit.sync();
    expect(report.errors).toEqual([
      {
        taskId: null,
        ref: bad.ref,
        code: 'ICS_ITEM_INVALID',
        message: 'the memory calendar was told it cannot read this item',
      },
    ]);
    expect(
      kit
        .tasks()
        .map((t) => t.label)
        .sort(),
    ).toEqual(['Fine', 'Mine']);
    expect(kit.remoteItems()).toHaveLength(3);
    // Reported by every listing that shows it (an incremental one: when it changed), and
    // taken in once it can be read.
    expect((await kit.sync()).errors).toHaveLength(0);
    kit.calendar.expireCursors();
    expect((await kit.sync()).errors.map((e) => e.ref)).toEqual([bad.ref]);
    kit.calendar.clearFaults();
    kit.calendar.expireCursors();
    await kit.sync();
    expect(
      kit
        .tasks()
        .map((t) => t.label)
        .sort(),
    ).toEqual(['Broken', 'Fine', 'Mine']);
  });

  it('does not delete the task of an item changed into one it cannot read', async () => {
    const kit = createKit();
    const item = kit.calendar.userCreate(eventFields('Kept', at(1, 8)));
    await kit.sync();
    const [task] = kit.tasks();
    kit.calendar.userEdit(item.ref, { label: 'Kept, then broken' });
    kit.calendar.setFaults({ unreadableRefs: new Set([item.ref]), pageSize: 1 });
    kit.calendar.userCreate(eventFields('Other', at(1, 9)));
    const incremental = await kit.sync();
    expect(incremental.listing).toBe('incremental');
    expect(incremental.errors.map((e) => [e.code, e.taskId, e.ref])).toEqual([
      ['ICS_ITEM_INVALID', task!.id, item.ref],
    ]);
    kit.calendar.expireCursors();
    const complete = await kit.sync();
    expect(complete.listing).toBe('complete');
    expect(complete.counts.deleted).toBe(0);
    expect(kit.tasks().map((t) => t.label)).toEqual(['Kept', 'Other']);
    expect(kit.state.pairs.has(task!.id)).toBe(true);
  });

  it('reads an answer cut into pages, and saves the cursor only after the run', async () => {
    const kit = createKit();
    for (let i = 0; i < 7; i += 1) kit.calendar.userCreate(eventFields(`R${i}`, at(1, 8 + i)));
    kit.calendar.setFaults({ pageSize: 2 });
    await kit.sync();
    expect(kit.tasks()).toHaveLength(7);
    expect(kit.state.cursor).toMatch(/^seq:/);
    for (const item of kit.remoteItems().slice(0, 3)) kit.calendar.userDelete(item.ref);
    await kit.sync();
    expect(kit.tasks()).toHaveLength(4);
  });

  it('an expired cursor falls back to a complete listing without duplicates', async () => {
    const kit = createKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    kit.calendar.userCreate(eventFields('B'));
    await kit.sync();
    kit.calendar.expireCursors();
    const writes = kit.writes();
    const report = await kit.sync();
    expect(report.listing).toBe('complete');
    expect(kit.writes()).toBe(writes);
  });

  it('a second sync changes nothing', async () => {
    const kit = createKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    kit.calendar.userCreate(eventFields('B'));
    kit.calendar.userCreate(eventFields('P', at(1, 9), { private: true }));
    await kit.sync();
    const writes = kit.writes();
    await kit.sync();
    expect(kit.writes()).toBe(writes);
  });
});

describe('servers that answer a cursor with the net difference (Xandikos, Graph)', () => {
  it('an item the previous run created, deleted since, reaches the planning', async () => {
    const kit = createKit();
    kit.calendar.setFaults({ netDifferenceDeltas: true });
    kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    const [item] = kit.remoteItems();
    expect(kit.state.pairs.get(kit.tasks()[0]!.id)?.unconfirmed).toBe(true);
    kit.tick();
    kit.calendar.userDelete(item!.ref);

    const calls = kit.calendar.calls;
    const report = await kit.sync();
    expect(report.listing).toBe('incremental');
    expect(kit.tasks()).toEqual([]);
    expect(kit.state.pairs.size).toBe(0);
    expect(actionsOf(report)).toEqual(['deleted planning: deleted in the calendar']);
    // The listing, then one read of the unlisted item the previous run created.
    expect(kit.calendar.calls - calls).toBe(2);
  });

  it('a restored item deleted again is restored again (read-only planning)', async () => {
    const kit = createKit();
    kit.calendar.setFaults({ netDifferenceDeltas: true });
    kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    await kit.sync();
    kit.planning.currentRights = { ...kit.planning.currentRights, readOnly: true };
    for (let round = 0; round < 2; round += 1) {
      kit.tick();
      kit.calendar.userDelete(kit.remoteItems()[0]!.ref);
      const report = await kit.sync();
      expect(actionsOf(report)).toEqual([expect.stringMatching(/^restored calendar: /)]);
      expect(kit.remoteItems()).toHaveLength(1);
    }
  });

  it('the pair is confirmed once seen: a settled sync costs one request', async () => {
    const kit = createKit();
    kit.calendar.setFaults({ netDifferenceDeltas: true });
    const task = kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    for (let run = 0; run < 2; run += 1) {
      const calls = kit.calendar.calls;
      await kit.sync();
      expect(kit.calendar.calls - calls).toBe(1);
      expect(kit.state.pairs.get(task.id)?.unconfirmed).toBeUndefined();
    }
    kit.tick();
    kit.calendar.userDelete(kit.remoteItems()[0]!.ref);
    await kit.sync();
    expect(kit.tasks()).toEqual([]);
  });
});
