/**
 * Carries reminder events between server processes: in-process on SQLite (one writer, one
 * server), over PostgreSQL LISTEN/NOTIFY otherwise, so a reminder raised by one process
 * reaches pages connected to another. A NOTIFY sent inside a transaction is delivered only
 * when it commits, which is why `publish` takes the transaction.
 */
import { EventEmitter } from 'node:events';
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Logger } from '../shared/logger.js';
import type { Database, Db } from '../store/schema.js';
import type { Delivery } from './reminder-store.js';

export type ReminderEvent =
  | { kind: 'fired'; deliveries: Delivery[] }
  /** The reminder left the user's alarm window; `userId` null: everybody's (task changed). */
  | { kind: 'closed'; reminderId: string; userId: string | null }
  /** Events may have been lost (the listening connection dropped): pages must be re-read. */
  | { kind: 'resync' };

export type ReminderListener = (event: ReminderEvent) => void;

export interface ReminderBus {
  publish(event: ReminderEvent, trx?: Transaction<Database>): Promise<void>;
  subscribe(listener: ReminderListener): () => void;
  start(): Promise<void>;
  close(): Promise<void>;
}

export class LocalBus implements ReminderBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  async publish(event: ReminderEvent): Promise<void> {
    this.emitter.emit('event', event);
  }

  subscribe(listener: ReminderListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** NOTIFY payloads must stay under 8000 bytes; deliveries are split to fit. */
const MAX_PAYLOAD = 7000;
const RECONNECT_MS = 1000;

export interface PostgresBusOptions {
  db: Db;
  url: string;
  logger: Logger;
  reconnectMs?: number;
}

export class PostgresBus implements ReminderBus {
  private readonly local = new LocalBus();
  private client: pg.Client | null = null;
  private channel = '';
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: PostgresBusOptions) {}

  async start(): Promise<void> {
    // Channels are database-wide: the schema in the name keeps two Ordos on one database apart.
    const row = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(
      this.options.db,
    );
    const schema = (row.rows[0]?.schema ?? 'public').toLowerCase().replace(/[^a-z0-9_]/g, '_');
    this.channel = `ordo_reminders_${schema}`.slice(0, 63);
    await this.listen();
  }

  async publish(event: ReminderEvent, trx?: Transaction<Database>): Promise<void> {
    const target = trx ?? this.options.db;
    for (const payload of encode(event)) {
      await sql`SELECT pg_notify(${this.channel}, ${payload})`.execute(target);
    }
  }

  subscribe(listener: ReminderListener): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
    await this.local.close();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url });
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel || !msg.payload) return;
      const event = decode(msg.payload);
      if (event) void this.local.publish(event);
      else this.options.logger.warn({ channel: msg.channel }, 'reminder bus payload unreadable');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.client = client;
  }

  private lost(client: pg.Client, err: Error | null): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.options.logger.warn({ err }, 'reminder bus connection lost');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.listen()
        .then(() => this.local.publish({ kind: 'resync' }))
        .catch((err: unknown) => {
          this.options.logger.warn({ err }, 'reminder bus reconnect failed');
          this.scheduleReconnect();
        });
    }, this.options.reconnectMs ?? RECONNECT_MS);
  }
}

/** Wire form: `f` with `[reminderId, userId]` pairs, `c` closed, `r` resync. */
export function encode(event: ReminderEvent): string[] {
  if (event.kind === 'closed') return [JSON.stringify({ c: [event.reminderId, event.userId] })];
  if (event.kind === 'resync') return [JSON.stringify({ r: 1 })];

  const out: string[] = [];
  let pairs: [string, string][] = [];
  let size = 0;
  for (const d of event.deliveries) {
    const pairSize = d.reminderId.length + d.userId.length + 8;
    if (size + pairSize > MAX_PAYLOAD && pairs.length > 0) {
      out.push(JSON.stringify({ f: pairs }));
      pairs = [];
      size = 0;
    }
    pairs.push([d.reminderId, d.userId]);
    size += pairSize;
  }
  if (pairs.length > 0) out.push(JSON.stringify({ f: pairs }));
  return out;
}

export function decode(payload: string): ReminderEvent | null {
  try {
    const data = JSON.parse(payload) as { f?: [string, string][]; c?: [string, string | null] };
    if (data.f) {
      return {
        kind: 'fired',
        deliveries: data.f.map(([reminderId, userId]) => ({ reminderId, userId })),
      };
    }
    if (data.c) return { kind: 'closed', reminderId: data.c[0], userId: data.c[1] };
    return { kind: 'resync' };
  } catch {
    // Not ours (someone else NOTIFYs on the channel): the caller logs it.
    return null;
  }
}
