/**
 * Imports an iCalendar file into one resource's tasks, in one transaction: the whole file
 * is stored or nothing is. Private items and recurring series are skipped (they are not
 * the planning's to hold); unreadable items are reported with their UID and the rest is
 * imported. The UID identifies an item across the whole planning: importing the same file
 * again changes nothing, importing a newer export of it updates what changed, and an item
 * already booked for another resource (the same meeting in two people's exports) gets this
 * resource added rather than a second task with the same UID.
 */
import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import { canAddTask, canModifyTask, type RightsContext } from '../planning/rights.js';
import type { TaskInput, TaskPatch } from '../planning/task-input.js';
import type { Task } from '../planning/types.js';
import { SYSTEM } from '../planning/actor.js';
import { OrdoError, type ErrorCode } from '../shared/errors.js';
import { parseCalendar } from './parse.js';
import type { ParsedItem } from './types.js';

export interface ImportReport {
  imported: { uid: string; label: string; taskId: string }[];
  updated: { uid: string; label: string; taskId: string }[];
  unchanged: { uid: string; label: string; taskId: string }[];
  skipped: { uid: string; label: string; reason: string }[];
  failed: { uid: string | null; reason: string; code: ErrorCode }[];
}

export interface ImportOptions {
  actor: Actor;
  resourceId: string;
  input: Buffer | string;
}

export async function importCalendar(ordo: Ordo, options: ImportOptions): Promise<ImportReport> {
  const resource = await ordo.directory.getResource(options.resourceId);
  const rights = await assertMayImport(ordo, options.actor, resource.id);

  const timeZone = await ordo.settings.get('company.timeZone');
  const parsed = parseCalendar(options.input, { timeZone });
  const report: ImportReport = {
    imported: [],
    updated: [],
    unchanged: [],
    skipped: [],
    failed: parsed.problems.map((p) => ({ uid: p.uid, reason: p.reason, code: p.code })),
  };

  const existing = await tasksByUid(
    ordo,
    parsed.items.map((item) => item.uid),
  );
  const seen = new Set<string>();
  await ordo.store.db.transaction().execute(async (trx) => {
    for (const item of parsed.items) {
      const skip = skipReason(item, seen);
      seen.add(item.uid);
      if (skip) {
        report.skipped.push({ uid: item.uid, label: item.private ? '' : item.label, reason: skip });
        continue;
      }
      const input = taskInputOf(item, resource.id);
      const current = existing.get(item.uid);
      const entry = { uid: item.uid, label: item.label };
      if (!current) {
        // Rights were checked once for the whole file above: the writes run as Ordo itself.
        const task = await ordo.tasks.create({
          actor: SYSTEM,
          input,
          uid: item.uid,
          origin: 'import',
          trx,
        });
        report.imported.push({ ...entry, taskId: task.id });
        continue;
      }

      const joins = !current.resourceIds.includes(resource.id);
      const patch: TaskPatch = {
        ...fileFieldsOf(input),
        ...(joins ? { resourceIds: [...current.resourceIds, resource.id] } : {}),
      };
      if (!joins && sameContent(current, input)) {
        report.unchanged.push({ ...entry, taskId: current.id });
      } else if (
        joins &&
        rights &&
        !canModifyTask(rights, current, { resourceIds: patch.resourceIds ?? [] })
      ) {
        report.failed.push({
          uid: item.uid,
          code: 'FORBIDDEN',
          reason: 'the item is already in the planning, on a task you may not change',
        });
      } else {
        await ordo.tasks.update({ actor: SYSTEM, id: current.id, patch, origin: 'import', trx });
        report.updated.push({ ...entry, taskId: current.id });
      }
    }
  });
  return report;
}

/** The importer's rights (`null` for Ordo itself), once they allow writing to the resource. */
async function assertMayImport(
  ordo: Ordo,
  actor: Actor,
  resourceId: string,
): Promise<RightsContext | null> {
  if (actor.kind === 'system') return null;
  const rights = await ordo.users.rightsFor(actor, () => ordo.directory.departmentMap());
  const target = { resourceIds: [resourceId], private: false };
  if (!rights || (canAddTask(rights, target) && canModifyTask(rights, target, target))) {
    return rights;
  }
  throw new OrdoError('FORBIDDEN', {
    message: "You may not add tasks to this resource's planning",
  });
}

function skipReason(item: ParsedItem, seen: Set<string>): string | null {
  if (item.private) return 'private item (CLASS:PRIVATE or CONFIDENTIAL)';
  if (item.recurring) return 'recurring series: periodic items are not imported';
  if (item.status === 'CANCELLED') return 'cancelled item';
  if (seen.has(item.uid)) return 'the same UID appears earlier in the file';
  return null;
}

function taskInputOf(item: ParsedItem, resourceId: string): TaskInput {
  return {
    label: item.label.trim().slice(0, 500) || '(sans titre)',
    timing: item.timing,
    resourceIds: [resourceId],
    clientId: null,
    remark: item.remark.slice(0, 20_000),
    location: item.location.slice(0, 500),
    category: (item.categories[0] ?? '').slice(0, 100),
    reminder: item.reminder,
    private: false,
  };
}

/**
 * What a calendar item carries. Its other resources, its client and its private flag are
 * the planning's: a file exported for one resource and edited must not drop them.
 */
function fileFieldsOf(input: TaskInput): TaskPatch {
  const { label, timing, remark, location, category, reminder } = input;
  return { label, timing, remark, location, category, reminder };
}

/** The planning's tasks holding any of `uids`, read in bounded batches. */
async function tasksByUid(ordo: Ordo, uids: string[]): Promise<Map<string, Task>> {
  const found = new Map<string, Task>();
  const unique = [...new Set(uids)];
  for (let i = 0; i < unique.length; i += 500) {
    for (const task of await ordo.tasks.findByUids(unique.slice(i, i + 500))) {
      if (!found.has(task.uid)) found.set(task.uid, task);
    }
  }
  return found;
}

function sameContent(task: Task, input: TaskInput): boolean {
  return (
    task.label === input.label &&
    JSON.stringify(task.timing) === JSON.stringify(input.timing) &&
    task.remark === input.remark &&
    task.location === input.location &&
    task.category === input.category &&
    JSON.stringify(task.reminder) === JSON.stringify(input.reminder)
  );
}
