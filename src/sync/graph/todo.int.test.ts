import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { contractFields, CONTRACT_WINDOW, runProviderContract } from '../provider-contract.js';
import type { SyncFields } from '../provider.js';
import { createGraphProvider } from './graph-provider.js';
import { startGraphStandIn, type GraphStandIn } from './graph-stand-in.js';
import { createGraphTodoProvider } from './todo.js';

let standIn: GraphStandIn;
let mailboxes = 0;

beforeAll(async () => {
  standIn = await startGraphStandIn();
});
afterAll(async () => {
  await standIn.close();
});

function todoSubject() {
  mailboxes += 1;
  const token = standIn.issueAccessToken();
  const listId = standIn.addTaskList(`Tasks ${mailboxes}`);
  let requests = 0;
  const provider = createGraphTodoProvider({
    baseUrl: standIn.graphUrl,
    getAccessToken: async () => token,
    listId,
    mailbox: `todo-${mailboxes}`,
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
  });
  return { provider, listId, requestCount: () => requests };
}

function todo(overrides: Partial<SyncFields> = {}): SyncFields {
  return contractFields({
    kind: 'todo',
    reminder: { kind: 'at', at: CONTRACT_WINDOW.from },
    ...overrides,
  });
}

describe('Graph appointments and To Do as one provider: the provider contract', () => {
  runProviderContract({
    supportsTodos: true,
    maxNoChangeRequests: 2,
    async createSubject() {
      mailboxes += 1;
      const token = standIn.issueAccessToken();
      let requests = 0;
      const provider = createGraphProvider({
        baseUrl: standIn.graphUrl,
        getAccessToken: async () => token,
        calendarId: `both-${mailboxes}`,
        todoListId: standIn.addTaskList(`Both ${mailboxes}`),
        fetch: (input, init) => {
          requests += 1;
          return fetch(input, init);
        },
      });
      return {
        provider,
        requestCount: () => requests,
        invalidateCursor(cursor) {
          standIn.expireDeltaTokens();
          return cursor;
        },
      };
    },
  });
});

describe('Graph To Do provider', () => {
  it('creates, reads, updates and deletes a task, keeping our UID in linkedResources', async () => {
    const { provider } = todoSubject();
    const fields = todo({ remark: 'Line 1\nLine 2' });
    const created = await provider.create(fields);
    const read = await provider.get(created.ref);
    expect(read?.fields).toEqual(fields);

    const changed = { ...fields, label: 'Renamed', reminder: { kind: 'none' as const } };
    const updated = await provider.update(created.ref, read!.etag, changed);
    expect((await provider.get(created.ref))?.fields).toEqual(changed);
    await expect(provider.update(created.ref, read!.etag, fields)).rejects.toMatchObject({
      code: 'SYNC_REMOTE_CHANGED',
    });
    await expect(provider.delete(created.ref, read!.etag)).rejects.toMatchObject({
      code: 'SYNC_REMOTE_CHANGED',
    });
    await provider.delete(created.ref, updated.etag);
    await provider.delete(created.ref, updated.etag);
    expect(await provider.get(created.ref)).toBeNull();
  });

  it('finds a task again by its UID: a second create is SYNC_REMOTE_EXISTS with the ref', async () => {
    const { provider } = todoSubject();
    const fields = todo({ uid: "o'brien-1@ordo.test" });
    const created = await provider.create(fields);
    await expect(provider.create(fields)).rejects.toMatchObject({
      code: 'SYNC_REMOTE_EXISTS',
      details: { ref: created.ref },
    });
  });

  it('finds the task by a full read when the service refuses the linkedResources filter', async () => {
    const { provider } = todoSubject();
    const fields = todo();
    const created = await provider.create(fields);
    standIn.refuseLinkedFilter(true);
    try {
      await expect(provider.create(fields)).rejects.toMatchObject({
        code: 'SYNC_REMOTE_EXISTS',
        details: { ref: created.ref },
      });
      const other = await provider.create(todo());
      expect(other.ref).not.toBe(created.ref);
    } finally {
      standIn.refuseLinkedFilter(false);
    }
  });

  it('lists in full, then changes and deletions from the delta, keeping to the window', async () => {
    const s = todoSubject();
    const [a, b] = [todo(), todo()];
    const refs = await Promise.all([a, b].map((f) => s.provider.create(f)));
    const outside = todo({
      timing: { allDay: true, startDate: '2031-06-01', endDate: '2031-06-02' },
    });
    await s.provider.create(outside);

    const initial = await s.provider.listChanges(null, CONTRACT_WINDOW);
    expect(initial.complete).toBe(true);
    expect(initial.changed.map((i) => i.fields.uid).sort()).toEqual([a.uid, b.uid].sort());

    const current = new Map(initial.changed.map((i) => [i.ref, i.etag]));
    await s.provider.update(refs[0]!.ref, current.get(refs[0]!.ref)!, { ...a, label: 'A2' });
    await s.provider.delete(refs[1]!.ref, current.get(refs[1]!.ref)!);
    const next = await s.provider.listChanges(initial.cursor, CONTRACT_WINDOW);
    expect(next.complete).toBe(false);
    expect(next.changed.map((i) => i.fields.label)).toEqual(['A2']);
    expect(next.deleted).toEqual([refs[1]!.ref]);

    const before = s.requestCount();
    const quiet = await s.provider.listChanges(next.cursor, CONTRACT_WINDOW);
    expect(quiet).toMatchObject({ complete: false, changed: [], deleted: [] });
    expect(s.requestCount() - before).toBe(1);

    standIn.expireDeltaTokens();
    const reset = await s.provider.listChanges(quiet.cursor, CONTRACT_WINDOW);
    expect(reset.complete).toBe(true);
    expect(reset.changed.map((i) => i.fields.uid)).toEqual([a.uid]);
  });
});
