/**
 * Timers, passed in like the clock: the scheduler's single timer runs on the real event loop
 * in the server and on a hand-moved clock in tests.
 */
import type { ManualClock } from '../shared/clock.js';

export type TimerHandle = unknown;

export interface Timers {
  /** Calls `fn` after `delayMs`; a returned promise is awaited by manual timers. */
  set(fn: () => unknown, delayMs: number): TimerHandle;
  clear(handle: TimerHandle): void;
}

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export const realTimers: Timers = {
  set(fn, delayMs) {
    const handle = setTimeout(fn, Math.min(Math.max(0, delayMs), MAX_DELAY_MS));
    // A timer alone must not keep a command-line process alive.
    handle.unref();
    return handle;
  },
  clear(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface ManualTimer {
  id: number;
  at: number;
  fn: () => unknown;
}

/** Timers that fire when a test moves the manual clock past their deadline. */
export class ManualTimers implements Timers {
  private timers: ManualTimer[] = [];
  private nextId = 1;

  constructor(private readonly clock: ManualClock) {}

  set(fn: () => unknown, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.clock.now() + Math.max(0, delayMs), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clear(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** How many timers are armed. */
  get size(): number {
    return this.timers.length;
  }

  /** The deadlines of the armed timers, earliest first. */
  deadlines(): number[] {
    return this.timers.map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves the clock by `ms`, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      if (next.at > this.clock.now()) this.clock.set(next.at);
      await next.fn();
    }
    this.clock.set(target);
  }
}
