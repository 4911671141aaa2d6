import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio's Messages API, for tests (node:http on a free port). It answers
 * as Twilio's documentation describes, for what Ordo uses:
 * - only `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`; other paths 404, code 20404;
 * - HTTP basic auth AccountSid:AuthToken, and the path's AccountSid must be the user's;
 *   otherwise 401, code 20003 "Authenticate", with a WWW-Authenticate header;
 * - a form body: `To` required (21604), in E.164 (21211 "The 'To' number … is not a valid phone
 *   number."); `From` or `MessagingServiceSid` required (21603); `Body` required (21602) and at
 *   most 1,600 characters (21617);
 * - success: 201 with the Message resource as JSON (`sid` "SM" + 32 hex digits, `status`
 *   "queued", or "accepted" through a messaging service, `direction` "outbound-api", ...);
 * - every error: `{ code, message, more_info, status }` with the HTTP status.
 * Not implemented: media, scheduling, status callbacks, the XML and CSV formats, E.164 number
 * validity beyond its shape, segment counting (num_segments is always "1").
 */
export interface TwilioStandIn {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Every accepted message, as the form fields Twilio received. */
  messages: Record<string, string>[];
  /** Errors to answer the next requests with, in order, before any checks. */
  failNext: { status: number; code: number; message: string; retryAfter?: string }[];
  stop(): Promise<void>;
}

export async function startTwilioStandIn(): Promise<TwilioStandIn> {
  const state: TwilioStandIn = {
    baseUrl: '',
    accountSid: `AC${randomBytes(16).toString('hex')}`,
    authToken: randomBytes(16).toString('hex'),
    messages: [],
    failNext: [],
    stop: () => Promise.resolve(),
  };
  const server = createServer((request, response) => {
    void handle(state, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

async function handle(state: TwilioStandIn, request: IncomingMessage, response: ServerResponse) {
  const body = await readBody(request);
  const forced = state.failNext.shift();
  if (forced) {
    if (forced.retryAfter) response.setHeader('retry-after', forced.retryAfter);
    return sendError(response, forced.status, forced.code, forced.message);
  }

  const path = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(request.url ?? '');
  if (request.method !== 'POST' || !path) {
    return sendError(response, 404, 20404, `The requested resource ${request.url} was not found`);
  }
  if (!isAuthorized(state, request, decodeURIComponent(path[1] ?? ''))) {
    response.setHeader('www-authenticate', 'Basic realm="Twilio API"');
    return sendError(response, 401, 20003, 'Authenticate');
  }
  const fields = Object.fromEntries(new URLSearchParams(body));
  const invalid = validate(fields);
  if (invalid) return sendError(response, 400, invalid.code, invalid.message);

  state.messages.push(fields);
  sendJson(response, 201, messageResource(state.accountSid, fields));
}

function validate(fields: Record<string, string>): { code: number; message: string } | null {
  const to = fields['To'];
  if (!to) return { code: 21604, message: "A 'To' phone number is required." };
  if (!/^\+[1-9]\d{1,14}$/.test(to)) {
    return { code: 21211, message: `The 'To' number ${to} is not a valid phone number.` };
  }
  if (!fields['From'] && !fields['MessagingServiceSid']) {
    return { code: 21603, message: "A 'From' phone number is required." };
  }
  const messageBody = fields['Body'];
  if (!messageBody) return { code: 21602, message: 'Message body is required.' };
  if (messageBody.length > 1600) {
    return {
      code: 21617,
      message: 'The concatenated message body exceeds the 1600 character limit.',
    };
  }
  return null;
}

function isAuthorized(state: TwilioStandIn, request: IncomingMessage, pathSid: string): boolean {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  return user === state.accountSid && rest.join(':') === state.authToken && pathSid === user;
}

function messageResource(accountSid: string, fields: Record<string, string>) {
  const sid = `SM${randomBytes(16).toString('hex')}`;
  const now = new Date().toUTCString().replace('GMT', '+0000');
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`;
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: fields['Body'],
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: fields['From'] ?? null,
    messaging_service_sid: fields['MessagingServiceSid'] ?? null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid,
    status: fields['MessagingServiceSid'] ? 'accepted' : 'queued',
    subresource_uris: { media: uri.replace('.json', '/Media.json') },
    to: fields['To'],
    uri,
  };
}

function sendError(response: ServerResponse, status: number, code: number, message: string) {
  sendJson(response, status, {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
}

function sendJson(response: ServerResponse, status: number, payload: unknown) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(payload));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
