/**
 * The outbox: messages are written in the transaction of the action that caused them and
 * sent later by a worker. Claiming is what keeps two workers from sending one message twice:
 * on PostgreSQL the due rows are locked with `FOR UPDATE SKIP LOCKED` and marked `sending`
 * with a lease and a claim token in one short transaction; on SQLite (one process) a single
 * `UPDATE ... WHERE status ... RETURNING` does the same atomically. A worker records the
 * outcome only while its claim token is still on the row, and a `sending` row whose lease
 * ran out (the worker died) is due again.
 */
import crypto from 'node:crypto';
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import type { Dialect } from '../store/db.js';
import type { Database, Db } from '../store/schema.js';
import type { OutboxKind, OutboxPurpose, OutboxStatus, OutboxTable } from './outbox-tables.js';

export type OutboxRow = Selectable<OutboxTable>;

/** Waits after the 1st, 2nd, ... temporary failure; the last one repeats. */
export const RETRY_DELAYS_MS: readonly number[] = [1, 5, 15, 60, 240, 720].map((m) => m * 60_000);
/** After this many attempts a temporary failure is final. */
export const MAX_ATTEMPTS = 8;
/** Longer than one send can take (nodemailer's socket timeout is 60 s). */
export const DEFAULT_LEASE_MS = 5 * 60_000;

export interface NewOutboxMessage {
  kind: OutboxKind;
  purpose: OutboxPurpose;
  taskId: string | null;
  resourceId: string | null;
  requestedBy: string | null;
  recipients: string[];
  envelope?: { from: string; to: string[] };
  subject: string;
  payload: string;
  messageId?: string | null;
}

/** One message as the log shows it: no payload. */
export interface OutboxEntry {
  id: string;
  kind: OutboxKind;
  purpose: OutboxPurpose;
  taskId: string | null;
  recipients: string[];
  subject: string;
  messageId: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastResponse: string | null;
  lastErrorCode: string | null;
  createdAt: number;
  sentAt: number | null;
}

export interface OutboxListOptions {
  limit?: number;
  status?: OutboxStatus;
  taskId?: string;
  /** Only the messages about this user's tasks (resource 1) or that they asked for. */
  visibleTo?: { userId: string; resourceId: string | null };
}

export interface FailureOutcome {
  temporary: boolean;
  code: string;
  response: string;
}

export class Outbox {
  private readonly newId: () => string;

  constructor(
    private readonly options: { db: Db; dialect: Dialect; clock: Clock; newId?: () => string },
  ) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  /**
   * Writes a message in `executor`: the caller's transaction, so it exists only if that commits.
   */
  async enqueue(executor: Db, message: NewOutboxMessage): Promise<OutboxRow> {
    const now = this.options.clock.now();
    const row: OutboxRow = {
      id: this.newId(),
      kind: message.kind,
      purpose: message.purpose,
      task_id: message.taskId,
      resource_id: message.resourceId,
      requested_by: message.requestedBy,
      recipients: JSON.stringify(message.recipients),
      envelope: message.envelope ? JSON.stringify(message.envelope) : null,
      subject: message.subject,
      payload: message.payload,
      message_id: message.messageId ?? null,
      status: 'queued',
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      claim_token: null,
      last_response: null,
      last_error_code: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
    };
    await executor.insertInto('outbox').values(row).execute();
    return row;
  }

  /**
   * Takes up to `limit` due messages for this worker; each is `sending` until `leaseMs` from now.
   */
  async claim(options: { limit: number; leaseMs?: number }): Promise<OutboxRow[]> {
    const now = this.options.clock.now();
    const changes = {
      status: 'sending' as const,
      lease_until: now + (options.leaseMs ?? DEFAULT_LEASE_MS),
      claim_token: crypto.randomUUID(),
      attempts: sql<number>`attempts + 1`,
      updated_at: now,
    };
    const due = (eb: ExpressionBuilder<Database, 'outbox'>) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<=', now)]),
      ]);

    if (this.options.dialect === 'postgres') {
      return this.options.db.transaction().execute(async (trx) => {
        const ids = await trx
          .selectFrom('outbox')
          .select('id')
          .where(due)
          .orderBy('next_attempt_at')
          .limit(options.limit)
          .forUpdate()
          .skipLocked()
          .execute();
        if (ids.length === 0) return [];
        return trx
          .updateTable('outbox')
          .set(changes)
          .where(
            'id',
            'in',
            ids.map((r) => r.id),
          )
          .returningAll()
          .execute();
      });
    }
    // SQLite: one statement is atomic, and one process writes at a time.
    return this.options.db
      .updateTable('outbox')
      .set(changes)
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where(due)
          .orderBy('next_attempt_at')
          .limit(options.limit),
      )
      .where(due)
      .returningAll()
      .execute();
  }

  /** Records a delivery; false when the claim was lost (the lease ran out meanwhile). */
  async markSent(row: OutboxRow, response: string): Promise<boolean> {
    const now = this.options.clock.now();
    return this.finish(row, {
      status: 'sent',
      sent_at: now,
      last_response: response,
      last_error_code: null,
    });
  }

  /**
   * Records several deliveries with one statement per claim and server answer (usually one):
   * a busy worker spends its time sending, not writing. Returns how many were recorded.
   */
  async markSentMany(items: readonly { row: OutboxRow; response: string }[]): Promise<number> {
    const groups = new Map<string, { token: string | null; response: string; ids: string[] }>();
    for (const { row, response } of items) {
      const key = JSON.stringify([row.claim_token, response]);
      const group = groups.get(key) ?? { token: row.claim_token, response, ids: [] };
      group.ids.push(row.id);
      groups.set(key, group);
    }
    const now = this.options.clock.now();
    let recorded = 0;
    for (const group of groups.values()) {
      const result = await this.options.db
        .updateTable('outbox')
        .set({
          status: 'sent',
          sent_at: now,
          last_response: group.response,
          last_error_code: null,
          lease_until: null,
          claim_token: null,
          updated_at: now,
        })
        .where('id', 'in', group.ids)
        .where('claim_token', '=', group.token)
        .executeTakeFirst();
      recorded += Number(result.numUpdatedRows);
    }
    return recorded;
  }

  /** A temporary failure waits and is tried again, until MAX_ATTEMPTS; any other is final. */
  async markFailed(row: OutboxRow, outcome: FailureOutcome): Promise<OutboxStatus> {
    const now = this.options.clock.now();
    const retry = outcome.temporary && row.attempts < MAX_ATTEMPTS;
    const status: OutboxStatus = retry ? 'queued' : 'failed';
    await this.finish(row, {
      status,
      next_attempt_at: retry ? now + retryDelay(row.attempts) : row.next_attempt_at,
      last_response: outcome.response,
      last_error_code: outcome.code,
    });
    return status;
  }

  async get(id: string): Promise<OutboxRow> {
    const row = await this.options.db
      .selectFrom('outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new OrdoError('OUTBOX_MESSAGE_NOT_FOUND', { details: { id } });
    return row;
  }

  /** The newest messages first. */
  async list(options: OutboxListOptions = {}): Promise<OutboxEntry[]> {
    let query = this.options.db
      .selectFrom('outbox')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(Math.min(options.limit ?? 100, 1000));
    if (options.status) query = query.where('status', '=', options.status);
    if (options.taskId) query = query.where('task_id', '=', options.taskId);
    const viewer = options.visibleTo;
    if (viewer) {
      query = query.where((eb) =>
        eb.or([
          eb('requested_by', '=', viewer.userId),
          ...(viewer.resourceId ? [eb('resource_id', '=', viewer.resourceId)] : []),
        ]),
      );
    }
    return (await query.execute()).map(toEntry);
  }

  /** Puts a failed message back in the queue, as if new; its bytes stay the same. */
  async resend(id: string): Promise<OutboxEntry> {
    const row = await this.get(id);
    if (row.status !== 'failed') {
      throw new OrdoError('CONFLICT', {
        message: 'Only a failed message can be sent again',
        details: { id, status: row.status },
      });
    }
    const now = this.options.clock.now();
    await this.options.db
      .updateTable('outbox')
      .set({ status: 'queued', attempts: 0, next_attempt_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .execute();
    return toEntry(await this.get(id));
  }

  /** How many messages are in each status. */
  async counts(): Promise<Record<OutboxStatus, number>> {
    const rows = await this.options.db
      .selectFrom('outbox')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const counts = { queued: 0, sending: 0, sent: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  private async finish(
    row: OutboxRow,
    changes: Partial<Omit<OutboxRow, 'id' | 'claim_token'>>,
  ): Promise<boolean> {
    const result = await this.options.db
      .updateTable('outbox')
      .set({
        ...changes,
        lease_until: null,
        claim_token: null,
        updated_at: this.options.clock.now(),
      })
      .where('id', '=', row.id)
      .where('claim_token', '=', row.claim_token)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

export function retryDelay(attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1;
  return RETRY_DELAYS_MS[index] as number;
}

export function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    kind: row.kind,
    purpose: row.purpose,
    taskId: row.task_id,
    recipients: JSON.parse(row.recipients) as string[],
    subject: row.subject,
    messageId: row.message_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'queued' ? row.next_attempt_at : null,
    lastResponse: row.last_response,
    lastErrorCode: row.last_error_code,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}
