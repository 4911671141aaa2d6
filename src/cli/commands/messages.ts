/** Task e-mails and SMS from the command line, and the outbox. */
import { mailOf } from '../../mail/capability.js';
import type { OutboxEntry } from '../../mail/outbox.js';
import type { QueueResult } from '../../mail/messaging.js';
import { SYSTEM } from '../../planning/actor.js';
import { OrdoError } from '../../shared/errors.js';
import { stringOption, type Command, type CommandContext } from '../command.js';

function taskId(ctx: CommandContext): string {
  const id = ctx.positionals[0];
  if (!id)
    throw new OrdoError('VALIDATION', { message: 'Give the task id', details: { field: 'id' } });
  return id;
}

function describeQueued(result: QueueResult): string {
  const lines = [`Queued for ${result.to.join(', ')}`];
  if (result.cc.length > 0) lines.push(`Copy to ${result.cc.join(', ')}`);
  for (const skipped of result.skipped)
    lines.push(`Not sent to the ${skipped.role}: ${skipped.message}`);
  return lines.join('\n');
}

const taskMail: Command = {
  words: ['task', 'mail'],
  usage: 'task mail ID [--json]',
  summary:
    'E-mails the task (resource 1, the client or both, per mail.recipients) through the outbox.',
  async run(ctx) {
    const result = await mailOf(ctx.ordo).messaging.mailTask({
      actor: SYSTEM,
      taskId: taskId(ctx),
    });
    ctx.out.result(result, describeQueued);
  },
};

const taskSms: Command = {
  words: ['task', 'sms'],
  usage: 'task sms ID [--json]',
  summary: "Texts the task to resource 1's mobile (sms.route) through the outbox.",
  async run(ctx) {
    const result = await mailOf(ctx.ordo).messaging.smsTask({ actor: SYSTEM, taskId: taskId(ctx) });
    ctx.out.result(result, describeQueued);
  },
};

function formatEntry(m: OutboxEntry): string {
  const when = new Date(m.sentAt ?? m.createdAt).toISOString();
  const answer = m.lastResponse ? `  ${m.lastResponse}` : '';
  return `${when}  ${m.status.padEnd(7)}  ${m.attempts}x  ${m.purpose.padEnd(6)}  ${m.recipients.join(', ')}  ${m.id}${answer}`;
}

const outbox: Command = {
  words: ['outbox'],
  usage: 'outbox [--status queued|sending|sent|failed] [--limit N] [--json]',
  summary: 'Lists the messages of the outbox, newest first: status, attempts, last server answer.',
  options: { status: { type: 'string' }, limit: { type: 'string' } },
  async run(ctx) {
    const status = stringOption(ctx, 'status');
    if (status && !['queued', 'sending', 'sent', 'failed'].includes(status)) {
      throw new OrdoError('VALIDATION', {
        message: `Unknown status ${status}`,
        details: { field: 'status' },
      });
    }
    const messages = await mailOf(ctx.ordo).outbox.list({
      status: status as OutboxEntry['status'] | undefined,
      limit: Number(stringOption(ctx, 'limit') ?? 100),
    });
    ctx.out.result(messages, (list: OutboxEntry[]) =>
      list.length === 0 ? 'The outbox is empty.' : list.map(formatEntry).join('\n'),
    );
  },
};

const outboxFlush: Command = {
  words: ['outbox', 'flush'],
  usage: 'outbox flush [--json]',
  summary: 'Sends what is due now, once, and exits (the server sends by itself).',
  async run(ctx) {
    const worker = mailOf(ctx.ordo).createWorker();
    try {
      const result = await worker.runOnce();
      ctx.out.result(
        result,
        (r: typeof result) => `Sent ${r.sent}, to retry later ${r.retrying}, failed ${r.failed}.`,
      );
      return result.failed > 0 ? 1 : 0;
    } finally {
      await worker.stop();
    }
  },
};

const outboxResend: Command = {
  words: ['outbox', 'resend'],
  usage: 'outbox resend ID',
  summary: 'Queues a failed message again, with the same bytes.',
  async run(ctx) {
    const entry = await mailOf(ctx.ordo).outbox.resend(taskId(ctx));
    ctx.out.result(entry, (m: OutboxEntry) => `Queued again: ${m.recipients.join(', ')}`);
  },
};

export const MESSAGE_COMMANDS: Command[] = [taskMail, taskSms, outbox, outboxFlush, outboxResend];
