/**
 * The reminders capability: the task hook that stores each task's reminder, the scheduler
 * that raises them, the hub that pushes them to open pages, and what a user does with them
 * (list, snooze, dismiss). Dismissing or snoozing is stored per user, so it holds on every
 * device of theirs, and is broadcast so their other pages close the reminder at once.
 */
import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import type { User } from '../planning/types.js';
import { OrdoError } from '../shared/errors.js';
import { LocalBus, PostgresBus, type ReminderBus } from './bus.js';
import { ReminderHub } from './hub.js';
import { ReminderStore, type ReminderView } from './reminder-store.js';
import { ReminderScheduler } from './scheduler.js';
import { createReminderHook } from './task-hook.js';
import type { Timers } from './timers.js';

export type { ReminderView } from './reminder-store.js';

export interface StartRemindersOptions {
  timers?: Timers;
  safetyIntervalMs?: number;
  batchSize?: number;
  /** Raise reminders in this process; by default when the configuration starts workers. */
  scheduler?: boolean;
}

/** The longest snooze: a week. */
const MAX_SNOOZE_MINUTES = 7 * 24 * 60;
const MINUTE = 60_000;

export class Reminders {
  constructor(
    private readonly ordo: Ordo,
    readonly store: ReminderStore,
    readonly bus: ReminderBus,
    readonly hub: ReminderHub,
    readonly scheduler: ReminderScheduler,
  ) {}

  /** The user's due reminders not dismissed, snoozed ones once the snooze ended. */
  async list(actor: Actor): Promise<ReminderView[]> {
    const user = userOf(actor);
    const now = this.ordo.clock.now();
    const reminders = await this.store.dueFor(user, now);
    const shown = reminders.map((r) => ({ reminderId: r.id, userId: user.id }));
    await this.store.markDelivered(shown, now);
    return reminders;
  }

  async snooze(options: { actor: Actor; id: string; minutes: number }): Promise<{ until: number }> {
    const { minutes } = options;
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_SNOOZE_MINUTES) {
      throw new OrdoError('VALIDATION', {
        message: `A snooze lasts 1 to ${MAX_SNOOZE_MINUTES} minutes`,
        details: { field: 'minutes' },
      });
    }
    const user = userOf(options.actor);
    const reminder = await this.concerning(user, options.id);
    const now = this.ordo.clock.now();
    if (reminder.dueAt > now)
      throw new OrdoError('REMINDER_NOT_DUE', { details: { id: options.id } });

    const until = now + Math.round(minutes * MINUTE);
    await this.store.setState({
      reminderId: options.id,
      userId: user.id,
      ...reminder,
      state: 'snoozed',
      snoozedUntil: until,
      now,
    });
    this.scheduler.hint(until);
    await this.bus.publish({ kind: 'closed', reminderId: options.id, userId: user.id });
    return { until };
  }

  async dismiss(options: { actor: Actor; id: string }): Promise<void> {
    const user = userOf(options.actor);
    const reminder = await this.concerning(user, options.id);
    await this.store.setState({
      reminderId: options.id,
      userId: user.id,
      ...reminder,
      state: 'dismissed',
      snoozedUntil: null,
      now: this.ordo.clock.now(),
    });
    await this.bus.publish({ kind: 'closed', reminderId: options.id, userId: user.id });
  }

  /** Registers a page of the user; returns what unregisters it. */
  connect(actor: Actor, sink: Parameters<ReminderHub['connect']>[1]): Promise<() => void> {
    return this.hub.connect(userOf(actor), sink);
  }

  private async concerning(user: User, id: string): Promise<{ taskId: string; dueAt: number }> {
    const found = await this.store.findFor(user, id);
    // Someone else's reminder answers as a missing one: its existence is not theirs to know.
    if (!found) throw new OrdoError('REMINDER_NOT_FOUND', { details: { id } });
    return found;
  }
}

function userOf(actor: Actor): User {
  if (actor.kind !== 'user')
    throw new OrdoError('FORBIDDEN', { message: 'Reminders are a user’s' });
  return actor.user;
}

const started = new WeakMap<Ordo, Promise<Reminders>>();

/**
 * Installs reminders on an Ordo: the task hook always (every process that changes tasks
 * must keep reminders in step), the bus and the hub, and the scheduler when asked. Once
 * per Ordo; stopped by `ordo.close()`.
 */
export function startReminders(
  ordo: Ordo,
  options: StartRemindersOptions = {},
): Promise<Reminders> {
  const existing = started.get(ordo);
  if (existing) return existing;
  const promise = install(ordo, options);
  started.set(ordo, promise);
  return promise;
}

async function install(ordo: Ordo, options: StartRemindersOptions): Promise<Reminders> {
  const logger = ordo.logger.child({ component: 'reminders' });
  const store = new ReminderStore({ db: ordo.store.db, dialect: ordo.store.dialect });
  const bus: ReminderBus =
    ordo.store.dialect === 'postgres' && ordo.config.databaseUrl
      ? new PostgresBus({ db: ordo.store.db, url: ordo.config.databaseUrl, logger })
      : new LocalBus();
  await bus.start();
  const hub = new ReminderHub({ store, bus, clock: ordo.clock, logger });
  hub.start();
  const scheduler = new ReminderScheduler({
    store,
    bus,
    clock: ordo.clock,
    logger,
    timers: options.timers,
    safetyIntervalMs: options.safetyIntervalMs,
    batchSize: options.batchSize,
  });
  ordo.tasks.onChanges(
    createReminderHook({
      store,
      bus,
      clock: ordo.clock,
      secrets: ordo.secrets,
      onScheduled: (dueAt) => scheduler.hint(dueAt),
    }),
  );
  if (options.scheduler ?? ordo.config.workers) scheduler.start();

  ordo.onClose(async () => {
    await scheduler.stop();
    await hub.idle();
    hub.stop();
    await bus.close();
  });
  return new Reminders(ordo, store, bus, hub, scheduler);
}
