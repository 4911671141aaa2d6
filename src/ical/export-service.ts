/**
 * Exports a resource's tasks as an iCalendar file that Outlook, Google and Apple read:
 * times in UTC, all-day tasks as dates with an exclusive end, lines folded at 75 octets.
 * Tasks the requester may not see in detail are left out rather than half-shown.
 */
import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import type { Task } from '../planning/types.js';
import type { WriteItem } from './types.js';
import { writeCalendar } from './write.js';

export interface ExportOptions {
  actor: Actor;
  resourceId: string;
  from?: number;
  to?: number;
}

export async function exportCalendar(ordo: Ordo, options: ExportOptions): Promise<string> {
  const resource = await ordo.directory.getResource(options.resourceId);
  const tasks = await ordo.tasks.list(options.actor, {
    from: options.from ?? -8.64e15,
    to: options.to ?? 8.64e15,
    resourceId: resource.id,
  });
  const timeZone = await ordo.settings.get('company.timeZone');
  const now = ordo.clock.now();
  return writeCalendar({
    prodId: '-//Ordo//Planning//FR',
    method: 'PUBLISH',
    timeZone,
    items: tasks.filter((t) => !t.masked).map((t) => writeItemOf(t, now)),
  });
}

export function writeItemOf(task: Task, dtstamp: number): WriteItem {
  return {
    uid: task.uid,
    kind: 'event',
    label: task.label,
    remark: task.remark,
    location: task.location,
    categories: task.category ? [task.category] : [],
    timing: task.timing,
    reminder: task.reminder,
    private: task.private,
    sequence: task.sequence,
    dtstamp,
    lastModified: task.modifiedAt,
  };
}
