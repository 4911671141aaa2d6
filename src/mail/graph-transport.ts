/**
 * "Microsoft 365" as the way task e-mails leave: Graph's sendMail
 * (https://learn.microsoft.com/graph/api/user-sendmail) instead of SMTP, for tenants where
 * SMTP AUTH is turned off. It takes the same nodemailer-style message the SMTP sender takes
 * (what composeTaskMessage returns) and fails with the same temporary/permanent split, so the
 * outbox can use either: `isTemporary` reads `details.temporary` on every error thrown here.
 *
 * Graph carries one body: the HTML part when there is one, else the text part. The invitation
 * goes as a file attachment of type `text/calendar; method=…`
 * (https://learn.microsoft.com/graph/api/resources/fileattachment).
 */
import type { SendMailOptions } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';

import { isOrdoError, OrdoError, type ErrorCode } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import {
  createGraphClient,
  graphErrorCode,
  type GraphAnswer,
  type GraphClientOptions,
  type GraphRequest,
} from '../sync/graph/graph-client.js';
import type { SmtpSendResult, SmtpVerifyResult } from './smtp-transport.js';

export { isTemporary } from './smtp-transport.js';

export interface GraphMailSenderOptions extends Omit<GraphClientOptions, 'mailbox' | 'logger'> {
  /** Setting graph.mailbox: the mailbox that sends; the signed-in user's own without it. */
  mailbox?: string;
  /** Keep a copy in the mailbox's Sent Items (Graph's default). */
  saveToSentItems?: boolean;
  logger: Logger;
}

export interface GraphMailSender {
  send(message: SendMailOptions): Promise<SmtpSendResult>;
  /**
   * Sends composed bytes as they are, in sendMail's MIME form (base64 in a text/plain body):
   * the outbox's stored message keeps its Message-ID and its text/calendar part, and Graph
   * takes the recipients from its To and Cc lines; `recipients` only fill the result.
   */
  sendMime(input: { raw: Buffer; recipients: string[] }): Promise<SmtpSendResult>;
  /**
   * The settings page's test: obtains a token as a send would (a lost consent fails here).
   * It sends nothing, so a mailbox the account may not send from is only found on a send.
   */
  verify(): Promise<SmtpVerifyResult>;
  close(): void;
}

type Recipient = { emailAddress: { address: string; name?: string } };

export function createGraphMailSender(options: GraphMailSenderOptions): GraphMailSender {
  const logger = options.logger.child({ component: 'graph-mail' });
  // The outbox retries later itself: one quick retry here is enough.
  const client = createGraphClient({
    ...options,
    mailbox: options.mailbox || 'me',
    retry: { attempts: 2, ...options.retry },
    logger: options.logger,
  });
  const path = options.mailbox
    ? `/users/${encodeURIComponent(options.mailbox)}/sendMail`
    : '/me/sendMail';

  async function post(request: Omit<GraphRequest, 'method' | 'path'>, recipients: string[]) {
    let answer: GraphAnswer;
    try {
      answer = await client.send({ method: 'POST', path, ...request });
    } catch (error) {
      throw logged(logger, fromClientError(error));
    }
    if (answer.status !== 202) throw logged(logger, fromAnswer(answer));
    const requestId = answer.headers.get('request-id') ?? '';
    logger.info({ requestId, recipients: recipients.length }, 'graph message sent');
    return {
      messageId: requestId,
      response: '202 Accepted',
      accepted: recipients,
      rejected: [],
    };
  }

  return {
    async send(message) {
      const body = {
        message: toGraphMessage(message),
        saveToSentItems: options.saveToSentItems ?? true,
      };
      const recipients = [
        ...body.message.toRecipients,
        ...(body.message.ccRecipients ?? []),
        ...(body.message.bccRecipients ?? []),
      ].map((r) => r.emailAddress.address);
      return post({ body }, recipients);
    },
    async sendMime({ raw, recipients }) {
      // https://learn.microsoft.com/graph/outlook-send-mime-message: the MIME form cannot say
      // saveToSentItems; the mailbox keeps its copy as by default.
      return post({ raw: { contentType: 'text/plain', text: raw.toString('base64') } }, [
        ...recipients,
      ]);
    },
    async verify() {
      try {
        await options.getAccessToken();
      } catch (error) {
        throw logged(logger, fromClientError(error));
      }
      return { response: 'token acquired', secure: true, authenticated: true };
    },
    close() {},
  };
}

/** The sendMail message JSON for nodemailer-style options. */
export function toGraphMessage(message: SendMailOptions) {
  const html = typeof message.html === 'string' ? message.html : null;
  const text = typeof message.text === 'string' ? message.text : '';
  const from = recipients(message.from)[0];
  const cc = recipients(message.cc);
  const bcc = recipients(message.bcc);
  const replyTo = recipients(message.replyTo);
  return {
    subject: typeof message.subject === 'string' ? message.subject : '',
    body:
      html !== null
        ? { contentType: 'HTML', content: html }
        : { contentType: 'Text', content: text },
    toRecipients: recipients(message.to),
    ...(cc.length > 0 ? { ccRecipients: cc } : {}),
    ...(bcc.length > 0 ? { bccRecipients: bcc } : {}),
    ...(replyTo.length > 0 ? { replyTo } : {}),
    ...(from ? { from } : {}),
    attachments: attachments(message),
  };
}

function attachments(message: SendMailOptions) {
  const list: Array<Record<string, unknown>> = [];
  const invitation = invitationOf(message.icalEvent);
  if (invitation) list.push(fileAttachment(invitation));
  for (const attachment of message.attachments ?? []) {
    if (attachment.content === undefined || attachment.content === null) continue;
    if (typeof attachment.content !== 'string' && !Buffer.isBuffer(attachment.content)) continue;
    list.push(
      fileAttachment({
        name: attachment.filename ? String(attachment.filename) : 'attachment',
        contentType: attachment.contentType ?? 'application/octet-stream',
        content: attachment.content,
      }),
    );
  }
  return list;
}

/** nodemailer's icalEvent: the text itself, or `{ method, filename, content }`. */
function invitationOf(
  value: SendMailOptions['icalEvent'],
): { name: string; contentType: string; content: string | Buffer } | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    return { name: 'invite.ics', contentType: calendarType('REQUEST'), content: value };
  }
  if (!('content' in value) && !('method' in value)) return null;
  const event = value as { method?: string; filename?: string | false; content?: unknown };
  if (typeof event.content !== 'string' && !Buffer.isBuffer(event.content)) return null;
  return {
    name: event.filename || 'invite.ics',
    contentType: calendarType(event.method ?? 'REQUEST'),
    content: event.content,
  };
}

/** The invitation's type carries the method of its VCALENDAR (RFC 6047 §2.4). */
function calendarType(method: string): string {
  return `text/calendar; charset=utf-8; method=${method.toUpperCase()}`;
}

function fileAttachment(input: { name: string; contentType: string; content: string | Buffer }) {
  const bytes =
    typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : input.content;
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: input.name,
    contentType: input.contentType,
    contentBytes: bytes.toString('base64'),
  };
}

type AddressInput = SendMailOptions['to'] | SendMailOptions['from'];

function recipients(value: AddressInput): Recipient[] {
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  const out: Recipient[] = [];
  for (const entry of values) {
    if (typeof entry === 'string') {
      for (const parsed of addressparser(entry, { flatten: true })) {
        if (parsed.address) out.push(recipient(parsed.address, parsed.name));
      }
    } else if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
      const { address, name } = entry as { address?: unknown; name?: unknown };
      if (typeof address === 'string') {
        out.push(recipient(address, typeof name === 'string' ? name : undefined));
      }
    }
  }
  return out;
}

function recipient(address: string, name: string | undefined): Recipient {
  return { emailAddress: { address, ...(name ? { name } : {}) } };
}

/** Graph's answer, classified: 4xx is permanent except 408/429; 5xx is temporary. */
function fromAnswer(answer: GraphAnswer): OrdoError {
  const graphCode = graphErrorCode(answer);
  const said = graphErrorMessage(answer);
  const remote = {
    status: answer.status,
    graphCode,
    // What the message log shows: Graph's own code and sentence.
    message: graphCode ? `${graphCode}: ${said}` : said,
    body: answer.text.slice(0, 500),
  };
  let code: ErrorCode = 'GRAPH_MAIL_REJECTED';
  let temporary = false;
  if (answer.status === 403) code = 'GRAPH_AUTH';
  else if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
    code = 'GRAPH_UNAVAILABLE';
    temporary = true;
  } else if (graphCode === 'ErrorInvalidRecipients') code = 'MAIL_ADDRESS_INVALID';
  return new OrdoError(code, { remote, details: { temporary } });
}

function graphErrorMessage(answer: GraphAnswer): string {
  const error = answer.json?.['error'];
  const message = error && typeof error === 'object' ? (error as Json)['message'] : null;
  return typeof message === 'string' ? message : answer.text.slice(0, 200);
}

type Json = Record<string, unknown>;

/** What the Graph client threw (retries spent, refused token, lost consent), classified. */
function fromClientError(error: unknown): OrdoError {
  if (!isOrdoError(error)) {
    return new OrdoError('GRAPH_UNAVAILABLE', { details: { temporary: true }, cause: error });
  }
  const flagged = error.details?.['temporary'];
  const temporary =
    typeof flagged === 'boolean'
      ? flagged
      : ['GRAPH_THROTTLED', 'SYNC_REMOTE_UNAVAILABLE', 'GRAPH_UNAVAILABLE'].includes(error.code);
  const code: ErrorCode =
    error.code === 'SYNC_RECONNECT'
      ? 'SYNC_RECONNECT'
      : error.code === 'SYNC_REMOTE_AUTH' || error.code === 'GRAPH_AUTH'
        ? 'GRAPH_AUTH'
        : temporary
          ? 'GRAPH_UNAVAILABLE'
          : 'GRAPH_MAIL_REJECTED';
  return new OrdoError(code, {
    remote: error.remote,
    details: { ...error.details, temporary },
    cause: error,
  });
}

function logged(logger: Logger, error: OrdoError): OrdoError {
  logger.warn(
    { code: error.code, remote: error.remote, temporary: error.details?.['temporary'] },
    'graph send failed',
  );
  return error;
}
