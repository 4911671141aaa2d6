/**
 * Calendar items whose write the calendar refused (here: the put-back of a phone edit the user
 * may not make): the run mark names them until a full run has read them again and the write
 * went through, and reading them again never costs more than that one item.
 */
import { describe, expect, it, vi } from 'vitest';

import { OrdoError } from '../../shared/errors.js';
import { at, createKit, DAY, HOUR } from './sync-test-kit.js';

const MINUTE = 60_000;

function refusal(ref: string) {
  return new OrdoError('SYNC_REMOTE_REJECTED', { details: { ref } });
}

/**
 * A and B settled; without the right to modify, calendar edits are put back. `editRefused`
 * edits one of them on the calendar and runs once, the put-back refused.
 */
async function readOnlyKit() {
  const kit = createKit();
  kit.planning.currentRights = { ...kit.planning.currentRights, canModify: false };
  kit.task({ label: 'A', timing: at(1, 9) });
  kit.task({ label: 'B', timing: at(1, 11) });
  kit.tick();
  await kit.sync();
  await kit.sync(); // confirms the pairs
  const refOf = (label: string) =>
    kit.remoteItems().find((item) => item.fields.label === label)?.ref ?? expect.fail(label);
  const refs = { A: refOf('A'), B: refOf('B') };
  const labelOf = (ref: string) => kit.calendar.items.get(ref)?.fields.label;
  async function editRefused(label: 'A' | 'B') {
    kit.tick();
    kit.calendar.userEdit(refs[label], { label: `${label}, on the phone` });
    vi.spyOn(kit.calendar, 'update').mockImplementationOnce(async (ref) => {
      throw refusal(ref);
    });
    const report = await kit.sync();
    expect(report.errors.map((error) => error.code)).toEqual(['SYNC_REMOTE_REJECTED']);
  }
  return { kit, refs, labelOf, editRefused };
}

describe('refused items kept between the refusal and its retry', () => {
  it('a no-change run keeps the refused item to read again', async () => {
    const { kit, refs, labelOf, editRefused } = await readOnlyKit();
    await editRefused('A');
    expect(kit.state.runMark?.recheck).toEqual([refs.A]);
    kit.tick(MINUTE);
    await kit.sync(); // nothing changed: a quiet run rewrites the mark
    kit.tick(5 * MINUTE);
    await kit.sync();
    expect(labelOf(refs.A)).toBe('A');
  });

  it('a narrowed run with its own refusal keeps the earlier refused item', async () => {
    const { kit, refs, labelOf, editRefused } = await readOnlyKit();
    await editRefused('A');
    await editRefused('B'); // narrowed: only B's pair
    kit.tick(10 * MINUTE);
    await kit.sync();
    expect([labelOf(refs.A), labelOf(refs.B)]).toEqual(['A', 'B']);
  });
});

describe('refused items after the retry', () => {
  it('an item put back by the retry leaves the list while another is still refused', async () => {
    const { kit, refs, labelOf, editRefused } = await readOnlyKit();
    await editRefused('A');
    await editRefused('B');
    kit.tick(10 * MINUTE);
    vi.spyOn(kit.calendar, 'update').mockImplementationOnce(async (ref) => {
      throw refusal(ref); // the retry goes through for one of them only
    });
    await kit.sync();
    const stillRefused = labelOf(refs.A) === 'A' ? refs.B : refs.A;
    expect(kit.state.runMark?.recheck).toEqual([stillRefused]);
  });
});

describe('reading a refused item again', () => {
  it('an item that cannot be read fails alone, not every later run of the account', async () => {
    const { kit, refs, editRefused } = await readOnlyKit();
    await editRefused('A');
    // The server now answers 500 to a GET of that one item (CalDAV get: SYNC_REMOTE_PROTOCOL).
    const get = kit.calendar.get.bind(kit.calendar);
    vi.spyOn(kit.calendar, 'get').mockImplementation(async (ref) => {
      if (ref !== refs.A) return get(ref);
      throw new OrdoError('SYNC_REMOTE_PROTOCOL', { remote: { status: 500, href: ref } });
    });
    kit.task({ label: 'C, new in the planning', timing: at(2, 9) });
    kit.tick(6 * HOUR);
    const report = await kit.sync();
    expect(report.errors.map((error) => error.code)).toEqual(['SYNC_REMOTE_PROTOCOL']);
    expect(kit.remoteItems().map((item) => item.fields.label)).toContain('C, new in the planning');
    expect(kit.state.runMark?.recheck).toBeUndefined();
  });

  it('a refused item long out of the window is left alone, as other pairs are', async () => {
    const { kit, refs, editRefused } = await readOnlyKit();
    await editRefused('A');
    // The calendar keeps refusing that item's put-back.
    vi.spyOn(kit.calendar, 'update').mockImplementation(async (ref) => {
      throw refusal(ref);
    });
    const get = vi.spyOn(kit.calendar, 'get');
    kit.tick(90 * DAY); // A (day 1) is long out of the 7-day past window
    const report = await kit.sync();
    expect(get).not.toHaveBeenCalledWith(refs.A);
    expect(report.errors).toEqual([]);
    expect(kit.state.runMark?.recheck).toBeUndefined();
  });
});
