/**
 * Raises reminders when they fall due, from the store's index on due time: ONE timer,
 * armed for the earliest due reminder or snooze end, and never later than a safety re-read
 * of that "next due" (another process may have scheduled something, a hint may have been
 * lost). A task change hints its new due time, which re-arms the timer when it is earlier.
 * Claims are row-locked, so with several processes each reminder is raised once per user.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ReminderBus } from './bus.js';
import type { ReminderStore } from './reminder-store.js';
import { realTimers, type TimerHandle, type Timers } from './timers.js';

export interface ReminderSchedulerOptions {
  store: ReminderStore;
  bus: ReminderBus;
  clock: Clock;
  logger: Logger;
  timers?: Timers;
  /** The longest the timer sleeps before re-reading "next due"; 30 s by default. */
  safetyIntervalMs?: number;
  /** Reminders claimed per transaction. */
  batchSize?: number;
}

const SAFETY_INTERVAL_MS = 30_000;
const BATCH_SIZE = 500;
/** A hinted reminder not found when due may be in a transaction still committing. */
const HINT_RETRY_MS = 200;
const HINT_RETRIES = 10;
const ERROR_RETRY_MS = 5_000;

export class ReminderScheduler {
  private readonly timers: Timers;
  private readonly safetyMs: number;
  private readonly batchSize: number;
  private handle: TimerHandle | null = null;
  private armedAt: number | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private hintedAt: number | null = null;
  private hintRetries = 0;
  private raised = 0;

  constructor(private readonly options: ReminderSchedulerOptions) {
    this.timers = options.timers ?? realTimers;
    this.safetyMs = options.safetyIntervalMs ?? SAFETY_INTERVAL_MS;
    this.batchSize = options.batchSize ?? BATCH_SIZE;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.running;
  }

  /** A reminder or snooze end was stored for `at`: wake up then if that is sooner. */
  hint(at: number): void {
    if (this.stopped) return;
    if (this.hintedAt === null || at < this.hintedAt) this.hintedAt = at;
    this.hintRetries = 0;
    if (this.armedAt === null || at < this.armedAt) this.arm(at);
  }

  /** When the timer is set to fire, or null when stopped. */
  get nextWakeAt(): number | null {
    return this.armedAt;
  }

  /** How many reminders this process raised since it started. */
  get raisedCount(): number {
    return this.raised;
  }

  /** Raises what is due now and re-arms; concurrent calls share one pass. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    let delay: number;
    try {
      let raised = 0;
      do {
        this.again = false;
        raised += await this.raiseDue();
      } while (this.again && !this.stopped);
      delay = this.hintDelay(raised, await this.delayToNext());
    } catch (err) {
      this.options.logger.error({ err }, 'reminder pass failed');
      delay = ERROR_RETRY_MS;
    }
    if (!this.stopped) this.arm(this.options.clock.now() + delay);
  }

  /** Raises every due reminder and every ended snooze; returns how many were raised. */
  private async raiseDue(): Promise<number> {
    const { store, bus, clock, logger } = this.options;
    const publish: Parameters<ReminderStore['claimDue']>[0]['inTransaction'] = (trx, list) =>
      bus.publish({ kind: 'fired', deliveries: list }, trx);
    let raised = 0;
    for (;;) {
      const now = clock.now();
      const batch = await store.claimDue({ now, limit: this.batchSize, inTransaction: publish });
      raised += batch.claimed;
      if (batch.claimed > 0) {
        logger.debug({ claimed: batch.claimed, deliveries: batch.deliveries.length }, 'raised');
      }
      if (batch.claimed < this.batchSize) break;
    }
    for (;;) {
      const now = clock.now();
      const woken = await store.claimWoken({ now, limit: this.batchSize, inTransaction: publish });
      raised += woken.length;
      if (woken.length < this.batchSize) break;
    }
    this.raised += raised;
    return raised;
  }

  private async delayToNext(): Promise<number> {
    const next = await this.options.store.nextDue();
    if (next === null) return this.safetyMs;
    return Math.min(this.safetyMs, Math.max(0, next - this.options.clock.now()));
  }

  /**
   * A hinted reminder that is due but was not found may sit in a transaction still
   * committing: look again soon, a few times, before leaving it to the safety re-read.
   */
  private hintDelay(raised: number, delay: number): number {
    const hinted = this.hintedAt;
    if (hinted === null || hinted > this.options.clock.now()) return delay;
    if (raised > 0 || this.hintRetries >= HINT_RETRIES) {
      this.hintedAt = null;
      return delay;
    }
    this.hintRetries += 1;
    return Math.min(delay, HINT_RETRY_MS);
  }

  private arm(at: number): void {
    this.disarm();
    this.armedAt = at;
    this.handle = this.timers.set(() => {
      this.handle = null;
      this.armedAt = null;
      return this.run();
    }, at - this.options.clock.now());
  }

  private disarm(): void {
    if (this.handle !== null) this.timers.clear(this.handle);
    this.handle = null;
    this.armedAt = null;
  }
}
