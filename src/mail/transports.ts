/**
 * The senders the outbox uses, built from the Messaging settings. The worker asks for them
 * before each pass: while the settings stay the same the pooled SMTP connections are kept,
 * and a change (another host, a new password) closes them and opens new ones.
 */
import type { Settings } from '../settings/settings.js';
import type { Logger } from '../shared/logger.js';
import { OrdoError } from '../shared/errors.js';
import type { SmsProvider } from '../sms/provider.js';
import { createTwilioProvider } from '../sms/twilio.js';
import { createSmtpSender, type SmtpSender, type SmtpSenderOptions } from './smtp-transport.js';

export interface Transports {
  /** Throws MAIL_NOT_CONFIGURED when no SMTP server is set. */
  smtp(): SmtpSender;
  /** Throws SMS_NOT_CONFIGURED when no provider account is set. */
  sms(): SmsProvider;
}

export interface TransportSource {
  current(): Promise<Transports>;
  close(): void;
}

export interface TransportSourceOptions {
  settings: Settings;
  logger: Logger;
  /** Pooled connections, for a worker that sends bursts. */
  pool?: boolean;
  maxConnections?: number;
  fetch?: typeof fetch;
}

export type SmtpSettings = Pick<
  SmtpSenderOptions,
  'host' | 'port' | 'security' | 'user' | 'password'
>;

/** The SMTP connection settings, or MAIL_NOT_CONFIGURED naming what is missing. */
export async function readSmtpSettings(settings: Settings): Promise<SmtpSettings> {
  if ((await settings.get('mail.transport')) !== 'smtp') {
    // TODO(Microsoft 365 sending): the graph transport is a setting with no sender yet.
    throw new OrdoError('MAIL_NOT_CONFIGURED', {
      message: 'Only the SMTP transport can send task e-mails for now',
      details: { field: 'mail.transport' },
    });
  }
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

export function createTransportSource(options: TransportSourceOptions): TransportSource {
  let key = '';
  let sender: SmtpSender | null = null;
  let smsKey = '';
  let provider: SmsProvider | null = null;

  async function smtp(): Promise<() => SmtpSender> {
    let config: SmtpSettings;
    try {
      config = await readSmtpSettings(options.settings);
    } catch (error) {
      return () => {
        throw error;
      };
    }
    const next = JSON.stringify(config);
    if (next !== key || !sender) {
      sender?.close();
      key = next;
      sender = createSmtpSender({
        ...config,
        pool: options.pool ?? true,
        ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
        logger: options.logger,
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
      const [smtpOf, smsOf] = await Promise.all([smtp(), sms()]);
      return { smtp: smtpOf, sms: smsOf };
    },
    close() {
      sender?.close();
      sender = null;
      key = '';
    },
  };
}
