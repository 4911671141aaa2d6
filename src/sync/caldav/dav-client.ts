/**
 * A strict HTTP client for DAV: one place that sends a request, retries what is worth
 * retrying (5xx, 408, 429, timeouts, connection errors) with bounded exponential backoff,
 * and turns a refused login into `SYNC_REMOTE_AUTH`. Every other status goes back to the
 * caller, which knows what it means for its operation. Credentials are only ever put in
 * the Authorization header, never in a log line or an error.
 */
import type { Clock } from '../../shared/clock.js';
import { isOrdoError, OrdoError, type ErrorCode } from '../../shared/errors.js';
import {
  retrying,
  retrySettings,
  type Outcome,
  type RetryOptions,
} from '../../shared/http-retry.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';

export type { RetryOptions };

export interface DavClientOptions {
  fetch?: typeof fetch;
  username?: string;
  password?: string;
  retry?: RetryOptions;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

export interface DavRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Statuses the caller wants back instead of retried. Xandikos answers an unknown
   * sync-token with 500, so the sync-collection REPORT takes its 500 back and falls back
   * to a full listing.
   */
  noRetry?: readonly number[];
  /** Gives up the request (and its retries) once aborted. */
  signal?: AbortSignal;
}

export interface DavAnswer {
  status: number;
  headers: Headers;
  body: string;
  url: string;
}

export interface DavClient {
  send(request: DavRequest): Promise<DavAnswer>;
}

interface RemoteFailure {
  href: string;
  status: number | null;
  body?: string;
  message?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

const RETRIED = new Set([408, 429, 500, 502, 503, 504]);
const BODY_EXCERPT = 500;

/** An OrdoError carrying what the server answered, as every provider error must. */
export function remoteError(code: ErrorCode, failure: RemoteFailure): OrdoError {
  return new OrdoError(code, {
    message: failure.message,
    details: failure.details,
    cause: failure.cause,
    remote: {
      href: failure.href,
      status: failure.status,
      body: (failure.body ?? '').slice(0, BODY_EXCERPT),
    },
  });
}

export function createDavClient(options: DavClientOptions): DavClient {
  const settings = {
    fetch: options.fetch ?? globalThis.fetch,
    ...retrySettings(options, {
      attempts: 4,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      maxRetryAfterMs: 120_000,
      timeoutMs: 60_000,
    }),
    logger: (options.logger ?? silentLogger()).child({ component: 'caldav' }),
    authorization: basicAuthorization(options.username, options.password),
  };

  async function send(request: DavRequest): Promise<DavAnswer> {
    const answer = await retrying((attempt) => sendOnce(request, attempt), {
      settings,
      logger: settings.logger,
      retriedMessage: 'dav request retried',
      judgeAnswer: ({ status }) =>
        !RETRIED.has(status) || request.noRetry?.includes(status) ? 'answer' : 'retry',
      // A name the resolver says does not exist is tried again too: a resolver that lost its
      // network answers so for every name.
      retriesError: (error) => refusalOf(error) === null && !request.signal?.aborted,
      signal: request.signal,
      failUnavailable: (failed, attempts) => failUnavailable(request, failed, attempts),
      failUnreachable: (error, attempts) =>
        refusalOf(error) ?? failUnreachable(request, error, attempts),
      describeAnswer: ({ status }) => ({
        method: request.method,
        path: pathOf(request.url),
        status,
      }),
      describeError: (error) => ({
        method: request.method,
        path: pathOf(request.url),
        error: errorText(error),
      }),
    });
    if (answer.status === 401) throw failAuth(request, answer);
    return answer;
  }

  async function sendOnce(request: DavRequest, attempt: number): Promise<Outcome<DavAnswer>> {
    const started = settings.clock.now();
    const headers: Record<string, string> = { ...request.headers };
    if (settings.authorization) headers.Authorization = settings.authorization;
    try {
      const response = await settings.fetch(request.url, {
        method: request.method,
        headers,
        body: request.body,
        signal: request.signal
          ? AbortSignal.any([request.signal, AbortSignal.timeout(settings.timeoutMs)])
          : AbortSignal.timeout(settings.timeoutMs),
      });
      const body = await response.text();
      settings.logger.debug(
        {
          method: request.method,
          path: pathOf(request.url),
          status: response.status,
          attempt,
          ms: settings.clock.now() - started,
        },
        'dav request',
      );
      const url = response.url || request.url;
      return {
        kind: 'answer',
        answer: { status: response.status, headers: response.headers, body, url },
      };
    } catch (error) {
      return { kind: 'error', error };
    }
  }

  return { send };
}

/**
 * A refusal of the guarded fetch (an address it does not fetch, an answer over its size limit)
 * found in a failed fetch or body read: asking again gets the same refusal, so it is not
 * retried and goes to the caller as it is, with its code.
 */
function refusalOf(error: unknown): OrdoError | null {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (isOrdoError(current, 'SYNC_ADDRESS_REFUSED')) return current;
    if (isOrdoError(current, 'SYNC_REMOTE_PROTOCOL') && current.details?.reason === 'too-large') {
      return current;
    }
    current = current instanceof Error ? current.cause : null;
  }
  return null;
}

function basicAuthorization(username?: string, password?: string): string | null {
  if (username === undefined) return null;
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
}

function failAuth(request: DavRequest, answer: DavAnswer): OrdoError {
  return remoteError('SYNC_REMOTE_AUTH', {
    href: pathOf(request.url),
    status: answer.status,
    body: answer.body,
  });
}

function failUnavailable(request: DavRequest, answer: DavAnswer, attempts: number): OrdoError {
  return remoteError('SYNC_REMOTE_UNAVAILABLE', {
    href: pathOf(request.url),
    status: answer.status,
    body: answer.body,
    details: { attempts, retryAfter: answer.headers.get('retry-after') },
  });
}

function failUnreachable(request: DavRequest, error: unknown, attempts: number): OrdoError {
  // A name the resolver could not find says so, rather than "unavailable" alone.
  const dns = dnsFailureOf(error);
  return remoteError('SYNC_REMOTE_UNAVAILABLE', {
    href: pathOf(request.url),
    status: null,
    body: errorText(error),
    message: dns?.message,
    details: { ...dns?.details, attempts },
    cause: error,
  });
}

/** The guarded fetch's DNS failure behind `error` (`details.reason` is `dns`), if it is one. */
function dnsFailureOf(error: unknown): OrdoError | null {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (isOrdoError(current, 'SYNC_REMOTE_UNAVAILABLE') && current.details?.reason === 'dns') {
      return current;
    }
    current = current instanceof Error ? current.cause : null;
  }
  return null;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.name}: ${error.message}${cause}`;
}

/** The path only: URLs may carry credentials (`https://user:pass@host/`), paths do not. */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
