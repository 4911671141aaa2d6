/**
 * A planning with people and reminders started on a hand-moved clock, for the reminders'
 * tests: Alice and Bob are resources with a user each ("who I am"), Admin is an
 * administrator with no resource of their own.
 */
import type { Ordo } from '../app/ordo.js';
import { SYSTEM, type Actor, type Origin } from '../planning/actor.js';
import { taskInputSchema } from '../planning/task-input.js';
import type { Task } from '../planning/types.js';
import { ManualClock } from '../shared/clock.js';
import { createTestOrdo, type TestDialect } from '../test-support/ordo.js';
import type { HubMessage } from './hub.js';
import { startReminders, type Reminders } from './reminders.js';
import { ManualTimers } from './timers.js';

export const T0 = Date.parse('2026-03-02T08:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface Person {
  actor: Actor & { kind: 'user' };
  resourceId: string | null;
}

export interface Fixture {
  ordo: Ordo;
  clock: ManualClock;
  timers: ManualTimers;
  reminders: Reminders;
  alice: Person;
  bob: Person;
  admin: Person;
  clientId: string;
  createTask(fields?: Record<string, unknown>, origin?: Origin): Promise<Task>;
  /** Moves the clock, fires the timers on the way, and lets the pages receive what came. */
  advance(ms: number): Promise<void>;
  device(person: Person): Promise<Device>;
}

export interface Device {
  messages: HubMessage[];
  /** Ids of the reminders received live (not in snapshots). */
  raised(): string[];
  closed(): string[];
  disconnect(): void;
}

export async function createFixture(dialect: TestDialect): Promise<Fixture> {
  const clock = new ManualClock(T0);
  const timers = new ManualTimers(clock);
  const ordo = await createTestOrdo({ dialect, clock });
  const reminders = await startReminders(ordo, { timers, scheduler: true });
  const person = async (login: string, options: { resource: boolean; isAdmin?: boolean }) => {
    const resource = options.resource
      ? await ordo.directory.createResource({ name: login.toUpperCase() })
      : null;
    const user = await ordo.users.create({
      login,
      password: 'correct horse',
      isAdmin: options.isAdmin ?? false,
      resourceId: resource?.id ?? null,
    });
    const actor = (await ordo.users.actorFor(user)) as Person['actor'];
    return { actor, resourceId: resource?.id ?? null };
  };
  const alice = await person('alice', { resource: true });
  const bob = await person('bob', { resource: true });
  const admin = await person('admin', { resource: false, isAdmin: true });
  const client = await ordo.directory.createClient({ name: 'Dupont SA' });

  return {
    ordo,
    clock,
    timers,
    reminders,
    alice,
    bob,
    admin,
    clientId: client.id,
    createTask: (fields = {}, origin = 'planning') =>
      ordo.tasks.create({ actor: SYSTEM, origin, input: taskInput(fields) }),
    advance: async (ms) => {
      await timers.advance(ms);
      await settle(reminders, dialect);
    },
    device: async (p) => {
      const messages: HubMessage[] = [];
      const disconnect = await reminders.connect(p.actor, (m) => messages.push(m));
      return {
        messages,
        raised: () => messages.flatMap((m) => (m.type === 'reminder' ? [m.reminder.id] : [])),
        closed: () => messages.flatMap((m) => (m.type === 'closed' ? [m.id] : [])),
        disconnect,
      };
    },
  };
}

/** A timed task from T0 + 2 h to T0 + 3 h with a 15-minute reminder, unless told otherwise. */
export function taskInput(fields: Record<string, unknown>) {
  return taskInputSchema.parse({
    label: 'Pose cuisine',
    timing: {
      start: new Date(T0 + 2 * HOUR).toISOString(),
      end: new Date(T0 + 3 * HOUR).toISOString(),
    },
    reminder: { kind: 'before', minutes: 15 },
    ...fields,
  });
}

/**
 * Waits until the hub handled every event: in-process ones are queued at once; NOTIFY ones
 * come back through the listening connection, so give them a moment to arrive first.
 */
export async function settle(reminders: Reminders, dialect: TestDialect): Promise<void> {
  if (dialect === 'postgres') await new Promise((resolve) => setTimeout(resolve, 100));
  await reminders.hub.idle();
}
