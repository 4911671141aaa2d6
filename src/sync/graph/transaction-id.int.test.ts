/**
 * A retried create is dropped by its transactionId, but only within one calendar: the same
 * task exported to another calendar of the mailbox is a new event there.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { SyncFields } from '../provider.js';
import { createGraphEventsProvider } from './events.js';
import { startGraphStandIn, type GraphStandIn } from './graph-stand-in.js';

const WINDOW = { from: Date.UTC(2030, 0, 1), to: Date.UTC(2031, 0, 1) };
let standIn: GraphStandIn;

beforeAll(async () => {
  standIn = await startGraphStandIn();
});
afterAll(async () => {
  await standIn.close();
});

const fields: SyncFields = {
  kind: 'event',
  uid: 'task-1',
  label: 'Pose cuisine',
  timing: { allDay: false, start: Date.UTC(2030, 2, 4, 9), end: Date.UTC(2030, 2, 4, 10) },
  remark: '',
  reminder: { kind: 'none' },
  private: false,
  recurring: false,
};

it('creates the same task in a second calendar of the mailbox instead of linking the first copy', async () => {
  const token = standIn.issueAccessToken();
  const providerOf = (calendarId: string) =>
    createGraphEventsProvider({
      baseUrl: standIn.graphUrl,
      getAccessToken: async () => token,
      calendarId,
    });
  const first = providerOf('first');
  const second = providerOf('second');

  const original = await first.create(fields);
  const copy = await second.create(fields);

  expect(copy.ref).not.toBe(original.ref);
  const listed = await second.listChanges(null, WINDOW);
  expect(listed.changed.map((item) => [item.ref, item.fields.uid])).toEqual([[copy.ref, 'task-1']]);
  // A retried create in one calendar still lands on its first event.
  expect((await second.create(fields)).ref).toBe(copy.ref);
});
