import { OrdoError, type ErrorCode } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { SmsProvider } from './provider.js';

export interface TwilioProviderOptions {
  accountSid: string;
  authToken: string;
  /** A Twilio number or alphanumeric sender; or give `messagingServiceSid` instead. */
  from?: string;
  messagingServiceSid?: string;
  /** `https://api.twilio.com` unless a test or a regional edge says otherwise. */
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  logger: Logger;
}

/** Twilio's error body (REST API, 2010-04-01): `{ code, message, more_info, status }`. */
interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * Sends SMS through Twilio's Messages API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * a form body (To, From or MessagingServiceSid, Body), HTTP basic auth AccountSid:AuthToken; a
 * created message answers 201 with its `sid`.
 */
export function createTwilioProvider(options: TwilioProviderOptions): SmsProvider {
  if (!options.from && !options.messagingServiceSid) {
    throw new OrdoError('SMS_NOT_CONFIGURED', {
      message: 'Twilio needs a sender number or a messaging service',
    });
  }
  const logger = options.logger.child({ component: 'sms-twilio' });
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = `${(options.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;

  return {
    async send({ to, text }) {
      if (!E164.test(to)) throw new OrdoError('SMS_MOBILE_INVALID', { details: { mobile: to } });
      const body = new URLSearchParams({ To: to, Body: text });
      if (options.messagingServiceSid) body.set('MessagingServiceSid', options.messagingServiceSid);
      else if (options.from) body.set('From', options.from);

      const response = await post({
        doFetch,
        url,
        authorization,
        body,
        timeoutMs: options.timeoutMs,
      });
      const payload = await readJson(response);
      if (response.status === 201 || response.status === 200) {
        const providerMessageId = sidOf(payload, response.status);
        logger.info({ providerMessageId }, 'sms sent');
        return { providerMessageId };
      }
      const error = toTwilioError(response, payload);
      logger.warn({ code: error.code, remote: error.remote }, 'sms send failed');
      throw error;
    },
  };
}

async function post(input: {
  doFetch: typeof fetch;
  url: string;
  authorization: string;
  body: URLSearchParams;
  timeoutMs: number | undefined;
}): Promise<Response> {
  try {
    return await input.doFetch(input.url, {
      method: 'POST',
      headers: {
        authorization: input.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: input.body.toString(),
      signal: AbortSignal.timeout(input.timeoutMs ?? 15_000),
    });
  } catch (cause) {
    // TODO(Twilio idempotency for Messages): a timeout after Twilio accepted the request makes
    // the outbox's retry send a second SMS; the Messages API offers no idempotency key.
    throw new OrdoError('SMS_PROVIDER_TEMPORARY', {
      message: 'The SMS provider cannot be reached',
      details: { temporary: true },
      cause,
    });
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 500) };
  }
}

function sidOf(payload: unknown, status: number): string {
  const sid = (payload as { sid?: unknown } | null)?.sid;
  if (typeof sid === 'string' && sid !== '') return sid;
  // Twilio took the request; sending again could duplicate the SMS, so this is not temporary.
  throw new OrdoError('SMS_PROVIDER_REJECTED', {
    message: 'The SMS provider answered without a message id',
    remote: { status },
    details: { temporary: false },
  });
}

/** 429 and 5xx may pass later; 401/403 are the credentials; any other 4xx is the message. */
function toTwilioError(response: Response, payload: unknown): OrdoError {
  const body = (payload ?? {}) as TwilioErrorBody;
  const remote = {
    status: response.status,
    code: body.code ?? null,
    message: body.message ?? null,
    moreInfo: body.more_info ?? null,
    retryAfter: response.headers.get('retry-after'),
  };
  const [code, temporary] = classify(response.status);
  return new OrdoError(code, { remote, details: { temporary } });
}

function classify(status: number): [ErrorCode, boolean] {
  if (status === 429 || status >= 500) return ['SMS_PROVIDER_TEMPORARY', true];
  if (status === 401 || status === 403) return ['SMS_PROVIDER_AUTH', false];
  return ['SMS_PROVIDER_REJECTED', false];
}
