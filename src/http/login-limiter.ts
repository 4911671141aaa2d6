/**
 * Slows down password guessing: after a few failed logins for one login from one address,
 * further attempts are refused for a while, whether the password is right or not.
 */
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';

export interface LoginLimiterOptions {
  clock: Clock;
  /** Failures allowed within the window before attempts are refused. */
  maxFailures?: number;
  windowMs?: number;
}

interface Entry {
  failures: number;
  firstAt: number;
}

// TODO(several server processes): the counts live in this process's memory; behind a load
// balancer each process counts on its own, so move them to the database then.
export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly windowMs: number;

  constructor(private readonly options: LoginLimiterOptions) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60_000;
  }

  /** Throws `RATE_LIMITED` (with the seconds to wait) while `login` from `ip` is blocked. */
  check(login: string, ip: string): void {
    const entry = this.live(keyOf(login, ip));
    if (!entry || entry.failures < this.maxFailures) return;
    const retryAfter = Math.ceil((entry.firstAt + this.windowMs - this.options.clock.now()) / 1000);
    throw new OrdoError('RATE_LIMITED', {
      message: 'Too many failed logins: wait before trying again',
      details: { retryAfterSeconds: Math.max(1, retryAfter) },
    });
  }

  fail(login: string, ip: string): void {
    const key = keyOf(login, ip);
    const entry = this.live(key) ?? { failures: 0, firstAt: this.options.clock.now() };
    entry.failures += 1;
    this.entries.set(key, entry);
    if (this.entries.size > 10_000) this.prune();
  }

  succeed(login: string, ip: string): void {
    this.entries.delete(keyOf(login, ip));
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.firstAt + this.windowMs <= this.options.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private prune(): void {
    for (const key of [...this.entries.keys()]) this.live(key);
  }
}

function keyOf(login: string, ip: string): string {
  return `${login.toLowerCase()}\u0000${ip}`;
}
