/**
 * The messaging API: the task window's envelope and phone, the Messaging settings and their
 * test e-mail, the task description's preview, and the message log.
 */
import { z } from 'zod';
import { requireAdmin, requireUser } from '../http/auth.js';
import type { OrdoPlugin } from '../http/types.js';
import type { Actor } from '../planning/actor.js';
import type { TaskService } from '../planning/tasks.js';
import { definition } from '../settings/settings.js';
import type { SettingKey } from '../settings/keys.js';
import { OrdoError, isOrdoError } from '../shared/errors.js';
import { mailOf } from './capability.js';
import type { OutboxEntry, OutboxRow } from './outbox.js';
import { TASK_MESSAGE_FIELDS } from './task-fields.js';

/** The settings of Options → Messaging and Data → Task description. */
export const MESSAGING_SETTINGS = [
  'mail.transport',
  'mail.smtp.host',
  'mail.smtp.port',
  'mail.smtp.security',
  'mail.smtp.user',
  'mail.smtp.password',
  'graph.clientId',
  'graph.tenant',
  'graph.authorityHost',
  'graph.clientSecret',
  'graph.mailbox',
  'mail.from.address',
  'mail.from.name',
  'mail.cc',
  'mail.recipients',
  'mail.onCreate',
  'mail.fields',
  'sms.route',
  'sms.operator',
  'sms.operators',
  'sms.http.provider',
  'sms.http.baseUrl',
  'sms.http.accountId',
  'sms.http.authToken',
  'sms.http.from',
] as const satisfies readonly SettingKey[];

const idParams = z.object({ id: z.string().min(1).max(200) });
const testBody = z.object({ to: z.string().min(3).max(320) });
const previewQuery = z.object({
  taskId: z.string().min(1).max(200),
  fields: z
    .string()
    .optional()
    .describe('Comma-separated task fields to try instead of the saved choice'),
});
const listQuery = z.object({
  status: z.enum(['queued', 'sending', 'sent', 'failed']).optional(),
  taskId: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const settingsBody = z
  .record(z.string(), z.unknown())
  .describe('Messaging settings to change, by key; a secret given as null is left unchanged');

export const messageRoutes: OrdoPlugin = async (app, { ordo }) => {
  const tags = ['messages'];
  const mail = () => mailOf(ordo);

  app.post(
    '/api/tasks/:id/mail',
    { config: { doc: { summary: 'E-mail the task (the envelope)', tags, status: 202 } } },
    async (request, reply) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      const result = await mail().messaging.mailTask({ actor, taskId: id });
      request.log.info({ taskId: id, messages: result.messages.length }, 'task e-mail queued');
      return reply.status(202).send(result);
    },
  );

  app.post(
    '/api/tasks/:id/sms',
    { config: { doc: { summary: "Text the task to resource 1's mobile", tags, status: 202 } } },
    async (request, reply) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      const result = await mail().messaging.smsTask({ actor, taskId: id });
      request.log.info({ taskId: id }, 'task sms queued');
      return reply.status(202).send(result);
    },
  );

  app.get(
    '/api/messages',
    {
      config: {
        doc: { summary: 'The message log (a user sees their tasks)', tags, query: listQuery },
      },
    },
    async (request) => {
      const actor = requireUser(request);
      const query = listQuery.parse(request.query);
      const user = request.ordoUser;
      const visibleTo =
        actor.kind === 'user' && !user?.isAdmin
          ? { userId: actor.user.id, resourceId: actor.user.resourceId }
          : undefined;
      const messages = await mail().outbox.list({ ...query, visibleTo });
      return { messages: await maskPrivate({ tasks: ordo.tasks, actor, messages }) };
    },
  );

  app.post(
    '/api/messages/:id/resend',
    { config: { doc: { summary: 'Send a failed message again', tags } } },
    async (request) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      const row = await mail().outbox.get(id);
      if (!request.ordoUser?.isAdmin && actor.kind === 'user' && !isTheirs(row, actor.user)) {
        throw new OrdoError('OUTBOX_MESSAGE_NOT_FOUND', { details: { id } });
      }
      const entry = await mail().outbox.resend(id);
      mail().messaging.onQueued();
      request.log.info({ outboxId: id }, 'message queued again');
      const [shown] = await maskPrivate({ tasks: ordo.tasks, actor, messages: [entry] });
      return shown;
    },
  );

  app.get(
    '/api/messages/preview',
    {
      config: {
        doc: { summary: 'The task e-mail as it would be written', tags, query: previewQuery },
      },
    },
    async (request) => {
      const actor = requireUser(request);
      const query = previewQuery.parse(request.query);
      const fields = query.fields
        ? z.array(z.enum(TASK_MESSAGE_FIELDS)).parse(query.fields.split(',').filter(Boolean))
        : undefined;
      return mail().messaging.preview({ actor, taskId: query.taskId, fields });
    },
  );

  app.post(
    '/api/messages/test',
    { config: { doc: { summary: 'Send a test e-mail now (admin)', tags, body: testBody } } },
    async (request) => {
      requireAdmin(request);
      const { to } = testBody.parse(request.body);
      return mail().messaging.sendTestMail(to.trim());
    },
  );

  app.get(
    '/api/messages/settings',
    { config: { doc: { summary: 'Messaging settings (admin; secrets only say if set)', tags } } },
    async (request) => {
      requireAdmin(request);
      const views = await Promise.all(MESSAGING_SETTINGS.map((key) => ordo.settings.view(key)));
      return { settings: views, fields: TASK_MESSAGE_FIELDS };
    },
  );

  app.put(
    '/api/messages/settings',
    { config: { doc: { summary: 'Change messaging settings (admin)', tags, body: settingsBody } } },
    async (request) => {
      requireAdmin(request);
      const changes = checkedChanges(settingsBody.parse(request.body));
      for (const [key, value] of changes) await ordo.settings.set(key, value);
      request.log.info({ keys: changes.map(([key]) => key) }, 'messaging settings changed');
      const views = await Promise.all(MESSAGING_SETTINGS.map((key) => ordo.settings.view(key)));
      return { settings: views, fields: TASK_MESSAGE_FIELDS };
    },
  );
};

/** Every value is checked before any is saved: a bad copy address changes nothing. */
function checkedChanges(body: Record<string, unknown>): [SettingKey, unknown][] {
  const changes: [SettingKey, unknown][] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!(MESSAGING_SETTINGS as readonly string[]).includes(key)) {
      throw new OrdoError('SETTING_UNKNOWN', {
        message: `${key} is not a messaging setting`,
        details: { field: key },
      });
    }
    const def = definition(key);
    if (def.secret && value === null) continue;
    const parsed = def.schema.safeParse(value);
    if (!parsed.success) {
      throw new OrdoError('SETTING_INVALID', {
        message: `${key}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`,
        details: { field: key },
      });
    }
    changes.push([key as SettingKey, parsed.data]);
  }
  return changes;
}

function isTheirs(row: OutboxRow, user: { id: string; resourceId: string | null }): boolean {
  return (
    row.requested_by === user.id ||
    (row.resource_id !== null && row.resource_id === user.resourceId)
  );
}

/**
 * The log as the planning shows tasks: a message about a task whose details the viewer may
 * not see (someone else's private task, administrators included) shows no subject, which
 * holds the label.
 */
async function maskPrivate(options: {
  tasks: TaskService;
  actor: Actor;
  messages: OutboxEntry[];
}): Promise<(OutboxEntry & { masked: boolean })[]> {
  const { tasks, actor, messages } = options;
  const hidden = new Set<string>();
  const taskIds = new Set(messages.map((m) => m.taskId).filter((id) => id !== null));
  for (const taskId of taskIds) {
    if (await isMaskedFor(tasks, actor, taskId)) hidden.add(taskId);
  }
  return messages.map((m) =>
    m.taskId !== null && hidden.has(m.taskId)
      ? { ...m, subject: '', masked: true }
      : { ...m, masked: false },
  );
}

async function isMaskedFor(tasks: TaskService, actor: Actor, taskId: string): Promise<boolean> {
  try {
    return (await tasks.get(actor, taskId)).masked;
  } catch (error) {
    // TODO(outbox rows record whether their task was private): the message of a deleted task
    // keeps its subject, since nothing says any more whether that task was private.
    if (isOrdoError(error, 'TASK_NOT_FOUND')) return false;
    throw error;
  }
}
