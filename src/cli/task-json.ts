/** A task as the command line prints it with --json. */
import type { Ordo } from '../app/ordo.js';
import { isoInstant } from '../planning/time.js';
import type { Task } from '../planning/types.js';

export interface TaskJson {
  id: string;
  label: string;
  start: string;
  end: string;
  allDay: boolean;
  remark: string;
  resources: string[];
  client: string | null;
  private: boolean;
  reminder: { kind: 'none' } | { kind: 'before'; minutes: number } | { kind: 'at'; at: string };
}

export async function taskNames(ordo: Ordo) {
  const resources = new Map((await ordo.directory.listResources()).map((r) => [r.id, r.name]));
  const clients = new Map((await ordo.directory.listClients()).map((c) => [c.id, c.name]));
  return { resources, clients };
}

export function taskToJson(
  task: Task,
  names: { resources: Map<string, string>; clients: Map<string, string> },
): TaskJson {
  const timing = task.timing;
  return {
    id: task.id,
    label: task.label,
    start: timing.allDay ? timing.startDate : isoInstant(timing.start),
    end: timing.allDay ? timing.endDate : isoInstant(timing.end),
    allDay: timing.allDay,
    remark: task.remark,
    resources: task.resourceIds.map((id) => names.resources.get(id) ?? id),
    client: task.clientId ? (names.clients.get(task.clientId) ?? null) : null,
    private: task.private,
    reminder:
      task.reminder.kind === 'at'
        ? { kind: 'at', at: isoInstant(task.reminder.at) }
        : task.reminder,
  };
}
