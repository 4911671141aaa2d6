/**
 * Retrying an HTTP request: bounded exponential backoff, Retry-After honoured up to a cap,
 * a fixed number of tries. The clients that use it decide which answers and errors are
 * worth another try and what error a final failure becomes.
 */
import { setTimeout as delay } from 'node:timers/promises';

import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Logger } from './logger.js';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails at once. */
  maxRetryAfterMs?: number;
  /** Per request, including reading the body. */
  timeoutMs?: number;
}

export interface RetrySettings extends Required<RetryOptions> {
  clock: Clock;
  /** Waits `ms`; the default one ends early (rejecting) once `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The settings of one client: its options over its own defaults, at least one try. */
export function retrySettings(
  options: { retry?: RetryOptions; clock?: Clock; sleep?: (ms: number) => Promise<void> },
  defaults: Required<RetryOptions>,
): RetrySettings {
  const retry = options.retry ?? {};
  return {
    attempts: Math.max(1, retry.attempts ?? defaults.attempts),
    baseDelayMs: retry.baseDelayMs ?? defaults.baseDelayMs,
    maxDelayMs: retry.maxDelayMs ?? defaults.maxDelayMs,
    maxRetryAfterMs: retry.maxRetryAfterMs ?? defaults.maxRetryAfterMs,
    timeoutMs: retry.timeoutMs ?? defaults.timeoutMs,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
  };
}

/** RFC 9110 §10.2.3: either delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The wait before try `attempt + 1`: doubling from the base delay, capped. */
export function backoffDelay(
  settings: Pick<RetrySettings, 'baseDelayMs' | 'maxDelayMs'>,
  attempt: number,
): number {
  return Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
}

/** The wait after an answer; `null` when the server asks for longer than we accept. */
export function answerDelay(
  settings: RetrySettings,
  retryAfter: string | null,
  attempt: number,
): number | null {
  const asked = parseRetryAfter(retryAfter, settings.clock.now());
  if (asked === null) return backoffDelay(settings, attempt);
  return asked > settings.maxRetryAfterMs ? null : asked;
}

/** What one try gave: an answer (any status) or an error (no answer at all). */
export type Outcome<A> = { kind: 'answer'; answer: A } | { kind: 'error'; error: unknown };

/**
 * What an answer means for the loop: given back to the caller, tried again (while tries and
 * Retry-After allow), or failed at once as unavailable.
 */
export type AnswerVerdict = 'answer' | 'retry' | 'fail';

export interface RetryPolicy<A extends { headers: Headers }> {
  settings: RetrySettings;
  logger: Logger;
  /** The fixed message of the warning logged before each new try. */
  retriedMessage: string;
  judgeAnswer(answer: A): AnswerVerdict;
  /** Whether an error is worth another try; when not, `failUnreachable` fails at once. */
  retriesError(error: unknown): boolean;
  failUnavailable(answer: A, attempts: number): Error;
  failUnreachable(error: unknown, attempts: number): Error;
  /** Log fields naming the request and what came back, for the retry warning. */
  describeAnswer(answer: A): Record<string, unknown>;
  describeError(error: unknown): Record<string, unknown>;
  /** Once aborted, no other try is made and a wait ends: the loop fails as unreachable. */
  signal?: AbortSignal;
}

/** Sends until an answer is given back or the policy fails; `send` gets the try's number. */
export async function retrying<A extends { headers: Headers }>(
  send: (attempt: number) => Promise<Outcome<A>>,
  policy: RetryPolicy<A>,
): Promise<A> {
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await send(attempt);
    const last = attempt >= policy.settings.attempts;
    if (outcome.kind === 'answer') {
      const answer = outcome.answer;
      const verdict = policy.judgeAnswer(answer);
      if (verdict === 'answer') return answer;
      const wait = answerDelay(policy.settings, answer.headers.get('retry-after'), attempt);
      if (verdict === 'fail' || last || wait === null) {
        throw policy.failUnavailable(answer, attempt);
      }
      policy.logger.warn(
        { ...policy.describeAnswer(answer), attempt, waitMs: wait },
        policy.retriedMessage,
      );
      await pause(policy, wait, attempt);
    } else {
      const error = outcome.error;
      if (last || !policy.retriesError(error)) throw policy.failUnreachable(error, attempt);
      const wait = backoffDelay(policy.settings, attempt);
      policy.logger.warn(
        { ...policy.describeError(error), attempt, waitMs: wait },
        policy.retriedMessage,
      );
      await pause(policy, wait, attempt);
    }
  }
}

/** Waits before the next try, unless the policy's signal aborts (then the loop fails). */
async function pause<A extends { headers: Headers }>(
  policy: RetryPolicy<A>,
  ms: number,
  attempt: number,
): Promise<void> {
  const { signal } = policy;
  try {
    await policy.settings.sleep(ms, signal);
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
  if (signal?.aborted) throw policy.failUnreachable(signal.reason, attempt);
}
