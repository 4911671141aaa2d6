/**
 * Reads what a task message is written from, in the executor the caller holds (a task
 * hook's transaction: on SQLite a query outside it would wait forever).
 */
import { taskFromRow } from '../planning/task-rows.js';
import type { Client, Department, Resource, Task } from '../planning/types.js';
import { OrdoError } from '../shared/errors.js';
import type { Db } from '../store/schema.js';
import type { MessageLanguage } from './task-format.js';

export interface TaskMailData {
  task: Task;
  resources: Resource[];
  client: Client | null;
  departments: Department[];
  /** The first human resource: who the envelope and the phone send to. */
  resource1: Resource | null;
  /** The language of resource 1's user, when the resource is someone's "who I am". */
  resource1Language: MessageLanguage | null;
}

export async function loadTask(executor: Db, id: string): Promise<Task> {
  const row = await executor
    .selectFrom('tasks')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new OrdoError('TASK_NOT_FOUND', { details: { id } });
  return taskFromRow(row);
}

export async function loadTaskMailData(executor: Db, task: Task): Promise<TaskMailData> {
  const rows =
    task.resourceIds.length === 0
      ? []
      : await executor
          .selectFrom('resources')
          .selectAll()
          .where('id', 'in', task.resourceIds)
          .execute();
  const resources = task.resourceIds.flatMap((id) => {
    const row = rows.find((r) => r.id === id);
    return row ? [resourceFromRow(row)] : [];
  });
  const clientRow = task.clientId
    ? await executor
        .selectFrom('clients')
        .selectAll()
        .where('id', '=', task.clientId)
        .executeTakeFirst()
    : undefined;
  const departments = await executor.selectFrom('departments').selectAll().execute();
  const resource1 = resources.find((r) => r.kind === 'human') ?? null;
  return {
    task,
    resources,
    client: clientRow
      ? { id: clientRow.id, name: clientRow.name, email: clientRow.email, mobile: clientRow.mobile }
      : null,
    departments,
    resource1,
    resource1Language: resource1 ? await languageOf(executor, resource1.id) : null,
  };
}

async function languageOf(executor: Db, resourceId: string): Promise<MessageLanguage | null> {
  const users = await executor
    .selectFrom('users')
    .select('language')
    .where('resource_id', '=', resourceId)
    .orderBy('created_at')
    .execute();
  const language = users.find((u) => u.language === 'fr' || u.language === 'en')?.language;
  return (language as MessageLanguage | undefined) ?? null;
}

function resourceFromRow(row: {
  id: string;
  name: string;
  kind: string;
  email: string | null;
  mobile: string | null;
  department_id: string | null;
}): Resource {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind === 'material' ? 'material' : 'human',
    email: row.email,
    mobile: row.mobile,
    departmentId: row.department_id,
  };
}
