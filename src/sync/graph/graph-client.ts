/**
 * One strict client for Microsoft Graph: the bearer token, the Prefer headers every call needs,
 * retries of throttled and unavailable answers, a cap on requests in flight per mailbox, and
 * every failure turned into an OrdoError that carries Graph's own error code.
 *
 * Throttling (https://learn.microsoft.com/graph/throttling): 429 (and 503) come with
 * Retry-After, which is honoured; without it the wait grows exponentially. Outlook resources
 * allow 4 concurrent requests per app per mailbox
 * (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits).
 */
import type { Clock } from '../../shared/clock.js';
import { OrdoError, type ErrorCode } from '../../shared/errors.js';
import {
  retrying,
  retrySettings,
  type Outcome,
  type RetryOptions,
} from '../../shared/http-retry.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import { mailboxLimiter, type Limiter } from './limiter.js';

export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

/**
 * Asked on every request: times in UTC, ids that survive a move between folders
 * (https://learn.microsoft.com/graph/outlook-immutable-id), plain-text bodies
 * (https://learn.microsoft.com/graph/api/resources/event#properties: body content type).
 */
export const PREFER =
  'outlook.timezone="UTC", IdType="ImmutableId", outlook.body-content-type="text"';

export type GraphRetryOptions = RetryOptions;

export interface GraphClientOptions {
  baseUrl?: string;
  /** A valid access token; the caller refreshes it before it expires (see auth.ts). */
  getAccessToken: () => Promise<string>;
  /** The mailbox the requests go to: requests to one mailbox share one cap of 4 in flight. */
  mailbox?: string;
  /** Overrides the shared per-mailbox cap (tests). */
  limiter?: Limiter;
  fetch?: typeof fetch;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  retry?: GraphRetryOptions;
  logger?: Logger;
}

export interface GraphRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path below the base URL (`/me/events`) or a full URL (a nextLink). */
  path: string;
  body?: unknown;
  /** Sent as it is with its own Content-Type instead of `body` as JSON (MIME sendMail). */
  raw?: { contentType: string; text: string };
  headers?: Record<string, string>;
  /** Extra Prefer values for this request (`odata.maxpagesize=100`). */
  prefer?: string[];
  /**
   * Not safe to send twice (a create without transactionId): retried only after a 429, which
   * Graph answers before acting. A 503, a 504 or a lost connection may come after the service
   * acted, so the call fails at once and the caller looks before it tries again.
   */
  once?: boolean;
}

export interface GraphAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body; `null` for an empty one. */
  json: Record<string, unknown> | null;
  text: string;
  path: string;
}

export interface GraphClient {
  readonly baseUrl: string;
  /** Sends and retries; answers any status it does not retry (the caller knows its meaning). */
  send(request: GraphRequest): Promise<GraphAnswer>;
}

const RETRIED = new Set([429, 503, 504]);
const BODY_EXCERPT = 500;

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const baseUrl = (options.baseUrl ?? GRAPH_BASE_URL).replace(/\/+$/, '');
  const settings = {
    fetch: options.fetch ?? globalThis.fetch,
    ...retrySettings(options, {
      attempts: 5,
      baseDelayMs: 1_000,
      maxDelayMs: 60_000,
      maxRetryAfterMs: 300_000,
      timeoutMs: 60_000,
    }),
    logger: (options.logger ?? silentLogger()).child({ component: 'graph' }),
    limiter: options.limiter ?? mailboxLimiter(`${baseUrl} ${options.mailbox ?? 'me'}`),
  };

  async function send(request: GraphRequest): Promise<GraphAnswer> {
    const path = pathOf(urlOf(request.path));
    const answer = await retrying(() => settings.limiter.run(() => sendOnce(request)), {
      settings,
      logger: settings.logger,
      retriedMessage: 'graph request retried',
      judgeAnswer: ({ status }) => {
        if (!RETRIED.has(status)) return 'answer';
        return request.once === true && status !== 429 ? 'fail' : 'retry';
      },
      retriesError: () => !request.once,
      failUnavailable: unavailable,
      failUnreachable: (error, attempts) => unreachable(path, error, attempts),
      describeAnswer: (failed) => ({
        method: request.method,
        path: failed.path,
        status: failed.status,
      }),
      describeError: (error) => ({ method: request.method, path, error: String(error) }),
    });
    if (answer.status === 401) throw graphError('SYNC_REMOTE_AUTH', answer);
    return answer;
  }

  async function sendOnce(request: GraphRequest): Promise<Outcome<GraphAnswer>> {
    const url = urlOf(request.path);
    const started = settings.clock.now();
    try {
      const token = await options.getAccessToken();
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Prefer: [PREFER, ...(request.prefer ?? [])].join(', '),
        Accept: 'application/json',
        ...request.headers,
      };
      if (request.body !== undefined) headers['Content-Type'] = 'application/json';
      if (request.raw) headers['Content-Type'] = request.raw.contentType;
      const response = await settings.fetch(url, {
        method: request.method,
        headers,
        body: request.raw
          ? request.raw.text
          : request.body === undefined
            ? undefined
            : JSON.stringify(request.body),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      const text = await response.text();
      const path = pathOf(url);
      settings.logger.debug(
        {
          method: request.method,
          path,
          status: response.status,
          ms: settings.clock.now() - started,
        },
        'graph request',
      );
      return {
        kind: 'answer',
        answer: {
          status: response.status,
          headers: response.headers,
          json: parse(text),
          text,
          path,
        },
      };
    } catch (error) {
      if (error instanceof OrdoError) throw error;
      return { kind: 'error', error };
    }
  }

  function urlOf(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${baseUrl}${path}`;
  }

  return { baseUrl, send };
}

export { parseRetryAfter } from '../../shared/http-retry.js';

/** Graph's error code (`ErrorItemNotFound`, `syncStateNotFound`, ...) from an error body. */
export function graphErrorCode(answer: GraphAnswer): string | null {
  const error = answer.json?.['error'];
  if (!error || typeof error !== 'object') return null;
  const code = (error as Record<string, unknown>)['code'];
  return typeof code === 'string' ? code : null;
}

/** An OrdoError carrying what Graph answered: the path, the status, its error code and text. */
export function graphError(
  code: ErrorCode,
  answer: GraphAnswer,
  extra: { message?: string; details?: Record<string, unknown> } = {},
): OrdoError {
  return new OrdoError(code, {
    message: extra.message,
    details: extra.details,
    remote: {
      href: answer.path,
      status: answer.status,
      graphCode: graphErrorCode(answer),
      body: answer.text.slice(0, BODY_EXCERPT),
    },
  });
}

/** The error for a status the operation did not expect. */
export function unexpected(answer: GraphAnswer, details?: Record<string, unknown>): OrdoError {
  const code: ErrorCode =
    answer.status === 403
      ? 'SYNC_REMOTE_AUTH'
      : answer.status === 400 || answer.status === 422
        ? 'SYNC_REMOTE_REJECTED'
        : answer.status >= 500
          ? 'SYNC_REMOTE_UNAVAILABLE'
          : 'SYNC_REMOTE_PROTOCOL';
  return graphError(code, answer, { details });
}

function unavailable(answer: GraphAnswer, attempts: number): OrdoError {
  const code: ErrorCode = answer.status === 429 ? 'GRAPH_THROTTLED' : 'SYNC_REMOTE_UNAVAILABLE';
  return graphError(code, answer, {
    details: { attempts, retryAfter: answer.headers.get('retry-after') },
  });
}

function unreachable(path: string, error: unknown, attempts: number): OrdoError {
  return new OrdoError('SYNC_REMOTE_UNAVAILABLE', {
    details: { attempts },
    cause: error,
    remote: { href: path, status: null, body: String(error).slice(0, BODY_EXCERPT) },
  });
}

function parse(text: string): Record<string, unknown> | null {
  if (text.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The path and query without the host: no credentials ever sit there, tokens do not either. */
export function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname;
  } catch {
    return url;
  }
}
