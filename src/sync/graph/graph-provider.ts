/**
 * One mailbox's appointments and To Do tasks as one CalendarProvider, so the engine can
 * synchronize both in one run. Task refs carry a `todo:` prefix (Graph ids of events and
 * tasks share no namespace we could tell apart otherwise); event refs are the event ids.
 */
import type { CalendarProvider, ChangeSet, ItemKind, SyncWindow } from '../provider.js';
import { createGraphEventsProvider, type GraphEventsProviderOptions } from './events.js';
import { createGraphTodoProvider } from './todo.js';

export interface GraphProviderOptions extends GraphEventsProviderOptions {
  /** The To Do list synchronized; appointments only without it. */
  todoListId?: string;
}

const TASK_REF_PREFIX = 'todo:';

export function createGraphProvider(options: GraphProviderOptions): CalendarProvider {
  const events = createGraphEventsProvider(options);
  if (!options.todoListId) return events;
  const todo = createGraphTodoProvider({
    ...options,
    listId: options.todoListId,
    refOf: (id) => `${TASK_REF_PREFIX}${id}`,
    taskIdOf: (ref) => ref.slice(TASK_REF_PREFIX.length),
  });
  const side = (ref: string) => (ref.startsWith(TASK_REF_PREFIX) ? todo : events);
  const kinds: readonly ItemKind[] = ['event', 'todo'];

  /**
   * Both halves answer in one ChangeSet. When one half had to list everything (a new or
   * expired token), the other lists everything too: a complete answer must be complete for
   * both, or the engine would miss deletions on the incremental half.
   */
  async function listChanges(cursor: string | null, window: SyncWindow): Promise<ChangeSet> {
    const previous = decodePair(cursor);
    let [a, b] = await Promise.all([
      events.listChanges(previous.events, window),
      todo.listChanges(previous.todo, window),
    ]);
    if (a.complete && !b.complete) b = await todo.listChanges(null, window);
    if (b.complete && !a.complete) a = await events.listChanges(null, window);
    return {
      complete: a.complete,
      changed: [...a.changed, ...b.changed],
      deleted: [...a.deleted, ...b.deleted],
      cursor: JSON.stringify({ events: a.cursor, todo: b.cursor }),
    };
  }

  return {
    kinds,
    listChanges,
    get: (ref) => side(ref).get(ref),
    create: (fields) => (fields.kind === 'todo' ? todo : events).create(fields),
    update: (ref, etag, fields) => side(ref).update(ref, etag, fields),
    delete: (ref, etag) => side(ref).delete(ref, etag),
    held: (fields) => (fields.kind === 'todo' ? todo : events).held?.(fields) ?? fields,
  };
}

function decodePair(cursor: string | null): { events: string | null; todo: string | null } {
  if (!cursor) return { events: null, todo: null };
  try {
    const value = JSON.parse(cursor) as { events?: unknown; todo?: unknown };
    return {
      events: typeof value.events === 'string' ? value.events : null,
      todo: typeof value.todo === 'string' ? value.todo : null,
    };
  } catch {
    return { events: null, todo: null };
  }
}
