/**
 * The pages connected to this process, by user. Every event of the bus is handled here in
 * the order it came: a raised reminder is read once and pushed to every open page of each
 * concerned user connected here; users connected elsewhere are that process's business.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ReminderBus, ReminderEvent } from './bus.js';
import type { Delivery, ReminderStore, ReminderView } from './reminder-store.js';
import type { User } from '../planning/types.js';

export type HubMessage =
  | { type: 'snapshot'; reminders: ReminderView[] }
  | { type: 'reminder'; reminder: ReminderView }
  | { type: 'closed'; id: string };

export type HubSink = (message: HubMessage) => void;

interface Connection {
  user: User;
  sink: HubSink;
}

export interface ReminderHubOptions {
  store: ReminderStore;
  bus: ReminderBus;
  clock: Clock;
  logger: Logger;
}

export class ReminderHub {
  private readonly connections = new Map<string, Set<Connection>>();
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: ReminderHubOptions) {}

  start(): void {
    this.unsubscribe = this.options.bus.subscribe((event) => this.enqueue(event));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.connections.clear();
  }

  /** Registers a page; it gets a snapshot of the user's due reminders, then live events. */
  async connect(user: User, sink: HubSink): Promise<() => void> {
    const connection = { user, sink };
    const set = this.connections.get(user.id) ?? new Set<Connection>();
    set.add(connection);
    this.connections.set(user.id, set);
    // Connected before the snapshot is read: a reminder raised meanwhile is sent twice at
    // worst (the page keys reminders by id), never lost.
    await this.sendSnapshot(connection);
    return () => this.disconnect(connection);
  }

  /** How many pages are connected here (all users). */
  get size(): number {
    let n = 0;
    for (const set of this.connections.values()) n += set.size;
    return n;
  }

  /** Resolves once every event received so far is handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private disconnect(connection: Connection): void {
    const set = this.connections.get(connection.user.id);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.connections.delete(connection.user.id);
  }

  private enqueue(event: ReminderEvent): void {
    this.queue = this.queue
      .then(() => this.handle(event))
      .catch((err: unknown) => this.options.logger.error({ err }, 'reminder event failed'));
  }

  private async handle(event: ReminderEvent): Promise<void> {
    if (event.kind === 'fired') return this.deliver(event.deliveries);
    if (event.kind === 'closed') return this.close(event.reminderId, event.userId);
    for (const set of this.connections.values()) {
      for (const connection of set) await this.sendSnapshot(connection);
    }
  }

  private async deliver(deliveries: Delivery[]): Promise<void> {
    const local = deliveries.filter((d) => this.connections.has(d.userId));
    if (local.length === 0) return;

    const views = await this.options.store.views(local.map((d) => d.reminderId));
    const delivered: Delivery[] = [];
    for (const d of local) {
      const reminder = views.get(d.reminderId);
      const set = this.connections.get(d.userId);
      if (!reminder || !set) continue;
      for (const connection of set) send(connection, { type: 'reminder', reminder });
      delivered.push(d);
    }
    await this.options.store.markDelivered(delivered, this.options.clock.now());
  }

  private close(reminderId: string, userId: string | null): void {
    const sets = userId ? [this.connections.get(userId)] : [...this.connections.values()];
    for (const set of sets) {
      for (const connection of set ?? []) send(connection, { type: 'closed', id: reminderId });
    }
  }

  private async sendSnapshot(connection: Connection): Promise<void> {
    const now = this.options.clock.now();
    const reminders = await this.options.store.dueFor(connection.user, now);
    send(connection, { type: 'snapshot', reminders });
    const userId = connection.user.id;
    const shown = reminders.map((r) => ({ reminderId: r.id, userId }));
    await this.options.store.markDelivered(shown, now);
  }
}

function send(connection: Connection, message: HubMessage): void {
  connection.sink(message);
}
