import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { NodemailerError } from 'nodemailer/lib/errors';
import { isOrdoError, OrdoError, type ErrorCode } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export type SmtpSecurity = 'none' | 'starttls' | 'tls';

export interface SmtpSenderOptions {
  host: string;
  port: number;
  /**
   * `none`: plain SMTP, STARTTLS never tried; `starttls`: upgrade required; `tls`: TLS from the
   * start.
   */
  security: SmtpSecurity;
  user?: string;
  password?: string;
  /** Keep connections open between messages (several messages in a burst). */
  pool?: boolean;
  /** With `pool`: how many connections at most (nodemailer's default is 5). */
  maxConnections?: number;
  /** The name said in EHLO; nodemailer uses the machine's host name without it. */
  clientName?: string;
  timeouts?: { connectMs?: number; greetingMs?: number; socketMs?: number };
  logger: Logger;
}

export interface SmtpSendResult {
  messageId: string;
  /** The server's final reply, for example `250 2.0.0 Ok: queued as 4F1B`. */
  response: string;
  accepted: string[];
  rejected: string[];
}

export interface SmtpVerifyResult {
  /** The server's last answer: after the login when there is one, else to EHLO. */
  response: string;
  secure: boolean;
  authenticated: boolean;
}

export interface SmtpSender {
  send(message: SendMailOptions): Promise<SmtpSendResult>;
  /** Connects, upgrades and logs in as a send would, then quits: the settings page's test. */
  verify(): Promise<SmtpVerifyResult>;
  close(): void;
}

/** Sends mail through one SMTP server; every failure comes out as an OrdoError. */
export function createSmtpSender(options: SmtpSenderOptions): SmtpSender {
  const logger = options.logger.child({ component: 'smtp' });
  const transporter = nodemailer.createTransport({
    ...connectionOptions(options),
    pool: options.pool ?? false,
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
  });

  return {
    async send(message) {
      try {
        const info = await transporter.sendMail(message);
        logger.info({ messageId: info.messageId, response: info.response }, 'smtp message sent');
        return {
          messageId: info.messageId,
          response: info.response,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
        };
      } catch (error) {
        throw logged(logger, toSmtpError(error));
      }
    },
    async verify() {
      try {
        return await verifyConnection(options);
      } catch (error) {
        throw logged(logger, toSmtpError(error));
      }
    },
    close() {
      closeTransporter(transporter);
    },
  };
}

/**
 * True when sending again later may succeed: the outbox retries these and gives up on the rest.
 * SMTP 4yz replies are transient, 5yz permanent (RFC 5321 4.2.1); a server that cannot be
 * reached may come back.
 */
export function isTemporary(error: unknown): boolean {
  if (!isOrdoError(error)) return false;
  const flag = error.details?.['temporary'];
  if (typeof flag === 'boolean') return flag;
  return TEMPORARY_CODES.has(error.code);
}

const TEMPORARY_CODES = new Set<ErrorCode>([
  'MAIL_SMTP_TEMPORARY',
  'MAIL_SMTP_CONNECT',
  'SMS_PROVIDER_TEMPORARY',
]);

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROXY']);

/** Maps what nodemailer throws to Ordo's codes, keeping the server's reply and the command. */
export function toSmtpError(error: unknown): OrdoError {
  if (isOrdoError(error)) return error;
  const failure = (error ?? {}) as NodemailerError;
  const remote = {
    responseCode: failure.responseCode ?? null,
    response: failure.response ?? null,
    command: failure.command ?? null,
    errorCode: failure.code ?? null,
    ...(failure.rejected ? { rejected: failure.rejected } : {}),
  };
  const [code, temporary] = classify(failure);
  return new OrdoError(code, { remote, details: { temporary }, cause: error });
}

function classify(failure: NodemailerError): [ErrorCode, boolean] {
  const reply = failure.responseCode;
  const isAuth = failure.code === 'EAUTH' || failure.code === 'ENOAUTH';
  if (reply !== undefined && reply >= 400) {
    // nodemailer sets `permanent` from the reply class, with 503 (bad sequence) as transient.
    const permanent = failure.permanent ?? reply >= 500;
    if (!permanent) return ['MAIL_SMTP_TEMPORARY', true];
    return isAuth || reply === 535 ? ['MAIL_SMTP_AUTH', false] : ['MAIL_SMTP_REJECTED', false];
  }
  if (isAuth) return ['MAIL_SMTP_AUTH', false];
  if (NETWORK_CODES.has(failure.code ?? '')) return ['MAIL_SMTP_CONNECT', true];
  // A failed TLS handshake or certificate is a setting to fix, not a reason to retry.
  if (failure.code === 'ETLS' || failure.code === 'EREQUIRETLS')
    return ['MAIL_SMTP_CONNECT', false];
  if (failure.code === 'EENVELOPE') return ['MAIL_ADDRESS_INVALID', false];
  return ['MAIL_SMTP_REJECTED', false];
}

// TODO(settings offer a private CA): `starttls` and `tls` verify the certificate against the
// system CAs only, and no test covers them against a TLS server here.
function connectionOptions(options: SmtpSenderOptions) {
  const auth =
    options.user !== undefined && options.user !== ''
      ? { user: options.user, pass: options.password ?? '' }
      : undefined;
  return {
    host: options.host,
    port: options.port,
    secure: options.security === 'tls',
    requireTLS: options.security === 'starttls',
    ignoreTLS: options.security === 'none',
    // nodemailer skips the login when the server does not offer AUTH and sends anonymously;
    // with credentials set, a server that stopped offering AUTH must fail, not relay silently.
    ...(auth ? { auth, forceAuth: true } : {}),
    ...(options.clientName ? { name: options.clientName } : {}),
    connectionTimeout: options.timeouts?.connectMs ?? 10_000,
    greetingTimeout: options.timeouts?.greetingMs ?? 10_000,
    socketTimeout: options.timeouts?.socketMs ?? 60_000,
    // nodemailer's own logger would print the AUTH exchange; ours logs fixed messages only.
    logger: false,
    debug: false,
  };
}

function verifyConnection(options: SmtpSenderOptions): Promise<SmtpVerifyResult> {
  const {
    auth,
    forceAuth: _forceAuth,
    ...settings
  } = connectionOptions(options) as ReturnType<typeof connectionOptions> & {
    auth?: { user: string; pass: string };
    forceAuth?: boolean;
  };
  const connection = new SMTPConnection(settings);

  return new Promise<SmtpVerifyResult>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      connection.close();
      reject(error);
    };
    const succeed = () => {
      if (settled) return;
      settled = true;
      const response = String(connection.lastServerResponse || '');
      resolve({ response, secure: connection.secure, authenticated: connection.authenticated });
      connection.quit();
    };
    connection.once('error', fail);
    connection.connect(() => {
      if (!auth) return succeed();
      connection.login(auth, (error) => (error ? fail(error) : succeed()));
    });
  });
}

function closeTransporter(transporter: Transporter): void {
  transporter.close();
}

function logged(logger: Logger, error: OrdoError): OrdoError {
  logger.warn(
    { code: error.code, remote: error.remote, temporary: isTemporary(error) },
    'smtp send failed',
  );
  return error;
}
