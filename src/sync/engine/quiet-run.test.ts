/**
 * The shortcuts of a settled planning (nothing changed since the last finished run): a run
 * whose calendar answers "no change" stops there, and one whose calendar changes touch known
 * items only reads those items' pairs and tasks. Each test checks that a change a shortcut
 * could hide still reaches the other side.
 */
import { describe, expect, it, vi } from 'vitest';

import { OrdoError } from '../../shared/errors.js';
import { refusalRetryDelay } from './run-sync.js';
import { at, createKit, DAY, eventFields, HOUR } from './sync-test-kit.js';

const MINUTE = 60_000;

/** A kit whose planning counts full reads (`listTasks`), the work the shortcut skips. */
function countingKit(...args: Parameters<typeof createKit>) {
  const kit = createKit(...args);
  const listTasks = vi.spyOn(kit.planning, 'listTasks');
  return { ...kit, fullRuns: () => listTasks.mock.calls.length };
}

describe('no-change shortcut', () => {
  it('a settled sync with nothing changed reads neither tasks nor pairs', async () => {
    const kit = countingKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    kit.tick(); // a change in the same millisecond as a run's start counts as after it
    await kit.sync();
    await kit.sync(); // confirms the pair the first run created
    const full = kit.fullRuns();
    const loadPairs = vi.spyOn(kit.state, 'loadPairs');
    const report = await kit.sync();
    expect(report.listing).toBe('incremental');
    expect(kit.fullRuns()).toBe(full);
    expect(loadPairs).not.toHaveBeenCalled();
  });

  it('its own imports do not make the next run a full one', async () => {
    const kit = countingKit();
    // Time moves within a run, as it does for real: its check comes after its writes.
    const now = kit.clock.now.bind(kit.clock);
    vi.spyOn(kit.clock, 'now').mockImplementation(() => (kit.clock.advance(1), now()));
    kit.calendar.userCreate(eventFields('From the phone'));
    kit.tick();
    await kit.sync();
    expect(kit.tasks()).toHaveLength(1);
    const full = kit.fullRuns();
    await kit.sync();
    expect(kit.fullRuns()).toBe(full);
  });

  it('a planning change after a no-change run is still exported', async () => {
    const kit = countingKit();
    const task = kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    await kit.sync();
    await kit.sync();
    // Same millisecond as the last run: `>=` still counts it.
    kit.planning.edit(task.id, { label: 'A, moved' });
    await kit.sync();
    expect(kit.remoteItems().map((item) => item.fields.label)).toEqual(['A, moved']);
  });

  it('a planning deletion (tombstone) after a no-change run still deletes the calendar item', async () => {
    const kit = countingKit();
    const task = kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    await kit.sync();
    await kit.sync();
    kit.tick();
    kit.planning.remove(task.id);
    await kit.sync();
    expect(kit.remoteItems()).toEqual([]);
  });

  it('an unconfirmed pair is still read back (net-difference servers)', async () => {
    const kit = countingKit();
    kit.calendar.setFaults({ netDifferenceDeltas: true });
    kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    kit.tick();
    kit.calendar.userDelete(kit.remoteItems()[0]!.ref);
    await kit.sync();
    expect(kit.tasks()).toEqual([]);
  });

  it('a task the calendar refused is offered again, later after each refusal', async () => {
    const kit = countingKit();
    kit.calendar.setFaults({ rejectLabelPrefix: 'Refused' });
    kit.task({ label: 'Refused for now', timing: at(1, 8) });
    kit.task({ label: 'A', timing: at(1, 9) });
    kit.tick();
    expect((await kit.sync()).errors.map((error) => error.code)).toEqual(['SYNC_REMOTE_REJECTED']);
    // This run reads everything to confirm A's pair, and meets the refusal a second time.
    expect((await kit.sync()).errors).toHaveLength(1);
    expect(kit.state.runMark?.refusals).toBe(2);
    const full = kit.fullRuns();
    kit.tick(9 * MINUTE);
    await kit.sync();
    expect(kit.fullRuns()).toBe(full);
    kit.calendar.clearFaults();
    kit.tick(MINUTE);
    const report = await kit.sync();
    expect(kit.fullRuns()).toBe(full + 1);
    expect(report.errors).toEqual([]);
    const labels = kit.remoteItems().map((item) => item.fields.label);
    expect(labels.sort()).toEqual(['A', 'Refused for now']);
    expect(kit.state.runMark?.retryAt).toBeUndefined();
    expect(kit.state.runMark?.refusals).toBeUndefined();
    await kit.sync(); // confirms the new pair
    const settled = kit.fullRuns();
    kit.tick(20 * MINUTE);
    await kit.sync();
    expect(kit.fullRuns()).toBe(settled);
  });

  /** A task refused twice (offered again 10 minutes later), A's pair settled, 5 minutes on. */
  async function refusedTwiceKit() {
    const kit = countingKit();
    // Without the right to modify, a calendar edit is put back, a write the calendar can refuse.
    kit.planning.currentRights = { ...kit.planning.currentRights, canModify: false };
    kit.calendar.setFaults({ rejectLabelPrefix: 'Refused' });
    kit.task({ label: 'Refused for now', timing: at(1, 8) });
    kit.task({ label: 'A', timing: at(1, 9) });
    kit.tick();
    await kit.sync();
    await kit.sync(); // confirms A's pair
    expect(kit.state.runMark?.refusals).toBe(2);
    kit.tick(5 * MINUTE);
    const refOfA = kit.remoteItems().find((item) => item.fields.label === 'A')?.ref;
    return { ...kit, refOfA: refOfA ?? expect.fail('A is not on the calendar') };
  }

  it('a narrowed run between a refusal and its retry keeps the time of the retry', async () => {
    const kit = await refusedTwiceKit();
    kit.calendar.userEdit(kit.refOfA, { label: 'A, on the phone' });
    const full = kit.fullRuns();
    await kit.sync();
    expect(kit.fullRuns()).toBe(full); // narrowed: it put A back, and offered nothing else
    expect(kit.calendar.items.get(kit.refOfA)?.fields.label).toBe('A');
    kit.calendar.clearFaults();
    kit.tick(5 * MINUTE);
    await kit.sync();
    expect(kit.fullRuns()).toBe(full + 1);
    expect(kit.remoteItems().map((item) => item.fields.label)).toContain('Refused for now');
  });

  it('a refusal met by a narrowed run does not put off an earlier retry', async () => {
    const kit = await refusedTwiceKit();
    kit.calendar.userEdit(kit.refOfA, { label: 'A, on the phone' });
    vi.spyOn(kit.calendar, 'update').mockImplementationOnce(async () => {
      throw new OrdoError('SYNC_REMOTE_REJECTED', { details: { ref: kit.refOfA } });
    });
    const full = kit.fullRuns();
    expect((await kit.sync()).errors.map((error) => error.code)).toEqual(['SYNC_REMOTE_REJECTED']);
    expect(kit.fullRuns()).toBe(full);
    kit.calendar.clearFaults();
    kit.tick(5 * MINUTE);
    await kit.sync();
    expect(kit.fullRuns()).toBe(full + 1);
    const labels = kit.remoteItems().map((item) => item.fields.label);
    expect(labels.sort()).toEqual(['A', 'Refused for now']);
  });

  it('a run someone asked for offers a refused task at once', async () => {
    const kit = await refusedTwiceKit();
    kit.calendar.clearFaults();
    const full = kit.fullRuns();
    await kit.sync();
    expect(kit.fullRuns()).toBe(full); // a scheduled run waits
    await kit.sync({ asked: true });
    expect(kit.fullRuns()).toBe(full + 1);
    expect(kit.remoteItems().map((item) => item.fields.label)).toContain('Refused for now');
  });

  it('waits 5 minutes after a first refusal, doubling up to 6 hours', () => {
    expect([1, 2, 3, 7, 8, 20].map((refusals) => refusalRetryDelay(refusals) / MINUTE)).toEqual([
      5, 10, 20, 320, 360, 360,
    ]);
  });

  it('a create that met an item it could not read is tried again by the next run', async () => {
    const kit = countingKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    kit.tick();
    await kit.sync();
    await kit.sync();
    kit.task({ label: 'B', timing: at(1, 9) });
    kit.tick();
    // As a CalDAV 412 on create for an item deleted before the GET that would link it.
    vi.spyOn(kit.calendar, 'create').mockImplementationOnce(async () => {
      throw new OrdoError('SYNC_REMOTE_EXISTS', { details: { ref: 'gone.ics' } });
    });
    expect((await kit.sync()).errors.map((error) => error.code)).toEqual(['SYNC_REMOTE_EXISTS']);
    kit.tick(refusalRetryDelay(1));
    await kit.sync();
    expect(
      kit
        .remoteItems()
        .map((item) => item.fields.label)
        .sort(),
    ).toEqual(['A', 'B']);
  });

  it('a calendar item the planning refused does not make the next run a full one', async () => {
    const kit = countingKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    kit.tick();
    await kit.sync();
    await kit.sync();
    const start = at(2, 10).start;
    const backwards = { allDay: false as const, start, end: start - HOUR };
    kit.calendar.userCreate(eventFields('Backwards', backwards));
    kit.tick();
    expect((await kit.sync()).errors.map((error) => error.code)).toEqual(['TASK_TIMING_INVALID']);
    const full = kit.fullRuns();
    await kit.sync();
    // A full run could not offer it again: the calendar lists it only once it changes.
    expect(kit.fullRuns()).toBe(full);
  });

  it("gives the next run's check the planning snapshot taken with the mark", async () => {
    const kit = countingKit();
    let taken = 0;
    Object.assign(kit.planning, { snapshot: async () => `snapshot-${++taken}` });
    kit.task({ label: 'A', timing: at(1, 8) });
    kit.tick();
    await kit.sync();
    await kit.sync(); // confirms the pair the first run created
    const mark = kit.state.runMark?.snapshot;
    expect(mark).toMatch(/^snapshot-/);
    const changedSince = vi.spyOn(kit.planning, 'changedSince');
    await kit.sync();
    expect(changedSince).toHaveBeenCalledTimes(1);
    expect(changedSince.mock.calls[0]?.[2]).toBe(mark);
    // This no-change run took its own at its start, for the mark it leaves.
    expect(kit.state.runMark?.snapshot).toBe(`snapshot-${taken}`);
    expect(kit.state.runMark?.snapshot).not.toBe(mark);
  });

  it('the day rolling over brings new tasks into the window', async () => {
    const kit = countingKit({ futureDays: 10 });
    await kit.sync();
    // Starts 11 days ahead: outside today's window, inside tomorrow's.
    kit.task({ label: 'Later', timing: at(11, 8) });
    kit.tick(); // the task predates the next run's mark
    await kit.sync();
    await kit.sync();
    expect(kit.remoteItems()).toEqual([]);
    kit.tick(DAY);
    await kit.sync();
    expect(kit.remoteItems().map((item) => item.fields.label)).toEqual(['Later']);
  });

  it('a change of rights or settings runs in full', async () => {
    const kit = countingKit();
    kit.task({ label: 'A', timing: at(1, 8) });
    await kit.sync();
    await kit.sync();
    let full = kit.fullRuns();
    kit.planning.currentRights = { ...kit.planning.currentRights, canDelete: false };
    await kit.sync();
    expect(kit.fullRuns()).toBe(full + 1);
    full = kit.fullRuns();
    kit.settings = { ...kit.settings, importTasks: false };
    await kit.sync();
    expect(kit.fullRuns()).toBe(full + 1);
  });
});

describe('calendar-only runs', () => {
  /** Two events synchronized and settled: the next run may take a shortcut. */
  async function settledKit(...args: Parameters<typeof createKit>) {
    const kit = countingKit(...args);
    const a = kit.task({ label: 'A', timing: at(1, 8) });
    const b = kit.task({ label: 'B', timing: at(2, 8) });
    kit.tick();
    await kit.sync();
    await kit.sync(); // confirms the pairs the first run created
    kit.tick();
    const refOf = (taskId: string) =>
      kit.state.pairs.get(taskId)?.ref ?? expect.fail(`no pair for ${taskId}`);
    return { ...kit, a, b, refOf, loadPairs: vi.spyOn(kit.state, 'loadPairs') };
  }

  it('a calendar edit of a known item reads only its pair and task, and lands', async () => {
    const kit = await settledKit();
    const full = kit.fullRuns();
    kit.calendar.userEdit(kit.refOf(kit.a.id), { label: 'A, from the phone' });
    const report = await kit.sync();
    expect(report.counts.updated).toBe(1);
    expect(kit.planning.tasks.get(kit.a.id)?.label).toBe('A, from the phone');
    expect(kit.planning.tasks.get(kit.b.id)?.label).toBe('B');
    expect(kit.fullRuns()).toBe(full);
    expect(kit.loadPairs).not.toHaveBeenCalled();
    // Settled again: the next run writes nothing.
    const writes = kit.writes();
    await kit.sync();
    expect(kit.writes()).toBe(writes);
  });

  it('a calendar deletion of a known item deletes its task', async () => {
    const kit = await settledKit();
    kit.calendar.userDelete(kit.refOf(kit.b.id));
    await kit.sync();
    expect(kit.tasks().map((task) => task.label)).toEqual(['A']);
    expect(kit.loadPairs).not.toHaveBeenCalled();
  });

  it('an edit the rights refuse is reverted on the calendar as in a full run', async () => {
    const kit = await settledKit();
    kit.planning.currentRights = { ...kit.planning.currentRights, canModify: false };
    await kit.sync(); // rights changed: a full run, which settles again
    kit.tick();
    kit.calendar.userEdit(kit.refOf(kit.a.id), { label: 'A, not allowed' });
    kit.loadPairs.mockClear();
    await kit.sync();
    expect(kit.planning.tasks.get(kit.a.id)?.label).toBe('A');
    expect(kit.calendar.items.get(kit.refOf(kit.a.id))?.fields.label).toBe('A');
    expect(kit.loadPairs).not.toHaveBeenCalled();
  });

  it('a new calendar item makes a full run, which imports it once', async () => {
    const kit = await settledKit();
    const full = kit.fullRuns();
    kit.calendar.userCreate(eventFields('From the phone'));
    await kit.sync();
    expect(kit.fullRuns()).toBe(full + 1);
    expect(
      kit
        .tasks()
        .map((task) => task.label)
        .sort(),
    ).toEqual(['A', 'B', 'From the phone']);
  });

  it('a planning change beside a calendar edit makes a full run that carries both', async () => {
    const kit = await settledKit();
    const full = kit.fullRuns();
    kit.calendar.userEdit(kit.refOf(kit.a.id), { label: 'A, from the phone' });
    kit.planning.edit(kit.b.id, { label: 'B, moved' });
    await kit.sync();
    expect(kit.fullRuns()).toBe(full + 1);
    expect(kit.planning.tasks.get(kit.a.id)?.label).toBe('A, from the phone');
    expect(kit.calendar.items.get(kit.refOf(kit.b.id))?.fields.label).toBe('B, moved');
  });
});
