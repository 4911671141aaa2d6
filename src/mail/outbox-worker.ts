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

  /**
   * Lanes take claimed messages from one queue; the next batch is claimed while the last
   * ones of the current batch are still being sent, so the connections never wait for the
   * slowest message of a batch.
   */
  async function runOnce(): Promise<PassResult> {
    const result: PassResult = { sent: 0, retrying: 0, failed: 0 };
    const claimed: OutboxRow[] = [];
    let transports: Transports | null = null;
    let exhausted = false;
    let claiming: Promise<void> | null = null;
    let failure: unknown = null;

    const refill = () =>
      (claiming ??= (async () => {
        try {
          const rows = await options.outbox.claim({
            limit: batchSize,
            leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
          });
          if (rows.length > 0) transports = await options.transports.current();
          claimed.push(...rows);
          exhausted ||= rows.length === 0;
        } catch (error) {
          // Claimed rows stay leased and come back after the lease; stop this pass.
          failure ??= error;
          exhausted = true;
        } finally {
          claiming = null;
        }
      })());

    const next = async (): Promise<OutboxRow | null> => {
      while (claimed.length === 0 && !exhausted) await refill();
      if (claimed.length < concurrency && !exhausted) void refill();
      return claimed.shift() ?? null;
    };

    const recorder = createSentRecorder(options.outbox, logger, Math.max(concurrency, 8));
    const lanes = Array.from({ length: concurrency }, async () => {
      for (let row = await next(); row; row = await next()) {
        const outcome = await deliver({
          row,
          transports: transports as Transports,
          outbox: options.outbox,
          recorder,
          logger,
        });
        result[outcome] += 1;
      }
    });
    await Promise.all(lanes);
    await claiming;
    await recorder.flush();
    if (failure) throw failure;
    return result;
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

interface SentRecorder {
  add(row: OutboxRow, response: string): void;
  /** Writes what is pending; rejects when a write failed. */
  flush(): Promise<void>;
}

/**
 * Deliveries are recorded a few at a time. A crash between the send and the write leaves
 * those messages `sending`: they go out again after their lease (at least once, never lost).
 */
function createSentRecorder(outbox: Outbox, logger: Logger, batch: number): SentRecorder {
  let pending: { row: OutboxRow; response: string }[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (pending.length === 0) return writing;
    const items = pending;
    pending = [];
    writing = writing.then(async () => {
      const recorded = await outbox.markSentMany(items);
      if (recorded < items.length) {
        logger.warn({ lost: items.length - recorded }, 'outbox claim lost before the outcome');
      }
    });
    // Awaited by the pass's last flush; marked handled so a failure is not reported twice.
    writing.catch(() => {});
    return writing;
  };
  return {
    add(row, response) {
      pending.push({ row, response });
      if (pending.length >= batch) void flush();
    },
    flush,
  };
}

async function deliver(input: {
  row: OutboxRow;
  transports: Transports;
  outbox: Outbox;
  recorder: SentRecorder;
  logger: Logger;
}): Promise<keyof PassResult> {
  const { row, outbox, logger } = input;
  const fields = { outboxId: row.id, taskId: row.task_id, attempt: row.attempts };
  let response: string;
  try {
    response = await send(row, input.transports);
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
  input.recorder.add(row, response);
  logger.info(fields, 'outbox message sent');
  return 'sent';
}

async function send(row: OutboxRow, transports: Transports): Promise<string> {
  if (row.kind === 'sms-http') {
    const message = JSON.parse(row.payload) as { to: string; text: string };
    const { providerMessageId } = await transports.sms().send(message);
    return `accepted as ${providerMessageId}`;
  }
  const envelope = JSON.parse(row.envelope ?? '{}') as { from: string; to: string[] };
  // The stored bytes go out as they are: a retry repeats the same Message-ID.
  const result = await transports.mail().sendRaw({ envelope, raw: textToRaw(row.payload) });
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
