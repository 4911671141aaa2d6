/**
 * To Do has no transactionId: a create whose answer was lost after the service made the task
 * must not be sent again, or the list holds two copies of one task.
 */
import { expect, it } from 'vitest';

import { isOrdoError } from '../../shared/errors.js';
import { plainFields, useGraphStandIn, WINDOW } from './test-kit.js';
import { createGraphTodoProvider } from './todo.js';

const standIn = useGraphStandIn();
const fields = plainFields('todo', 'Rappeler le client');

it('makes one task when the answer to its POST is lost (503 after the service acted)', async () => {
  const token = standIn().issueAccessToken();
  let lost = 0;
  const losing: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (init?.method !== 'POST' || lost > 0) return response;
    lost += 1;
    await response.arrayBuffer();
    return new Response('upstream timed out', { status: 503 });
  };
  const provider = createGraphTodoProvider({
    baseUrl: standIn().graphUrl,
    getAccessToken: async () => token,
    listId: standIn().addTaskList('Tasks'),
    fetch: losing,
    sleep: async () => {},
  });

  const error = await provider.create(fields).catch((failure: unknown) => failure);

  const listed = (await provider.listChanges(null, WINDOW)).changed;
  expect(listed.map((item) => item.fields.uid)).toEqual(['task-1']);
  // The engine links the task it finds at this ref instead of making another.
  expect(isOrdoError(error, 'SYNC_REMOTE_EXISTS')).toBe(true);
  expect(isOrdoError(error) && error.details?.ref).toBe(listed[0]!.ref);
});
