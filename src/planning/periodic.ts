/**
 * Periodic tasks: a rule (an RFC 5545 RRULE) and a template task. Occurrences are stored as
 * ordinary tasks carrying `periodicTaskId`, up to `until` or a year ahead, so the planning,
 * reminders and e-mails read them like any task. An occurrence taken out of its periodic
 * task becomes an ordinary task that only remembers where it came from.
 */
import crypto from 'node:crypto';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import type { Db } from '../store/schema.js';
import type { Actor } from './actor.js';
import { canDeleteTask, canReadTask, type RightsContext } from './rights.js';
import type { TaskInput } from './task-input.js';
import type { TaskService } from './tasks.js';
import { addDays, isCalendarDate } from './time.js';
import type { CalendarDate, PeriodicTask, Task, TaskTiming } from './types.js';

/** More occurrences than this is a mistake in the rule rather than a planning. */
export const MAX_OCCURRENCES = 1000;
const DAY_MS = 24 * 3600 * 1000;

export interface PeriodicTasksOptions {
  db: Db;
  tasks: TaskService;
  clock: Clock;
  timeZone: () => Promise<string>;
  rightsFor: (actor: Actor) => Promise<RightsContext | null>;
  newId?: () => string;
}

export interface CreatePeriodicTaskOptions {
  actor: Actor;
  rule: string;
  template: TaskInput;
  /** Last date occurrences may start on (inclusive); a year ahead when absent. */
  until?: CalendarDate | null;
}

export class PeriodicTasks {
  private readonly newId: () => string;

  constructor(private readonly options: PeriodicTasksOptions) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** The periodic tasks whose template the actor may read. */
  async list(actor: Actor): Promise<PeriodicTask[]> {
    const rows = await this.options.db
      .selectFrom('periodic_tasks')
      .selectAll()
      .orderBy('created_at')
      .execute();
    const rights = await this.options.rightsFor(actor);
    return rows
      .map((row) => ({
        id: row.id,
        rule: row.rule,
        template: JSON.parse(row.template) as PeriodicTask['template'],
        until: row.until,
      }))
      .filter((p) => !rights || canReadTask(rights, p.template));
  }

  async get(actor: Actor, id: string): Promise<PeriodicTask> {
    const found = (await this.list(actor)).find((p) => p.id === id);
    if (!found) throw new OrdoError('PERIODIC_TASK_NOT_FOUND', { details: { id } });
    return found;
  }

  /** Stores the periodic task and all its occurrences in one transaction. */
  async create(
    options: CreatePeriodicTaskOptions,
  ): Promise<{ periodicTask: PeriodicTask; occurrences: Task[] }> {
    const { actor, template } = options;
    const until = options.until ?? null;
    if (until !== null && !isCalendarDate(until)) {
      throw new OrdoError('VALIDATION', { details: { field: 'until' } });
    }
    const rule = parseRule(options.rule);
    const zone = await this.options.timeZone();
    // TODO(periodic tasks without an end): occurrences are stored once, a year ahead; a daily
    // job should extend open-ended periodic tasks as time passes.
    const last = until ?? addDays(todayIn(this.options.clock.now(), zone), 366);
    const timings = occurrenceTimings({ rule, timing: template.timing, zone, until: last });
    if (timings.length === 0) {
      throw new OrdoError('PERIODIC_RULE_INVALID', {
        message: 'The rule gives no occurrence before the end date',
        details: { field: 'rule' },
      });
    }

    const id = this.newId();
    const periodicTask: PeriodicTask = { id, rule: options.rule, template, until };
    const occurrences = await this.options.tasks.createMany({
      actor,
      items: timings.map((timing) => ({ input: { ...template, timing }, periodicTaskId: id })),
      prepare: async (trx) => {
        await trx
          .insertInto('periodic_tasks')
          .values({
            id,
            rule: options.rule,
            template: JSON.stringify(template),
            until,
            created_at: this.options.clock.now(),
          })
          .execute();
      },
    });
    return { periodicTask, occurrences };
  }

  /** Deletes the periodic task and its occurrences; detached ones stay as ordinary tasks. */
  async delete(options: { actor: Actor; id: string }): Promise<void> {
    const { actor, id } = options;
    const periodic = await this.get(actor, id);
    const rights = await this.options.rightsFor(actor);
    if (rights && !canDeleteTask(rights, periodic.template)) throw new OrdoError('FORBIDDEN');

    const rows = await this.options.db
      .selectFrom('tasks')
      .select('id')
      .where('periodic_task_id', '=', id)
      .execute();
    await this.options.tasks.deleteMany({
      actor,
      ids: rows.map((r) => r.id),
      finish: async (trx) => {
        await trx.deleteFrom('periodic_tasks').where('id', '=', id).execute();
      },
    });
  }

  /** Takes an occurrence out of its periodic task: from now on an ordinary task. */
  async detach(options: { actor: Actor; taskId: string }): Promise<Task> {
    const { actor, taskId } = options;
    const task = await this.options.tasks.get(actor, taskId);
    if (!task.periodicTaskId) {
      throw new OrdoError('CONFLICT', {
        message: 'This task is not an occurrence of a periodic task',
        details: { id: taskId },
      });
    }
    return this.options.tasks.update({
      actor,
      id: taskId,
      patch: { periodicTaskId: null, detachedFromPeriodicTaskId: task.periodicTaskId },
    });
  }
}

/** The rule, parsed; `PERIODIC_RULE_INVALID` when ical.js cannot read it or it repeats too fast. */
export function parseRule(text: string): ICAL.Recur {
  let recur: ICAL.Recur;
  try {
    recur = ICAL.Recur.fromString(text.replace(/^RRULE:/i, ''));
  } catch (cause) {
    throw new OrdoError('PERIODIC_RULE_INVALID', { details: { field: 'rule' }, cause });
  }
  // A planning books hours and days; a rule by the second or minute is a typing mistake.
  // TODO(impossible rules): ical.js iterates a rule that matches no date (BYMONTHDAY=30 in
  // February) into wrong dates instead of none; such rules are not detected yet.
  if (!recur.freq || recur.freq === 'SECONDLY' || recur.freq === 'MINUTELY') {
    throw new OrdoError('PERIODIC_RULE_INVALID', { details: { field: 'rule' } });
  }
  // RFC 5545 3.3.10: INTERVAL is a positive integer. ical.js reads 0 or -2 as 1, so the rule
  // stored (and shown) would not be the one the occurrences follow.
  const interval = /(?:^|;)INTERVAL=([^;]*)/i.exec(text)?.[1];
  if (interval !== undefined && !/^[1-9]\d*$/.test(interval)) {
    throw new OrdoError('PERIODIC_RULE_INVALID', {
      message: 'The repetition interval must be a whole number from 1',
      details: { field: 'rule' },
    });
  }
  return recur;
}

/**
 * The timing of each occurrence. Timed tasks repeat at the same wall-clock time in the
 * company's zone (a Monday 08:00 stays 08:00 across daylight-saving changes, as RFC 5545
 * section 3.3.10 asks for a DTSTART with a time zone), and keep their length.
 */
export function occurrenceTimings(options: {
  rule: ICAL.Recur;
  timing: TaskTiming;
  zone: string;
  until: CalendarDate;
}): TaskTiming[] {
  const { rule, timing, zone, until } = options;
  const out: TaskTiming[] = [];
  if (timing.allDay) {
    const days = Math.round((Date.parse(timing.endDate) - Date.parse(timing.startDate)) / DAY_MS);
    const iterator = rule.iterator(ICAL.Time.fromDateString(timing.startDate));
    for (let next = iterator.next(); next && out.length < MAX_OCCURRENCES; next = iterator.next()) {
      const startDate = next.toString().slice(0, 10);
      if (startDate > until) break;
      out.push({ allDay: true, startDate, endDate: addDays(startDate, days) });
    }
    return out;
  }

  const length = timing.end - timing.start;
  const local = DateTime.fromMillis(timing.start, { zone });
  const dtstart = ICAL.Time.fromData({
    year: local.year,
    month: local.month,
    day: local.day,
    hour: local.hour,
    minute: local.minute,
    second: local.second,
    isDate: false,
  });
  const iterator = rule.iterator(dtstart);
  for (let next = iterator.next(); next && out.length < MAX_OCCURRENCES; next = iterator.next()) {
    if (next.toString().slice(0, 10) > until) break;
    const start = DateTime.fromObject(
      {
        year: next.year,
        month: next.month,
        day: next.day,
        hour: next.hour,
        minute: next.minute,
        second: next.second,
      },
      { zone },
    ).toMillis();
    out.push({ allDay: false, start, end: start + length });
  }
  return out;
}

function todayIn(now: number, zone: string): CalendarDate {
  return DateTime.fromMillis(now, { zone }).toISODate() as CalendarDate;
}
