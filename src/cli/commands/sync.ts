/** Calendar synchronization from the command line: set an account up, run it once. */
import type { User } from '../../planning/types.js';
import type { SyncAccountRow, SyncRun } from '../../sync/accounts.js';
import { settingsPatchSchema, type SettingsPatch } from '../../sync/accounts.js';
import { discoverGuarded } from '../../sync/guarded-discovery.js';
import { syncOf } from '../../sync/capability.js';
import { startGraphConnection } from '../../sync/graph-connection.js';
import { OrdoError } from '../../shared/errors.js';
import { stringOption, type Command, type CommandContext } from '../command.js';

async function userByLogin(ctx: CommandContext, login: string | undefined) {
  if (!login)
    throw new OrdoError('VALIDATION', { message: 'Give the login', details: { field: 'login' } });
  const user = await ctx.ordo.users.findByLogin(login);
  if (!user) throw new OrdoError('USER_NOT_FOUND', { details: { login } });
  return user;
}

function numberOption(ctx: CommandContext, name: string): number | undefined {
  const text = stringOption(ctx, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) {
    throw new OrdoError('VALIDATION', {
      message: `--${name}: a whole number`,
      details: { field: name },
    });
  }
  return value;
}

function patchOf(ctx: CommandContext): SettingsPatch {
  const kinds = stringOption(ctx, 'from-calendar');
  const imports =
    kinds === undefined
      ? undefined
      : kinds
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean);
  for (const kind of imports ?? []) {
    if (kind !== 'appointments' && kind !== 'tasks') {
      throw new OrdoError('VALIDATION', {
        message: '--from-calendar: appointments, tasks, or both separated by a comma',
        details: { field: 'from-calendar' },
      });
    }
  }
  const passwordVar = stringOption(ctx, 'password-env');
  const password = passwordVar ? ctx.env[passwordVar] : undefined;
  if (passwordVar && password === undefined) {
    throw new OrdoError('VALIDATION', {
      message: `The environment variable ${passwordVar} is not set`,
      details: { field: 'password-env' },
    });
  }
  const pastDays = numberOption(ctx, 'past-days');
  const raw = {
    enabled: true,
    exportAs: stringOption(ctx, 'as'),
    everyMinutes: numberOption(ctx, 'every'),
    pastDays,
    futureDays: numberOption(ctx, 'future-days'),
    ...(imports
      ? {
          importAppointments: imports.includes('appointments'),
          importTasks: imports.includes('tasks'),
        }
      : {}),
    ...(ctx.values.graph === true
      ? {
          provider: 'graph',
          graph: {
            calendarId: stringOption(ctx, 'calendar'),
            todoListId: stringOption(ctx, 'todo-list'),
          },
        }
      : {
          caldav: {
            calendarUrl: stringOption(ctx, 'caldav'),
            serverUrl: stringOption(ctx, 'server'),
            username: stringOption(ctx, 'username'),
            ...(password !== undefined ? { password } : {}),
          },
        }),
  };
  const parsed = settingsPatchSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrdoError('VALIDATION', {
      message: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not valid'}`,
      details: { field: issue?.path.join('.') },
    });
  }
  return parsed.data;
}

const configure: Command = {
  words: ['sync', 'configure'],
  usage:
    'sync configure LOGIN (--caldav CALENDAR_URL [--username U] [--password-env VAR] [--check] ' +
    '| --graph [--calendar ID] [--todo-list ID]) [--as appointments|tasks|manual] ' +
    '[--from-calendar appointments,tasks] [--past-days N] [--future-days N] [--every MINUTES]',
  summary:
    "Points a user's synchronization at a calendar and turns it on. --caldav: a CalDAV " +
    'calendar; --check asks the server first (discovery from the calendar address) that the ' +
    'calendar is there. --graph: Microsoft 365 / Outlook.com; prints an address and a code to ' +
    'sign in with in a browser (any device), waits for the sign-in, and keeps its tokens ' +
    '(sealed); the default calendar unless --calendar, To Do tasks with --todo-list.',
  options: {
    caldav: { type: 'string' },
    server: { type: 'string' },
    username: { type: 'string' },
    'password-env': { type: 'string' },
    graph: { type: 'boolean' },
    calendar: { type: 'string' },
    'todo-list': { type: 'string' },
    as: { type: 'string' },
    'from-calendar': { type: 'string' },
    'past-days': { type: 'string' },
    'future-days': { type: 'string' },
    every: { type: 'string' },
    check: { type: 'boolean' },
  },
  async run(ctx) {
    const user = await userByLogin(ctx, ctx.positionals[0]);
    const graph = ctx.values.graph === true;
    if (graph === (stringOption(ctx, 'caldav') !== undefined)) {
      throw new OrdoError('VALIDATION', {
        message: 'Give either --caldav CALENDAR_URL or --graph',
        details: { field: graph ? 'caldav' : 'graph' },
      });
    }
    const patch = patchOf(ctx);
    if (graph) return configureGraph(ctx, { user, patch });
    if (ctx.values.check === true) await checkCalendar(patch);
    const sync = syncOf(ctx.ordo);
    await sync.accounts.update(user.id, patch, { hasResource: user.resourceId !== null });
    const row = await sync.accounts.ensure(user.id);
    const shown = {
      login: user.login,
      calendarUrl: row.caldav_calendar_url,
      username: row.caldav_username,
      passwordSet: row.caldav_password_sealed !== null,
      ...scheduleOf(row),
    };
    ctx.out.result(
      shown,
      (s: typeof shown) =>
        `Synchronization of ${s.login} with ${s.calendarUrl} is on (every ${s.everyMinutes} minutes).`,
    );
  },
};

function scheduleOf(row: SyncAccountRow) {
  return {
    exportAs: row.export_as,
    importAppointments: row.import_appointments === 1,
    importTasks: row.import_tasks === 1,
    pastDays: row.past_days,
    futureDays: row.future_days,
    everyMinutes: row.every_minutes,
  };
}

/**
 * Microsoft's device-code sign-in (RFC 8628): the user opens the address on any device and
 * types the code. With --json the prompt goes to standard error, so standard output stays
 * one JSON document. The tokens are stored only once the sign-in succeeded.
 */
async function configureGraph(
  ctx: CommandContext,
  input: { user: User; patch: SettingsPatch },
): Promise<void> {
  const { user, patch } = input;
  // Checked before the sign-in, which would be wasted otherwise.
  if (!user.resourceId) {
    throw new OrdoError('SYNC_NOT_CONFIGURED', {
      message: `${user.login} has no resource ("who I am"): give them one first`,
      details: { field: 'resourceId' },
    });
  }
  const sync = syncOf(ctx.ordo);
  // TODO(when administrators ask for it): list the mailbox's calendars and To Do lists, and
  // check --calendar and --todo-list against them, as --check does for CalDAV.
  const connection = await startGraphConnection({
    ordo: ctx.ordo,
    accounts: sync.accounts,
    userId: user.id,
    network: sync.graphNetwork,
  });
  const connected = await connection.auth.connectWithDeviceCode((prompt) => {
    if (ctx.json) ctx.out.error(prompt.message);
    else ctx.out.say(prompt.message);
  });
  await connection.save(connected);
  await sync.accounts.update(user.id, patch, { hasResource: true });

  const row = await sync.accounts.ensure(user.id);
  const shown = {
    login: user.login,
    provider: 'graph',
    account: row.graph_account,
    name: connected.name,
    calendarId: row.graph_calendar_id,
    todoListId: row.graph_todo_list_id,
    ...scheduleOf(row),
  };
  ctx.out.result(
    shown,
    (s: typeof shown) =>
      `Connected ${s.account}${s.name ? ` (${s.name})` : ''}. Synchronization of ${s.login} ` +
      `with Microsoft 365 (${s.calendarId ?? 'default'} calendar` +
      `${s.todoListId ? `, To Do list ${s.todoListId}` : ''}) is on (every ${s.everyMinutes} minutes).`,
  );
}

/** Discovery from the server (or the calendar's own address) must list the calendar. */
async function checkCalendar(patch: SettingsPatch): Promise<void> {
  const calendarUrl = patch.caldav?.calendarUrl as string;
  const calendars = await discoverGuarded({
    serverUrl: patch.caldav?.serverUrl ?? new URL('/', calendarUrl).toString(),
    username: patch.caldav?.username ?? undefined,
    password: patch.caldav?.password ?? undefined,
  });
  const wanted = new URL(calendarUrl).pathname.replace(/\/?$/, '/');
  if (!calendars.some((c) => new URL(c.url).pathname === wanted)) {
    throw new OrdoError('SYNC_NOT_CONFIGURED', {
      message: `The server lists no calendar at ${calendarUrl}`,
      details: { found: calendars.map((c) => c.url) },
    });
  }
}

function describeRun(entry: { login: string; run: SyncRun }): string {
  const { run } = entry;
  const lines = [
    `${entry.login}: ${run.status}, ${run.listing ?? 'no'} listing, ` +
      Object.entries(run.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  ];
  for (const action of run.actions) {
    const conflict = action.conflict
      ? ` (conflict: ${action.conflict.winner} won, overwrote ${action.conflict.overwritten})`
      : '';
    lines.push(
      `  ${action.action} on ${action.side}: ${action.reason}${conflict} [task ${action.taskId ?? '-'}]`,
    );
  }
  for (const error of run.errors) {
    const remote = error.remote ? ` ${JSON.stringify(error.remote).slice(0, 300)}` : '';
    lines.push(`  error ${error.code}: ${error.message}${remote}`);
  }
  return lines.join('\n');
}

const runSync: Command = {
  words: ['sync'],
  usage: 'sync [--user LOGIN] [--once] [--json]',
  summary:
    "Synchronizes the due accounts once (or the user's account, due or not) and prints what " +
    'each run did: created, changed, deleted, skipped with reasons, conflicts and errors.',
  options: { user: { type: 'string' }, once: { type: 'boolean' } },
  async run(ctx) {
    const sync = syncOf(ctx.ordo);
    const login = stringOption(ctx, 'user');
    const results: Array<{ login: string; run: SyncRun }> = [];
    if (login) {
      const user = await userByLogin(ctx, login);
      results.push({ login, run: await sync.worker.syncNow(user.id) });
    } else {
      for (const entry of await sync.worker.runDue()) {
        const user = await ctx.ordo.users.get(entry.userId);
        results.push({ login: user.login, run: entry.run });
      }
    }
    ctx.out.result(results, (list: typeof results) =>
      list.length === 0 ? 'No account was due.' : list.map(describeRun).join('\n'),
    );
    return results.some((r) => r.run.status === 'failed') ? 1 : 0;
  },
};

const startOver: Command = {
  words: ['sync', 'start-over'],
  usage: 'sync start-over LOGIN',
  summary:
    "Forgets what the user's synchronization knew of their calendar (the way on when a run " +
    'stops with SYNC_EMPTY_LISTING because the calendar was emptied or made again on purpose): ' +
    'the next run matches its items to the tasks again, sends the tasks it lacks, and deletes ' +
    'nothing.',
  options: {},
  async run(ctx) {
    const user = await userByLogin(ctx, ctx.positionals[0]);
    await syncOf(ctx.ordo).worker.startOver(user.id);
    const done = { login: user.login, startedOver: true };
    ctx.out.result(done, () => `${user.login}: the next run starts over with the calendar.`);
    return 0;
  },
};

export const SYNC_COMMANDS: Command[] = [configure, startOver, runSync];
