/**
 * Imports an iCalendar file into one resource's tasks, in one transaction: the whole file
 * is stored or nothing is. Private items and recurring series are skipped (they are not
 * the planning's to hold); unreadable items are reported with their UID and the rest is
 * imported. The UID identifies an item, so importing the same file again changes nothing,
 * and importing a newer export of it updates what changed.
 */
import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import { canAddTask, canModifyTask } from '../planning/rights.js';
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
  await assertMayImport(ordo, options.actor, resource.id);

  const timeZone = await ordo.settings.get('company.timeZone');
  const parsed = parseCalendar(options.input, { timeZone });
  const report: ImportReport = {
    imported: [],
    updated: [],
    unchanged: [],
    skipped: [],
    failed: parsed.problems.map((p) => ({ uid: p.uid, reason: p.reason, code: p.code })),
  };

  const existing = await tasksByUid(ordo, resource.id);
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
      } else if (sameContent(current, input)) {
        report.unchanged.push({ ...entry, taskId: current.id });
      } else {
        await ordo.tasks.update({
          actor: SYSTEM,
          id: current.id,
          patch: fileFieldsOf(input),
          origin: 'import',
          trx,
        });
        report.updated.push({ ...entry, taskId: current.id });
      }
    }
  });
  return report;
}

async function assertMayImport(ordo: Ordo, actor: Actor, resourceId: string): Promise<void> {
  if (actor.kind === 'system') return;
  const rights = await ordo.users.rightsFor(actor, () => ordo.directory.departmentMap());
  const target = { resourceIds: [resourceId], private: false };
  if (!rights || (canAddTask(rights, target) && canModifyTask(rights, target, target))) return;
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

async function tasksByUid(ordo: Ordo, resourceId: string): Promise<Map<string, Task>> {
  const rows = await ordo.tasks.list(SYSTEM, { from: -8.64e15, to: 8.64e15, resourceId });
  return new Map(rows.map((t) => [t.uid, t]));
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
