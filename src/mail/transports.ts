/**
 * The senders the outbox uses, built from the Messaging settings. The worker asks for them
 * before each pass: while the settings stay the same the pooled SMTP connections (or the
 * Graph sender and its cached token) are kept, and a change (another host, a new password, a
 * new client secret) closes them and opens new ones.
 */
import type { INetworkModule } from '@azure/msal-node';
import type { SendMailOptions } from 'nodemailer';

import type { Settings } from '../settings/settings.js';
import type { Logger } from '../shared/logger.js';
import { OrdoError } from '../shared/errors.js';
import type { SmsProvider } from '../sms/provider.js';
import { createTwilioProvider } from '../sms/twilio.js';
import { createGraphAppToken } from './graph-app-token.js';
import { createGraphMailSender } from './graph-transport.js';
import {
  createSmtpSender,
  type SmtpSendResult,
  type SmtpSender,
  type SmtpSenderOptions,
  type SmtpVerifyResult,
} from './smtp-transport.js';

/** The way e-mails leave, whichever the transport: SMTP or Microsoft 365. */
export interface MailSender {
  readonly transport: 'smtp' | 'graph';
  /** The outbox's stored bytes, sent as they are: every attempt repeats the same Message-ID. */
  sendRaw(input: {
    envelope: { from: string; to: string[] };
    raw: Buffer;
  }): Promise<SmtpSendResult>;
  /** A message composed now (the settings page's test e-mail). */
  send(message: SendMailOptions): Promise<SmtpSendResult>;
  verify(): Promise<SmtpVerifyResult>;
  close(): void;
}

export interface Transports {
  /** The sender of setting mail.transport; throws MAIL_NOT_CONFIGURED when it is not set up. */
  mail(): MailSender;
  /** Throws SMS_NOT_CONFIGURED when no provider account is set. */
  sms(): SmsProvider;
}

export interface TransportSource {
  current(): Promise<Transports>;
  close(): void;
}

/** How Microsoft Graph and the identity platform are reached; the defaults are the public ones. */
export interface GraphNetwork {
  /** Overrides setting graph.baseUrl (tests point it at a local stand-in). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** MSAL's network module (tests map the https authority onto a local stand-in). */
  networkClient?: INetworkModule;
}

export interface TransportSourceOptions {
  settings: Settings;
  logger: Logger;
  /** Pooled connections, for a worker that sends bursts. */
  pool?: boolean;
  maxConnections?: number;
  fetch?: typeof fetch;
  /** Read each time a Graph sender is made. */
  graph?: () => GraphNetwork;
}

export type SmtpSettings = Pick<
  SmtpSenderOptions,
  'host' | 'port' | 'security' | 'user' | 'password'
>;

export interface GraphSendSettings {
  clientId: string;
  clientSecret: string;
  tenant: string;
  authorityHost: string;
  /** Graph's base URL, `https://graph.microsoft.com/v1.0` outside national clouds. */
  baseUrl: string;
  mailbox: string;
}

export type MailSettings =
  { transport: 'smtp'; smtp: SmtpSettings } | { transport: 'graph'; graph: GraphSendSettings };

/** The settings of the chosen transport, or MAIL_NOT_CONFIGURED naming what is missing. */
export async function readMailSettings(settings: Settings): Promise<MailSettings> {
  if ((await settings.get('mail.transport')) === 'graph') {
    return { transport: 'graph', graph: await readGraphSendSettings(settings) };
  }
  return { transport: 'smtp', smtp: await readSmtpSettings(settings) };
}

/** Tenants that name no organization: an application token needs one (client credentials). */
const SHARED_TENANTS = new Set(['', 'common', 'organizations', 'consumers']);

/** Microsoft 365 sending: the application, its secret, its tenant and the sending mailbox. */
export async function readGraphSendSettings(settings: Settings): Promise<GraphSendSettings> {
  const config = {
    clientId: (await settings.get('graph.clientId')).trim(),
    clientSecret: await settings.get('graph.clientSecret'),
    tenant: (await settings.get('graph.tenant')).trim(),
    authorityHost: await settings.get('graph.authorityHost'),
    baseUrl: await settings.get('graph.baseUrl'),
    mailbox: (await settings.get('graph.mailbox')).trim(),
  };
  const missing = (
    [
      ['clientId', 'graph.clientId', 'the application (client) id'],
      ['clientSecret', 'graph.clientSecret', 'the client secret'],
      ['mailbox', 'graph.mailbox', 'the sending mailbox'],
    ] as const
  ).filter(([key]) => config[key] === '');
  if (missing.length > 0) {
    throw new OrdoError('MAIL_NOT_CONFIGURED', {
      message: `Microsoft 365 sending needs ${missing.map(([, , what]) => what).join(', ')} (Options → Messaging)`,
      details: { field: missing[0]![1], fields: missing.map(([, field]) => field) },
    });
  }
  if (SHARED_TENANTS.has(config.tenant.toLowerCase())) {
    throw new OrdoError('MAIL_NOT_CONFIGURED', {
      message:
        'Microsoft 365 sending needs the tenant id or domain, not common (Options → Messaging)',
      details: { field: 'graph.tenant' },
    });
  }
  return config;
}

/** The SMTP connection settings, or MAIL_NOT_CONFIGURED naming what is missing. */
export async function readSmtpSettings(settings: Settings): Promise<SmtpSettings> {
  const host = await settings.get('mail.smtp.host');
  if (host.trim() === '') {
    throw new OrdoError('MAIL_NOT_CONFIGURED', {
      message: 'No SMTP server is set (Options → Messaging)',
      details: { field: 'mail.smtp.host' },
    });
  }
  return {
    host: host.trim(),
    port: await settings.get('mail.smtp.port'),
    security: (await settings.get('mail.smtp.security')) as SmtpSettings['security'],
    user: await settings.get('mail.smtp.user'),
    password: await settings.get('mail.smtp.password'),
  };
}

interface SmsSettings {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl: string;
}

export async function readSmsHttpSettings(settings: Settings): Promise<SmsSettings> {
  const config = {
    accountSid: await settings.get('sms.http.accountId'),
    authToken: await settings.get('sms.http.authToken'),
    from: await settings.get('sms.http.from'),
    baseUrl: await settings.get('sms.http.baseUrl'),
  };
  const missing = (['accountSid', 'authToken', 'from'] as const).find((k) => config[k] === '');
  if (missing) {
    throw new OrdoError('SMS_NOT_CONFIGURED', {
      message: 'The SMS provider account is not set (Options → Messaging)',
      details: { field: missing },
    });
  }
  return config;
}

/** A sender for the chosen transport's settings (pooled SMTP connections on request). */
export function createMailSender(
  config: MailSettings,
  options: { logger: Logger; pool?: boolean; maxConnections?: number; graph?: GraphNetwork },
): MailSender {
  if (config.transport === 'graph') return graphSender(config.graph, options);
  const smtp = createSmtpSender({
    ...config.smtp,
    pool: options.pool ?? false,
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
    logger: options.logger,
  });
  return smtpSender(smtp);
}

function smtpSender(smtp: SmtpSender): MailSender {
  return {
    transport: 'smtp',
    sendRaw: ({ envelope, raw }) => smtp.send({ envelope, raw }),
    send: (message) => smtp.send(message),
    verify: () => smtp.verify(),
    close: () => smtp.close(),
  };
}

function graphSender(
  config: GraphSendSettings,
  options: { logger: Logger; graph?: GraphNetwork },
): MailSender {
  const network = options.graph ?? {};
  const token = createGraphAppToken({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    tenant: config.tenant,
    authorityHost: config.authorityHost,
    ...(network.networkClient ? { networkClient: network.networkClient } : {}),
    logger: options.logger,
  });
  const graph = createGraphMailSender({
    mailbox: config.mailbox,
    getAccessToken: () => token.getAccessToken(),
    baseUrl: network.baseUrl ?? config.baseUrl,
    ...(network.fetch ? { fetch: network.fetch } : {}),
    logger: options.logger,
  });
  return {
    transport: 'graph',
    // TODO(a message with recipients outside its To/Cc lines): Graph's MIME form reads the
    // recipients from the headers, so an envelope-only (Bcc) recipient would be dropped; Ordo
    // queues none today (its envelope is To + Cc).
    sendRaw: ({ envelope, raw }) => graph.sendMime({ raw, recipients: envelope.to }),
    send: (message) => graph.send(message),
    verify: () => graph.verify(),
    close: () => graph.close(),
  };
}

export function createTransportSource(options: TransportSourceOptions): TransportSource {
  let key = '';
  let sender: MailSender | null = null;
  let smsKey = '';
  let provider: SmsProvider | null = null;

  async function mail(): Promise<() => MailSender> {
    let config: MailSettings;
    try {
      config = await readMailSettings(options.settings);
    } catch (error) {
      return () => {
        throw error;
      };
    }
    // Kept in memory only, to notice a change: the secrets never leave this closure.
    const next = JSON.stringify(config);
    if (next !== key || !sender) {
      sender?.close();
      key = next;
      sender = createMailSender(config, {
        logger: options.logger,
        pool: options.pool ?? true,
        ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
        ...(options.graph ? { graph: options.graph() } : {}),
      });
    }
    const current = sender;
    return () => current;
  }

  async function sms(): Promise<() => SmsProvider> {
    let config: SmsSettings;
    try {
      config = await readSmsHttpSettings(options.settings);
    } catch (error) {
      return () => {
        throw error;
      };
    }
    const next = JSON.stringify(config);
    if (next !== smsKey || !provider) {
      smsKey = next;
      provider = createTwilioProvider({
        accountSid: config.accountSid,
        authToken: config.authToken,
        ...(config.from.startsWith('MG')
          ? { messagingServiceSid: config.from }
          : { from: config.from }),
        ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        logger: options.logger,
      });
    }
    const current = provider;
    return () => current;
  }

  return {
    async current() {
      const [mailOf, smsOf] = await Promise.all([mail(), sms()]);
      return { mail: mailOf, sms: smsOf };
    },
    close() {
      sender?.close();
      sender = null;
      key = '';
    },
  };
}
