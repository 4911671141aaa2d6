import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import {
  answerDelay,
  backoffDelay,
  parseRetryAfter,
  retrying,
  retrySettings,
  type Outcome,
  type RetryPolicy,
} from './http-retry.js';
import { silentLogger } from './logger.js';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP-date against the given time, never below zero', () => {
    expect(parseRetryAfter(new Date(NOW + 3000).toUTCString(), NOW)).toBe(3000);
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it('gives null for nothing or garbage', () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
  });
});

describe('backoff', () => {
  const settings = retrySettings(
    { clock: new ManualClock(NOW) },
    { attempts: 4, baseDelayMs: 500, maxDelayMs: 3_000, maxRetryAfterMs: 10_000, timeoutMs: 1 },
  );

  it('doubles from the base delay up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(settings, attempt))).toEqual([
      500, 1000, 2000, 3000, 3000,
    ]);
  });

  it('takes Retry-After (seconds or date, via the clock) up to its own cap', () => {
    expect(answerDelay(settings, null, 2)).toBe(1000);
    expect(answerDelay(settings, '4', 1)).toBe(4000);
    expect(answerDelay(settings, new Date(NOW + 8000).toUTCString(), 1)).toBe(8000);
    expect(answerDelay(settings, '11', 1)).toBeNull();
  });
});

describe('retrying', () => {
  type Answer = { status: number; headers: Headers };

  function policy(waits: number[]): RetryPolicy<Answer> {
    return {
      settings: {
        ...retrySettings(
          { clock: new ManualClock(NOW), sleep: async (ms) => void waits.push(ms) },
          { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000, timeoutMs: 1 },
        ),
      },
      logger: silentLogger(),
      retriedMessage: 'test request retried',
      judgeAnswer: ({ status }) => (status === 503 ? 'retry' : status === 504 ? 'fail' : 'answer'),
      retriesError: (error) => error !== 'fatal',
      failUnavailable: (answer, attempts) => new Error(`unavailable ${answer.status} ${attempts}`),
      failUnreachable: (error, attempts) => new Error(`unreachable ${String(error)} ${attempts}`),
      describeAnswer: ({ status }) => ({ status }),
      describeError: (error) => ({ error: String(error) }),
    };
  }

  function script(...outcomes: Outcome<Answer>[]): (attempt: number) => Promise<Outcome<Answer>> {
    return async (attempt) => outcomes[attempt - 1]!;
  }

  const answer = (status: number, retryAfter?: string): Outcome<Answer> => ({
    kind: 'answer',
    answer: { status, headers: new Headers(retryAfter ? { 'retry-after': retryAfter } : {}) },
  });

  it('retries until an answer is given back, honouring Retry-After', async () => {
    const waits: number[] = [];
    const got = await retrying(
      script(answer(503, '2'), { kind: 'error', error: 'reset' }, answer(200)),
      policy(waits),
    );

    expect(got.status).toBe(200);
    expect(waits).toEqual([2000, 200]);
  });

  it('fails after the last try, or at once when the policy says so', async () => {
    await expect(
      retrying(script(answer(503), answer(503), answer(503)), policy([])),
    ).rejects.toThrow('unavailable 503 3');
    await expect(retrying(script(answer(504)), policy([]))).rejects.toThrow('unavailable 504 1');
    await expect(retrying(script(answer(503, '60')), policy([]))).rejects.toThrow(
      'unavailable 503 1',
    );
    await expect(retrying(script({ kind: 'error', error: 'fatal' }), policy([]))).rejects.toThrow(
      'unreachable fatal 1',
    );
  });

  it('stops waiting and trying once its signal aborts', async () => {
    const aborted = new AbortController();
    const settings = retrySettings(
      { clock: new ManualClock(NOW) },
      { attempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000, maxRetryAfterMs: 1, timeoutMs: 1 },
    );
    let tries = 0;
    const started = Date.now();
    const failing = retrying(
      async () => {
        tries += 1;
        return { kind: 'error', error: 'reset' };
      },
      { ...policy([]), settings, signal: aborted.signal },
    );
    setTimeout(() => aborted.abort(new Error('called off')), 20);
    await expect(failing).rejects.toThrow('unreachable Error: called off 1');
    expect(tries).toBe(1);
    // The one-minute wait ended with the abort: no timer keeps the process waiting.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
