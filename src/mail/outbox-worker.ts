/**
 * Sends what the outbox holds: claims due messages in batches, sends them a few at a time,
 * and records each outcome. Temporary failures (server unreachable, 4xx) wait and are tried
 * again with growing delays; permanent ones (5xx) are failed with the server's reply.
 */
import { isOrdoError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { Outbox, DEFAULT_LEASE_MS, type OutboxRow } from './outbox.js';
import { textToRaw } from './raw-message.js';
import { isTemporary } from './smtp-transport.js';
import type { TransportSource, Transports } from './transports.js';

export interface OutboxWorkerOptions {
  outbox: Outbox;
  transports: TransportSource;
  logger: Logger;
  /** Messages in flight at once. */
  concurrency?: number;
  /** Messages claimed per query; a few times the concurrency keeps the senders busy. */
  batchSize?: number;
  leaseMs?: number;
  /** How long the running worker waits between two looks at an empty queue. */
  idleMs?: number;
}

export interface PassResult {
  sent: number;
  retrying: number;
  failed: number;
}

export interface OutboxWorker {
  /** Sends everything due now, then returns (`ordo outbox flush`, tests). */
  runOnce(): Promise<PassResult>;
  /** Runs passes until stopped: after each, waits `idleMs` or until `wake()`. */
  start(): void;
  /** Something was queued: look now rather than at the next tick. */
  wake(): void;
  stop(): Promise<void>;
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const logger = options.logger.child({ component: 'outbox' });
  const concurrency = options.concurrency ?? 8;
  const batchSize = options.batchSize ?? concurrency * 4;
  let running = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let woken = false;

  async function runOnce(): Promise<PassResult> {
    const result: PassResult = { sent: 0, retrying: 0, failed: 0 };
    for (;;) {
      const rows = await options.outbox.claim({
        limit: batchSize,
        leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      });
      if (rows.length === 0) return result;
      const transports = await options.transports.current();
      await eachLimited(rows, concurrency, async (row) => {
        const outcome = await deliver({ row, transports, outbox: options.outbox, logger });
        result[outcome] += 1;
      });
    }
  }

  async function idle(): Promise<void> {
    if (woken) {
      woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.idleMs ?? 5_000);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wakeUp = null;
    woken = false;
  }

  async function run(): Promise<void> {
    while (running) {
      try {
        await runOnce();
      } catch (error) {
        // The store was unreachable: keep the worker alive and look again later.
        logger.error({ err: error }, 'outbox pass failed');
      }
      if (running) await idle();
    }
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      loop = null;
      options.transports.close();
    },
  };
}

async function deliver(input: {
  row: OutboxRow;
  transports: Transports;
  outbox: Outbox;
  logger: Logger;
}): Promise<keyof PassResult> {
  const { row, outbox, logger } = input;
  const fields = { outboxId: row.id, taskId: row.task_id, attempt: row.attempts };
  try {
    const response = await send(row, input.transports);
    const recorded = await outbox.markSent(row, response);
    if (!recorded) logger.warn(fields, 'outbox claim lost before the outcome was recorded');
    logger.info(fields, 'outbox message sent');
    return 'sent';
  } catch (error) {
    const status = await outbox.markFailed(row, {
      // Settings an administrator removed may come back: wait for them rather than give up.
      temporary:
        isTemporary(error) ||
        isOrdoError(error, 'MAIL_NOT_CONFIGURED') ||
        isOrdoError(error, 'SMS_NOT_CONFIGURED'),
      code: isOrdoError(error) ? error.code : 'INTERNAL',
      response: describeFailure(error),
    });
    logger.warn({ ...fields, status, err: error }, 'outbox message not sent');
    return status === 'failed' ? 'failed' : 'retrying';
  }
}

async function send(row: OutboxRow, transports: Transports): Promise<string> {
  if (row.kind === 'sms-http') {
    const message = JSON.parse(row.payload) as { to: string; text: string };
    const { providerMessageId } = await transports.sms().send(message);
    return `accepted as ${providerMessageId}`;
  }
  const envelope = JSON.parse(row.envelope ?? '{}') as { from: string; to: string[] };
  // The stored bytes go out as they are: a retry repeats the same Message-ID.
  const result = await transports.smtp().send({ envelope, raw: textToRaw(row.payload) });
  return result.rejected.length > 0
    ? `${result.response} (refused: ${result.rejected.join(', ')})`
    : result.response;
}

/** What the log shows: the remote side's own words when there are some. */
export function describeFailure(error: unknown): string {
  if (!isOrdoError(error)) return error instanceof Error ? error.message : String(error);
  const remote = error.remote ?? {};
  const reply = remote['response'] ?? remote['message'];
  const status = remote['status'];
  if (typeof reply === 'string' && reply !== '') {
    return typeof status === 'number' ? `${status} ${reply}` : reply;
  }
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}
