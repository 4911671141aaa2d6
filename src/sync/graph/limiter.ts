/**
 * A counting semaphore: at most `max` calls run at once, the rest wait in order. Graph allows
 * 4 concurrent requests per app per mailbox (Outlook service limits), so every client talking
 * to one mailbox shares one limiter through `mailboxLimiter`.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Calls running now. */
  readonly active: number;
}

export function createLimiter(max: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];

  async function acquire(): Promise<void> {
    if (active < max) {
      active += 1;
      return;
    }
    // The slot is handed over by release(): `active` stays counted for the next caller.
    await new Promise<void>((resume) => waiting.push(resume));
  }

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  }

  return {
    async run(task) {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
  };
}

export const GRAPH_MAILBOX_CONCURRENCY = 4;

const shared = new Map<string, Limiter>();

/** The limiter every client of one mailbox uses (keyed by base URL and mailbox). */
export function mailboxLimiter(key: string): Limiter {
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = createLimiter(GRAPH_MAILBOX_CONCURRENCY);
    shared.set(key, limiter);
  }
  return limiter;
}
