/**
 * The planning's range query: tasks overlapping [from, to), by start. Short tasks are found
 * through the start index within a bounded look-back, long ones through their own small
 * index: both stay index range scans whatever the table's size.
 *
 * It returns thousands of rows for a month of a busy planning, so it selects only the
 * columns a task needs and, on SQLite, reads them as arrays (see store/raw-sqlite.ts) and
 * builds the rows here; PostgreSQL runs the same Kysely query.
 */
import { sql } from 'kysely';
import { rawRows } from '../store/raw-sqlite.js';
import type { Db } from '../store/schema.js';
import { LONG_SPAN_MS, type TaskRow } from './task-rows.js';

export interface TaskRange {
  from: number;
  to: number;
  resourceId?: string;
}

/** What a listed task needs; the order is the raw arrays' (see `rowOf`). */
const COLUMNS = [
  'tasks.id',
  'tasks.uid',
  'tasks.label',
  'tasks.all_day',
  'tasks.start_at',
  'tasks.end_at',
  'tasks.start_date',
  'tasks.end_date',
  'tasks.resource_ids',
  'tasks.client_id',
  'tasks.remark',
  'tasks.location',
  'tasks.category',
  'tasks.reminder_kind',
  'tasks.reminder_minutes',
  'tasks.reminder_at',
  'tasks.private',
  'tasks.periodic_task_id',
  'tasks.detached_from_periodic_task_id',
  'tasks.sequence',
  'tasks.created_at',
  'tasks.modified_at',
] as const;

export async function queryRange(db: Db, range: TaskRange): Promise<TaskRow[]> {
  const base = () => {
    let q = db.selectFrom('tasks').select(COLUMNS);
    if (range.resourceId) {
      q = q
        .innerJoin('task_resources', 'task_resources.task_id', 'tasks.id')
        .where('task_resources.resource_id', '=', range.resourceId);
    }
    return q.where('tasks.end_at', '>', range.from).where('tasks.start_at', '<', range.to);
  };
  const short = base()
    .where('tasks.long_span', '=', 0)
    .where('tasks.start_at', '>', range.from - LONG_SPAN_MS);
  const long = base().where('tasks.long_span', '=', 1);
  const query = short.unionAll(long).orderBy(sql`start_at`);

  const arrays = await rawRows(db, query.compile());
  return arrays ? arrays.map(rowOf) : query.execute();
}

/** A raw row in COLUMNS' order as the row Kysely would have returned. */
function rowOf(v: unknown[]): TaskRow {
  return {
    id: v[0],
    uid: v[1],
    label: v[2],
    all_day: v[3],
    start_at: v[4],
    end_at: v[5],
    start_date: v[6],
    end_date: v[7],
    resource_ids: v[8],
    client_id: v[9],
    remark: v[10],
    location: v[11],
    category: v[12],
    reminder_kind: v[13],
    reminder_minutes: v[14],
    reminder_at: v[15],
    private: v[16],
    periodic_task_id: v[17],
    detached_from_periodic_task_id: v[18],
    sequence: v[19],
    created_at: v[20],
    modified_at: v[21],
  } as TaskRow;
}
