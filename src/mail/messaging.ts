/**
 * Task e-mails and SMS: the envelope and phone actions of the task window, the e-mail sent
 * when a task is created, and the updates and cancellations that follow an e-mailed task.
 * Everything is checked when it is asked for (no address, no mobile, nothing set up: a clear
 * error at the click) and written to the outbox in the transaction of the action, so the
 * outbox never holds a message that cannot be sent, nor loses one whose action committed.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Transaction } from 'kysely';
import { writeCalendar } from '../ical/write.js';
import type { Actor } from '../planning/actor.js';
import type { TaskBatchHook, TaskChange, TaskService } from '../planning/tasks.js';
import type { Task } from '../planning/types.js';
import type { SecretBox } from '../security/secrets.js';
import { Settings } from '../settings/settings.js';
import type { Clock } from '../shared/clock.js';
import { isOrdoError, OrdoError, type ErrorCode } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { composeGatewaySms } from '../sms/gateway.js';
import type { Operator } from '../sms/operators.js';
import { composeTaskSmsText } from '../sms/task-sms.js';
import type { Database, Db } from '../store/schema.js';
import { formatAddress, isValidAddress, parseAddressList, type MailAddress } from './addresses.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import { toEntry } from './outbox.js';
import type { InvitationRecipient, OutboxPurpose } from './outbox-tables.js';
import { describeFailure } from './outbox-worker.js';
import { buildRawMessage, newMessageId, rawToText } from './raw-message.js';
import { isTemporary } from './smtp-transport.js';
import { loadTask, loadTaskMailData, type TaskMailData } from './task-mail-data.js';
import type { MessageLanguage } from './task-format.js';
import { composeTaskMessage, type InvitationMethod } from './task-message.js';
import type { TaskMessageField } from './task-fields.js';
import {
  createMailSender,
  readMailSettings,
  readSmsHttpSettings,
  type GraphNetwork,
} from './transports.js';

export interface MessagingOptions {
  db: Db;
  tasks: TaskService;
  outbox: Outbox;
  secrets: SecretBox;
  clock: Clock;
  logger: Logger;
  /** How Microsoft Graph is reached when it is the transport; the public endpoints without it. */
  graphNetwork?: () => GraphNetwork;
}

export type RecipientRole = 'resource' | 'client';
type RecipientsSetting = 'resource' | 'client' | 'both';

export interface SkippedRecipient {
  role: RecipientRole;
  name: string | null;
  code: ErrorCode;
  message: string;
}

/** What the envelope or the phone did: to whom it went, and who was left out and why. */
export interface QueueResult {
  taskId: string;
  messages: OutboxEntry[];
  /** `Name <address>` (e-mail) or the mobile number (SMS). */
  to: string[];
  cc: string[];
  skipped: SkippedRecipient[];
}

export interface MailPreview {
  subject: string;
  text: string;
  html: string;
  language: MessageLanguage;
  fields: TaskMessageField[];
  to: string[];
  skipped: SkippedRecipient[];
}

interface Sender {
  from: MailAddress;
  timeZone: string;
  companyLanguage: MessageLanguage;
  fields: TaskMessageField[];
}

export class Messaging {
  /** Told after a click's transaction committed: the worker can send at once. */
  onQueued: () => void = () => {};
  private readonly logger: Logger;

  constructor(private readonly options: MessagingOptions) {
    this.logger = options.logger.child({ component: 'messaging' });
  }

  /** The envelope: e-mails the task to resource 1, the client or both (setting mail.recipients). */
  async mailTask(input: { actor: Actor; taskId: string }): Promise<QueueResult> {
    await this.visibleTask(input.actor, input.taskId);
    const result = await this.options.db.transaction().execute(async (trx) => {
      const task = await loadTask(trx, input.taskId);
      return this.queueTaskMail(trx, { task, requestedBy: requesterOf(input.actor) });
    });
    this.onQueued();
    return result;
  }

  /** The phone: texts the task to resource 1's mobile, by the route of setting sms.route. */
  async smsTask(input: { actor: Actor; taskId: string }): Promise<QueueResult> {
    await this.visibleTask(input.actor, input.taskId);
    const result = await this.options.db.transaction().execute(async (trx) => {
      const task = await loadTask(trx, input.taskId);
      return this.queueTaskSms(trx, { task, requestedBy: requesterOf(input.actor) });
    });
    this.onQueued();
    return result;
  }

  /** The task e-mail as it would be written now; `fields` tries another choice before saving it. */
  async preview(input: {
    actor: Actor;
    taskId: string;
    fields?: TaskMessageField[];
  }): Promise<MailPreview> {
    await this.visibleTask(input.actor, input.taskId);
    const { db } = this.options;
    const settings = this.settingsIn(db);
    const data = await loadTaskMailData(db, await loadTask(db, input.taskId));
    const sender = await this.readSender(settings, { requireFrom: false });
    const fields = input.fields ?? sender.fields;
    const { to, skipped } = mailRecipients(
      data,
      (await settings.get('mail.recipients')) as RecipientsSetting,
      sender,
    );
    const language = to[0]?.language ?? sender.companyLanguage;
    const message = composeTaskMessage({
      ...data,
      fields,
      language,
      timeZone: sender.timeZone,
      from: sender.from,
      to: to.length > 0 ? to : [{ name: '', address: 'preview@ordo.invalid' }],
      method: 'REQUEST',
      sequence: data.task.sequence,
      icsText: this.invitation({
        data,
        sender,
        method: 'REQUEST',
        sequence: data.task.sequence,
        to,
      }),
    });
    return {
      subject: message.subject,
      text: message.text,
      html: message.html,
      language,
      fields,
      to: to.map(formatAddress),
      skipped,
    };
  }

  /**
   * Options → Messaging's test: checks the login (SMTP) or obtains a token (Microsoft 365),
   * then sends one e-mail now, outside the outbox, and returns the server's answer.
   */
  async sendTestMail(to: string): Promise<{
    to: string;
    transport: 'smtp' | 'graph';
    response: string;
    messageId: string;
  }> {
    if (!isValidAddress(to)) {
      throw new OrdoError('MAIL_ADDRESS_INVALID', { details: { field: 'to', address: to } });
    }
    const settings = this.settingsIn(this.options.db);
    const config = await readMailSettings(settings);
    const sender = await this.readSender(settings, { requireFrom: true });
    const graph = this.options.graphNetwork?.();
    const transport = createMailSender(config, {
      logger: this.options.logger,
      ...(graph ? { graph } : {}),
    });
    try {
      await transport.verify();
      const result = await transport.send({
        from: sender.from,
        to,
        subject: sender.companyLanguage === 'fr' ? 'Ordo : e-mail de test' : 'Ordo: test e-mail',
        text:
          sender.companyLanguage === 'fr'
            ? 'Ce message confirme que les réglages de messagerie d’Ordo fonctionnent.\n'
            : "This message confirms that Ordo's messaging settings work.\n",
      });
      return {
        to,
        transport: transport.transport,
        response: result.response,
        messageId: result.messageId,
      };
    } catch (error) {
      throw withReply(error);
    } finally {
      transport.close();
    }
  }

  /**
   * The task hook: e-mail on creation, updates when an e-mailed task changes, cancellations;
   * the changes of one call in their order, with the creation setting read once for them.
   */
  readonly hook: TaskBatchHook = async (changes) => {
    let mailOnCreate: boolean | undefined;
    for (const change of changes) {
      if (change.type === 'updated') await this.onUpdated(change);
      if (change.type === 'deleted') await this.onDeleted(change);
      // Imports and calendar syncs create tasks in bulk: e-mailing them would be a storm.
      if (change.type !== 'created' || change.origin !== 'planning' || !change.after) continue;
      mailOnCreate ??= await this.settingsIn(change.trx).get('mail.onCreate');
      if (mailOnCreate) await this.onCreated(change, change.after);
    }
  };

  /** Queues the task e-mail in `trx`, and records who was invited. */
  async queueTaskMail(
    trx: Transaction<Database>,
    input: { task: Task; requestedBy: string | null },
  ): Promise<QueueResult> {
    const settings = this.settingsIn(trx);
    await readMailSettings(settings);
    const sender = await this.readSender(settings, { requireFrom: true });
    const data = await loadTaskMailData(trx, input.task);
    const { to, skipped } = mailRecipients(
      data,
      (await settings.get('mail.recipients')) as RecipientsSetting,
      sender,
    );
    if (to.length === 0) throw noRecipient(skipped);
    const cc = parseAddressList(await settings.get('mail.cc')).addresses.map(
      (a): InvitationRecipient => ({ ...a, language: sender.companyLanguage, cc: true }),
    );

    const recipients = mergeRecipients(await this.invitees(trx, input.task.id), [...to, ...cc]);
    const messages = await this.queueInvitation(trx, {
      data,
      sender,
      recipients: [...to, ...cc],
      invitees: recipients.filter((r) => !r.cc),
      method: 'REQUEST',
      sequence: input.task.sequence,
      purpose: 'task',
      requestedBy: input.requestedBy,
    });
    await this.recordInvitation(trx, input.task, recipients);
    return {
      taskId: input.task.id,
      messages,
      to: to.map(formatAddress),
      cc: cc.map(formatAddress),
      skipped,
    };
  }

  /** Queues the task SMS in `trx`. */
  async queueTaskSms(
    trx: Transaction<Database>,
    input: { task: Task; requestedBy: string | null },
  ): Promise<QueueResult> {
    const settings = this.settingsIn(trx);
    const data = await loadTaskMailData(trx, input.task);
    const mobile = resourceMobile(data);
    const companyLanguage = (await settings.get('company.language')) as MessageLanguage;
    const text = composeTaskSmsText({
      task: data.task,
      client: data.client,
      language: data.resource1Language ?? companyLanguage,
      timeZone: await settings.get('company.timeZone'),
    });
    const base = {
      purpose: 'sms' as const,
      taskId: input.task.id,
      resourceId: data.resource1?.id ?? null,
      requestedBy: input.requestedBy,
      subject: text.split('\n')[0] ?? '',
    };

    if ((await settings.get('sms.route')) === 'http') {
      await readSmsHttpSettings(settings);
      const row = await this.options.outbox.enqueue(trx, {
        ...base,
        kind: 'sms-http',
        recipients: [mobile],
        payload: JSON.stringify({ to: mobile, text }),
      });
      return { taskId: input.task.id, messages: [toEntry(row)], to: [mobile], cc: [], skipped: [] };
    }

    await readMailSettings(settings);
    const sender = await this.readSender(settings, { requireFrom: true });
    const operator = await this.operator(settings);
    const sms = await composeGatewaySms({ mobile, operator, text, from: sender.from });
    const row = await this.options.outbox.enqueue(trx, {
      ...base,
      kind: 'smtp',
      recipients: [sms.to],
      envelope: sms.message.envelope,
      payload: rawToText(sms.message.raw),
    });
    return { taskId: input.task.id, messages: [toEntry(row)], to: [sms.to], cc: [], skipped: [] };
  }

  /** Queues the e-mail of a task a planner created, when the company asks for one. */
  private async onCreated(change: TaskChange, task: Task): Promise<void> {
    try {
      await this.queueTaskMail(change.trx, { task, requestedBy: requesterOf(change.actor) });
    } catch (error) {
      // The task is created anyway; the envelope will say why when someone clicks it.
      if (!isOrdoError(error)) throw error;
      this.logger.info({ taskId: task.id, code: error.code }, 'task e-mail not queued');
    }
  }

  private async onUpdated(change: TaskChange): Promise<void> {
    const { before, after } = change;
    if (!before || !after || after.sequence <= before.sequence) return;
    const recipients = await this.invitees(change.trx, after.id);
    if (recipients.length === 0) return;
    await this.queueFollowUp(change, {
      task: after,
      recipients,
      method: 'REQUEST',
      sequence: after.sequence,
    });
    await this.recordInvitation(change.trx, after, recipients);
  }

  private async onDeleted(change: TaskChange): Promise<void> {
    const task = change.before;
    if (!task) return;
    const recipients = await this.invitees(change.trx, task.id);
    if (recipients.length === 0) return;
    // RFC 5546 3.2.5: a CANCEL carries a SEQUENCE above the last one sent.
    await this.queueFollowUp(change, {
      task,
      recipients,
      method: 'CANCEL',
      sequence: task.sequence + 1,
    });
    await change.trx.deleteFrom('mail_invitations').where('task_id', '=', task.id).execute();
  }

  private async queueFollowUp(
    change: TaskChange,
    input: {
      task: Task;
      recipients: InvitationRecipient[];
      method: InvitationMethod;
      sequence: number;
    },
  ): Promise<void> {
    const settings = this.settingsIn(change.trx);
    try {
      await readMailSettings(settings);
      const sender = await this.readSender(settings, { requireFrom: true });
      await this.queueInvitation(change.trx, {
        data: await loadTaskMailData(change.trx, input.task),
        sender,
        recipients: input.recipients,
        invitees: input.recipients.filter((r) => !r.cc),
        method: input.method,
        sequence: input.sequence,
        purpose: input.method === 'CANCEL' ? 'cancel' : 'update',
        requestedBy: requesterOf(change.actor),
      });
    } catch (error) {
      // Mail was switched off since the invitation: the change itself must still be saved.
      if (!isOrdoError(error)) throw error;
      this.logger.warn(
        { taskId: input.task.id, code: error.code, method: input.method },
        'invitation follow-up not queued',
      );
    }
  }

  /** One message per recipient language; the copies (cc) ride on the first one. */
  private async queueInvitation(
    trx: Transaction<Database>,
    input: {
      data: TaskMailData;
      sender: Sender;
      recipients: InvitationRecipient[];
      invitees: InvitationRecipient[];
      method: InvitationMethod;
      sequence: number;
      purpose: OutboxPurpose;
      requestedBy: string | null;
    },
  ): Promise<OutboxEntry[]> {
    const cc = input.recipients.filter((r) => r.cc);
    const groups = groupByLanguage(input.recipients.filter((r) => !r.cc));
    const entries: OutboxEntry[] = [];
    const now = this.options.clock.now();
    for (const [index, [language, to]] of groups.entries()) {
      const copies = index === 0 ? cc : [];
      const message = composeTaskMessage({
        ...input.data,
        fields: input.sender.fields,
        language,
        timeZone: input.sender.timeZone,
        from: input.sender.from,
        to,
        cc: copies,
        method: input.method,
        sequence: input.sequence,
        icsText: this.invitation({ ...input, to: input.invitees }),
      });
      const messageId = newMessageId(input.sender.from.address);
      const raw = await buildRawMessage(message, { messageId, date: now });
      const row = await this.options.outbox.enqueue(trx, {
        kind: 'smtp',
        purpose: input.purpose,
        taskId: input.data.task.id,
        resourceId: input.data.resource1?.id ?? null,
        requestedBy: input.requestedBy,
        recipients: [...to, ...copies].map(formatAddress),
        envelope: {
          from: input.sender.from.address,
          to: [...to, ...copies].map((r) => r.address),
        },
        subject: message.subject,
        payload: rawToText(raw),
        messageId,
      });
      entries.push(toEntry(row));
    }
    return entries;
  }

  private invitation(input: {
    data: TaskMailData;
    sender: Sender;
    method: InvitationMethod;
    sequence: number;
    to: readonly MailAddress[];
  }): string {
    const { task } = input.data;
    return writeCalendar({
      method: input.method,
      timeZone: input.sender.timeZone,
      items: [
        {
          uid: task.uid,
          kind: 'event',
          label: task.label,
          remark: task.remark,
          location: task.location,
          categories: task.category === '' ? [] : [task.category],
          timing: task.timing,
          reminder: { kind: 'none' },
          private: task.private,
          sequence: input.sequence,
          dtstamp: this.options.clock.now(),
          organizer: { name: input.sender.from.name, email: input.sender.from.address },
          attendees: input.to.map((r) => ({ name: r.name, email: r.address, rsvp: false })),
        },
      ],
    });
  }

  private async invitees(executor: Db, taskId: string): Promise<InvitationRecipient[]> {
    const row = await executor
      .selectFrom('mail_invitations')
      .select('recipients')
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    return row ? (JSON.parse(row.recipients) as InvitationRecipient[]) : [];
  }

  private async recordInvitation(
    trx: Transaction<Database>,
    task: Task,
    recipients: InvitationRecipient[],
  ): Promise<void> {
    const values = {
      task_id: task.id,
      uid: task.uid,
      recipients: JSON.stringify(recipients),
      sequence: task.sequence,
      updated_at: this.options.clock.now(),
    };
    await trx
      .insertInto('mail_invitations')
      .values(values)
      .onConflict((oc) =>
        oc.column('task_id').doUpdateSet({
          recipients: values.recipients,
          sequence: values.sequence,
          updated_at: values.updated_at,
        }),
      )
      .execute();
  }

  private async operator(settings: Settings): Promise<Operator> {
    const id = await settings.get('sms.operator');
    const operator = (await settings.get('sms.operators')).find((o) => o.id === id);
    if (!operator) {
      throw new OrdoError('SMS_NOT_CONFIGURED', {
        message:
          id === ''
            ? 'No phone operator is chosen (Options → Messaging)'
            : `The phone operator ${id} is not in the operator list`,
        details: { field: 'sms.operator' },
      });
    }
    return operator;
  }

  private async readSender(settings: Settings, options: { requireFrom: boolean }): Promise<Sender> {
    const address = await settings.get('mail.from.address');
    if (options.requireFrom && address === '') {
      throw new OrdoError('MAIL_NOT_CONFIGURED', {
        message: 'No sender address is set (Options → Messaging)',
        details: { field: 'mail.from.address' },
      });
    }
    const name = await settings.get('mail.from.name');
    return {
      from: {
        name: name === '' ? await settings.get('company.name') : name,
        address: address === '' ? 'planning@ordo.invalid' : address,
      },
      timeZone: await settings.get('company.timeZone'),
      companyLanguage: (await settings.get('company.language')) as MessageLanguage,
      fields: (await settings.get('mail.fields')) as TaskMessageField[],
    };
  }

  private settingsIn(executor: Db): Settings {
    return new Settings(executor, this.options.secrets);
  }

  private async visibleTask(actor: Actor, taskId: string): Promise<void> {
    const view = await this.options.tasks.get(actor, taskId);
    if (view.masked) throw new OrdoError('FORBIDDEN', { details: { taskId } });
  }
}

function requesterOf(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.user.id : null;
}

/** Resource 1 and the client, as the mail.recipients setting asks; each missing one says why. */
export function mailRecipients(
  data: TaskMailData,
  setting: RecipientsSetting,
  sender: Pick<Sender, 'companyLanguage'>,
): { to: InvitationRecipient[]; skipped: SkippedRecipient[] } {
  const to: InvitationRecipient[] = [];
  const skipped: SkippedRecipient[] = [];
  const consider = (
    role: RecipientRole,
    card: { name: string; email: string | null } | null,
    language: MessageLanguage,
  ) => {
    const problem = cardProblem(role, card);
    if (problem) skipped.push(problem);
    else if (card?.email) to.push({ name: card.name, address: card.email.trim(), language });
  };
  if (setting !== 'client') {
    consider('resource', data.resource1, data.resource1Language ?? sender.companyLanguage);
  }
  if (setting !== 'resource') consider('client', data.client, sender.companyLanguage);
  return { to: mergeRecipients([], to), skipped };
}

function cardProblem(
  role: RecipientRole,
  card: { name: string; email: string | null } | null,
): SkippedRecipient | null {
  if (!card) {
    const message =
      role === 'resource' ? 'The task has no human resource' : 'The task has no client';
    return { role, name: null, code: 'MAIL_NO_RECIPIENT', message };
  }
  const email = card.email?.trim() ?? '';
  if (email === '') {
    return {
      role,
      name: card.name,
      code: 'MAIL_NO_RECIPIENT',
      message: `No e-mail address on the card of ${card.name}`,
    };
  }
  if (!isValidAddress(email)) {
    return {
      role,
      name: card.name,
      code: 'MAIL_ADDRESS_INVALID',
      message: `The e-mail address on the card of ${card.name} is not valid: ${email}`,
    };
  }
  return null;
}

function noRecipient(skipped: SkippedRecipient[]): OrdoError {
  const first = skipped[0];
  return new OrdoError(first?.code ?? 'MAIL_NO_RECIPIENT', {
    message: skipped.map((s) => s.message).join('; ') || undefined,
    details: { skipped },
  });
}

function resourceMobile(data: TaskMailData): string {
  const resource = data.resource1;
  if (!resource) {
    throw new OrdoError('SMS_NO_MOBILE', { message: 'The task has no human resource' });
  }
  const mobile = resource.mobile?.trim() ?? '';
  if (mobile === '') {
    throw new OrdoError('SMS_NO_MOBILE', {
      message: `No mobile number on the card of ${resource.name}`,
      details: { resourceId: resource.id },
    });
  }
  const phone = parsePhoneNumberFromString(mobile);
  if (!mobile.startsWith('+') || !phone?.isValid()) {
    throw new OrdoError('SMS_MOBILE_INVALID', {
      message: `The mobile number on the card of ${resource.name} is not valid: ${mobile}`,
      details: { resourceId: resource.id, mobile },
    });
  }
  return phone.number.toString();
}

/** Adds `next` to `known`, once per address (case-insensitive); a new entry's details win. */
function mergeRecipients(
  known: readonly InvitationRecipient[],
  next: readonly InvitationRecipient[],
): InvitationRecipient[] {
  const byAddress = new Map<string, InvitationRecipient>();
  for (const r of [...known, ...next]) byAddress.set(r.address.toLowerCase(), r);
  return [...byAddress.values()];
}

function groupByLanguage(
  recipients: readonly InvitationRecipient[],
): [MessageLanguage, InvitationRecipient[]][] {
  const groups = new Map<MessageLanguage, InvitationRecipient[]>();
  for (const r of recipients) groups.set(r.language, [...(groups.get(r.language) ?? []), r]);
  return [...groups.entries()];
}

/** An SMTP failure as the settings page shows it: the code, and the server's own words. */
function withReply(error: unknown): OrdoError {
  if (!isOrdoError(error)) return new OrdoError('INTERNAL', { cause: error });
  return new OrdoError(error.code, {
    message: `${error.message}: ${describeFailure(error)}`,
    details: { remote: error.remote ?? null, temporary: isTemporary(error) },
    cause: error,
  });
}
