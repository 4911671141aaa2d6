/**
 * A retried create is dropped by its transactionId, but only within one calendar: the same
 * task exported to another calendar of the mailbox is a new event there.
 */
import { expect, it } from 'vitest';

import { createGraphEventsProvider } from './events.js';
import { plainFields, useGraphStandIn, WINDOW } from './test-kit.js';

const standIn = useGraphStandIn();
const fields = plainFields('event', 'Pose cuisine');

it('creates the same task in a second calendar of the mailbox instead of linking the first copy', async () => {
  const token = standIn().issueAccessToken();
  const providerOf = (calendarId: string) =>
    createGraphEventsProvider({
      baseUrl: standIn().graphUrl,
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
