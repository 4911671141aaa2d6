/**
 * Every setting of the Options pages, under its dotted key. This list is the documentation
 * of `ordo config get/set` and of the settings API: each key has its type, its default and
 * a sentence for the administrator.
 */
import { isIP } from 'node:net';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { parseAddressList } from '../mail/addresses.js';
import { TASK_MESSAGE_FIELDS } from '../mail/task-fields.js';
import { DEFAULT_OPERATORS, operatorSchema } from '../sms/operators.js';

export interface SettingDefinition<T = unknown> {
  schema: z.ZodType<T>;
  default: T;
  description: string;
  /** Stored encrypted, never returned by the API or printed by the command line. */
  secret?: boolean;
  /** Only administrators may read it (secrets always are). */
  adminOnly?: boolean;
}

const timeZone = z.string().refine((v) => IANAZone.isValidZone(v), 'not an IANA time zone');
const bool = z.boolean();

/** Dot-separated labels of letters, digits and hyphens (RFC 1123 host names). */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Empty (not set), a host name or an IP address: no scheme, port, path or spaces. */
const host = z
  .string()
  .trim()
  .refine((v) => v === '' || HOST_NAME.test(v) || isIP(v) !== 0, 'a host name or an IP address');

/** Empty (not set) or an http(s) address: other schemes would be fetched as the server. */
const httpAddress = z.union([
  z.literal(''),
  z.url({ protocol: /^https?$/, error: 'an http:// or https:// address' }),
]);

function define<T>(d: SettingDefinition<T>): SettingDefinition<T> {
  return d;
}

export const SETTINGS = {
  'company.name': define({
    schema: z.string().max(200),
    default: 'Ordo',
    description: 'The company name shown in the page and in e-mails.',
  }),
  'company.timeZone': define({
    schema: timeZone,
    default: 'Europe/Paris',
    description: 'The IANA time zone the planning is drawn and e-mails are written in.',
  }),
  'company.defaultCountry': define({
    schema: z.string().regex(/^[A-Z]{2}$/, 'a two-letter country code, e.g. FR'),
    default: 'FR',
    description: 'The country assumed for mobile numbers written without +country code.',
  }),
  'company.language': define({
    schema: z.enum(['fr', 'en']),
    default: 'fr',
    description: 'The language of e-mails to people whose language is unknown.',
  }),
  'task.reminderByDate': define({
    schema: bool,
    default: false,
    description:
      'Reminders are set at a date and time instead of a delay before the start; ' +
      'they are then not synchronized with calendars.',
  }),
  'mail.transport': define({
    schema: z.enum(['smtp', 'graph']),
    default: 'smtp',
    description: 'How task e-mails are sent: an SMTP server, or Microsoft 365 (Graph sendMail).',
    adminOnly: true,
  }),
  'mail.smtp.host': define({
    schema: host,
    default: '',
    description: 'The SMTP server host name.',
    adminOnly: true,
  }),
  'mail.smtp.port': define({
    schema: z.number().int().min(1).max(65535),
    default: 587,
    description: 'The SMTP server port (587 STARTTLS, 465 TLS, 25 none).',
    adminOnly: true,
  }),
  'mail.smtp.security': define({
    schema: z.enum(['none', 'starttls', 'tls']),
    default: 'starttls',
    description: 'How the connection to the SMTP server is protected.',
    adminOnly: true,
  }),
  'mail.smtp.user': define({
    schema: z.string().max(255),
    default: '',
    description: 'The SMTP login, empty when the server needs none.',
    adminOnly: true,
  }),
  'mail.smtp.password': define({
    schema: z.string().max(1000),
    default: '',
    description: 'The SMTP password.',
    secret: true,
  }),
  'mail.from.address': define({
    schema: z.union([z.literal(''), z.email()]),
    default: '',
    description: 'The sender address of task e-mails.',
    adminOnly: true,
  }),
  'mail.from.name': define({
    schema: z.string().max(200),
    default: '',
    description: 'The sender name shown on the From line.',
    adminOnly: true,
  }),
  'mail.cc': define({
    schema: z
      .string()
      .max(2000)
      .superRefine((field, ctx) => {
        const { invalid } = parseAddressList(field);
        if (invalid.length > 0)
          ctx.addIssue({ code: 'custom', message: `not an address: ${invalid[0]}` });
      }),
    default: '',
    description: 'Addresses that receive a copy of every task e-mail, separated by ; or ,.',
    adminOnly: true,
  }),
  'mail.recipients': define({
    schema: z.enum(['resource', 'client', 'both']),
    default: 'resource',
    description: 'Who the envelope e-mails: resource 1, the client, or both.',
  }),
  'mail.onCreate': define({
    schema: bool,
    default: false,
    description: 'E-mail the task by itself when it is created.',
  }),
  'mail.fields': define({
    schema: z.array(z.enum(TASK_MESSAGE_FIELDS)).min(1),
    default: ['label', 'start', 'end', 'resources', 'client', 'location', 'remark'],
    description: 'The task fields the e-mail contains, in order.',
  }),
  'sms.route': define({
    schema: z.enum(['gateway', 'http']),
    default: 'gateway',
    description: "How texts are sent: the operator's e-mail-to-SMS gateway, or an SMS provider.",
    adminOnly: true,
  }),
  'sms.operator': define({
    schema: z.string().max(100),
    default: '',
    description:
      'The phone operator (an id from sms.operators) whose e-mail-to-SMS gateway is used.',
    adminOnly: true,
  }),
  'sms.operators': define({
    schema: z.array(operatorSchema).max(200),
    default: [...DEFAULT_OPERATORS],
    description:
      "The phone operators whose e-mail-to-SMS gateway can be used (JSON list of id, name, domain, numberFormat 'national' or 'international').",
    adminOnly: true,
  }),
  'sms.http.provider': define({
    schema: z.enum(['twilio']),
    default: 'twilio',
    description: 'The SMS provider used by the http route.',
    adminOnly: true,
  }),
  'sms.http.baseUrl': define({
    schema: httpAddress,
    default: '',
    description: "The provider's API address; empty for its public one.",
    adminOnly: true,
  }),
  'sms.http.accountId': define({
    schema: z.string().max(200),
    default: '',
    description: 'The account identifier at the SMS provider (Twilio: Account SID).',
    adminOnly: true,
  }),
  'sms.http.authToken': define({
    schema: z.string().max(500),
    default: '',
    description: 'The secret of the SMS provider account (Twilio: Auth Token).',
    secret: true,
  }),
  'sms.http.from': define({
    schema: z.string().max(100),
    default: '',
    description: 'The sender number or messaging service id at the SMS provider.',
    adminOnly: true,
  }),
  'graph.clientId': define({
    schema: z.string().max(100),
    default: '',
    description: "Ordo's application (client) id registered with Microsoft Entra ID.",
    adminOnly: true,
  }),
  'graph.tenant': define({
    schema: z
      .string()
      .trim()
      // Part of the sign-in address (authority/tenant): a name, a GUID or a domain, no path.
      .refine(
        (v) => v === '' || HOST_NAME.test(v),
        'common, organizations, a tenant id or a domain',
      ),
    default: 'common',
    description: 'The Microsoft Entra tenant: common, organizations, or a tenant id.',
    adminOnly: true,
  }),
  'graph.mailbox': define({
    schema: z.string().max(255),
    default: '',
    description: 'The mailbox task e-mails are sent from when the transport is Microsoft 365.',
    adminOnly: true,
  }),
  'graph.clientSecret': define({
    schema: z.string().max(1000),
    default: '',
    description:
      "A client secret of Ordo's application, for sending as graph.mailbox (application " +
      'permission Mail.Send, granted by an administrator).',
    secret: true,
  }),
  'graph.authorityHost': define({
    schema: z.url().refine((v) => v.startsWith('https://'), 'an https address'),
    default: 'https://login.microsoftonline.com',
    description: 'The Microsoft identity platform host; another one for a national cloud.',
    adminOnly: true,
  }),
  'graph.baseUrl': define({
    // https only: the calendar's access token goes with every request.
    schema: z.url().refine((v) => v.startsWith('https://'), 'an https address'),
    default: 'https://graph.microsoft.com/v1.0',
    description:
      'The Microsoft Graph address calendars are synchronized through; another one for a ' +
      'national cloud (e.g. https://graph.microsoft.us/v1.0).',
    adminOnly: true,
  }),
} satisfies Record<string, SettingDefinition<never> | SettingDefinition<unknown>>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K]['default'];
