/** Commands on the planning itself: tasks, resources, clients. */
import { SYSTEM } from '../../planning/actor.js';
import { addDays } from '../../planning/time.js';
import type { TaskTiming } from '../../planning/types.js';
import { OrdoError } from '../../shared/errors.js';
import { stringOption, type Command, type CommandContext } from '../command.js';
import { parseMoment, parseRange } from '../dates.js';
import { taskNames, taskToJson, type TaskJson } from '../task-json.js';

function required(ctx: CommandContext, name: string): string {
  const value = stringOption(ctx, name);
  if (value === undefined || value === '') {
    throw new OrdoError('VALIDATION', {
      message: `--${name} is required`,
      details: { field: name },
    });
  }
  return value;
}

async function resourceByName(ctx: CommandContext, name: string) {
  const resource = await ctx.ordo.directory.findResourceByName(name);
  if (!resource) {
    throw new OrdoError('RESOURCE_NOT_FOUND', { message: `No resource named ${name}` });
  }
  return resource;
}

function formatTask(t: TaskJson): string {
  const who = t.resources.join(', ') || '-';
  return `${t.start}  ${t.end}  ${t.label}  [${who}]${t.client ? `  (${t.client})` : ''}  ${t.id}`;
}

const tasks: Command = {
  words: ['tasks'],
  usage: 'tasks --from DATE --to DATE [--resource NAME] [--json]',
  summary: 'Lists the tasks overlapping the range (a date --to includes that day).',
  options: { from: { type: 'string' }, to: { type: 'string' }, resource: { type: 'string' } },
  async run(ctx) {
    const timeZone = await ctx.ordo.settings.get('company.timeZone');
    const range = parseRange(required(ctx, 'from'), required(ctx, 'to'), timeZone);
    const name = stringOption(ctx, 'resource');
    const resourceId = name ? (await resourceByName(ctx, name)).id : undefined;
    const found = await ctx.ordo.tasks.list(SYSTEM, { ...range, resourceId });
    const names = await taskNames(ctx.ordo);
    const json = found.map((t) => taskToJson(t, names));
    ctx.out.result(json, (list: TaskJson[]) =>
      list.length === 0 ? 'No tasks.' : list.map(formatTask).join('\n'),
    );
  },
};

function timingFrom(start: string, end: string, timeZone: string): TaskTiming {
  const s = parseMoment(start, timeZone, 'start');
  const e = parseMoment(end, timeZone, 'end');
  if ('date' in s && 'date' in e) {
    // On the command line an all-day task's --end names its last day.
    return { allDay: true, startDate: s.date, endDate: addDays(e.date, 1) };
  }
  if ('instant' in s && 'instant' in e) return { allDay: false, start: s.instant, end: e.instant };
  throw new OrdoError('VALIDATION', {
    message: '--start and --end must both be dates (all-day) or both date-times',
    details: { field: 'end' },
  });
}

const taskAdd: Command = {
  words: ['task', 'add'],
  usage:
    'task add --label L --start S --end E --resource NAME [--client NAME] [--remark R] ' +
    '[--reminder MINUTES]',
  summary: "Adds a task to a resource's planning and prints its id.",
  options: {
    label: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    resource: { type: 'string' },
    client: { type: 'string' },
    remark: { type: 'string' },
    reminder: { type: 'string' },
  },
  async run(ctx) {
    const timeZone = await ctx.ordo.settings.get('company.timeZone');
    const timing = timingFrom(required(ctx, 'start'), required(ctx, 'end'), timeZone);
    const resource = await resourceByName(ctx, required(ctx, 'resource'));
    const clientName = stringOption(ctx, 'client');
    const client = clientName ? await ctx.ordo.directory.findClientByName(clientName) : null;
    if (clientName && !client) {
      throw new OrdoError('CLIENT_NOT_FOUND', { message: `No client named ${clientName}` });
    }
    const reminderText = stringOption(ctx, 'reminder');
    const minutes = reminderText === undefined ? null : Number(reminderText);
    if (minutes !== null && (!Number.isInteger(minutes) || minutes < 0)) {
      throw new OrdoError('VALIDATION', {
        message: '--reminder is a whole number of minutes before the start',
        details: { field: 'reminder' },
      });
    }
    const label = required(ctx, 'label').trim();
    if (!label || label.length > 500) {
      throw new OrdoError('VALIDATION', { message: 'A label of 1 to 500 characters is needed' });
    }
    const task = await ctx.ordo.tasks.create({
      actor: SYSTEM,
      input: {
        label,
        timing,
        resourceIds: [resource.id],
        clientId: client?.id ?? null,
        remark: stringOption(ctx, 'remark') ?? '',
        location: '',
        category: '',
        reminder: minutes === null ? { kind: 'none' } : { kind: 'before', minutes },
        private: false,
      },
    });
    ctx.out.result(taskToJson(task, await taskNames(ctx.ordo)), (t: TaskJson) => t.id);
  },
};

const taskDelete: Command = {
  words: ['task', 'delete'],
  usage: 'task delete ID',
  summary: 'Deletes a task.',
  async run(ctx) {
    const id = ctx.positionals[0];
    if (!id) throw new OrdoError('VALIDATION', { message: 'Which task? ordo task delete ID' });
    const task = await ctx.ordo.tasks.delete({ actor: SYSTEM, id });
    ctx.out.result({ deleted: task.id }, () => `Deleted ${task.label} (${task.id})`);
  },
};

const cardOptions = { email: { type: 'string' }, mobile: { type: 'string' } } as const;

const resourceAdd: Command = {
  words: ['resource', 'add'],
  usage: 'resource add NAME [--email E] [--mobile M] [--material]',
  summary: 'Adds a resource (a person, or with --material an item of equipment).',
  options: { ...cardOptions, material: { type: 'boolean' } },
  async run(ctx) {
    const name = ctx.positionals.join(' ');
    const resource = await ctx.ordo.directory.createResource({
      name,
      email: stringOption(ctx, 'email'),
      mobile: stringOption(ctx, 'mobile'),
      kind: ctx.values.material ? 'material' : 'human',
    });
    ctx.out.result(resource, () => `Added resource ${resource.name} (${resource.id})`);
  },
};

const clientAdd: Command = {
  words: ['client', 'add'],
  usage: 'client add NAME [--email E] [--mobile M]',
  summary: 'Adds a client.',
  options: cardOptions,
  async run(ctx) {
    const client = await ctx.ordo.directory.createClient({
      name: ctx.positionals.join(' '),
      email: stringOption(ctx, 'email'),
      mobile: stringOption(ctx, 'mobile'),
    });
    ctx.out.result(client, () => `Added client ${client.name} (${client.id})`);
  },
};

export const PLANNING_COMMANDS: Command[] = [tasks, taskAdd, taskDelete, resourceAdd, clientAdd];
