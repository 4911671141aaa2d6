/**
 * Each user's calendar account and synchronization settings (SPEC 3.1), the log of its runs
 * and its manual-mode marks. Passwords and token caches are sealed before they are stored and
 * never leave this module in clear, except to build a provider (see providers.ts).
 */
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';

import type { SecretBox } from '../security/secrets.js';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import type { Db } from '../store/schema.js';
import type { SyncReport } from './engine/index.js';
import type { SyncAccountsTable, SyncRunsTable } from './tables.js';
import './tables.js';

/** What an account knows of its calendar, once forgotten: the next run is a first one. */
const FORGOTTEN = { sync_cursor: null, sync_cursor_saved_at: null, sync_run_mark: null };

export type SyncAccountRow = Selectable<SyncAccountsTable>;

/** How many runs the log keeps per account. */
export const RUNS_KEPT = 100;

const DEFAULTS = {
  enabled: 0,
  every_minutes: 15,
  past_days: null,
  future_days: 180,
  export_as: 'appointments',
  import_appointments: 1,
  import_tasks: 1,
} as const;

/**
 * A calendar address: http(s) only, and no `user:password@` part, which would put a secret
 * in a column shown back by GET /api/sync/settings (the password field is write-only).
 * zod runs a refinement even on a value an earlier check refused: `abort` stops at a value
 * that is no address, and the refinement reads only what parses, so that bad input is a
 * VALIDATION issue on its field, never a thrown TypeError.
 */
export const httpUrl = z
  .url({ protocol: /^https?$/, message: 'an http:// or https:// address', abort: true })
  .max(2000, 'at most 2000 characters')
  .refine(
    (url) => !URL.canParse(url) || noCredentialsIn(new URL(url)),
    'an address without a user name or password in it (use the fields for them)',
  );

function noCredentialsIn(url: URL): boolean {
  return url.username === '' && url.password === '';
}

/** What a user may change (the API's PUT body and the command line's options). */
export const settingsPatchSchema = z.object({
  enabled: z.boolean().optional(),
  everyMinutes: z
    .number()
    .int()
    .min(5, 'the minimum is 5 minutes')
    .max(7 * 24 * 60)
    .optional(),
  pastDays: z.number().int().min(0).max(3650).nullable().optional(),
  futureDays: z.number().int().min(1).max(3650).optional(),
  exportAs: z.enum(['appointments', 'tasks', 'manual']).optional(),
  importAppointments: z.boolean().optional(),
  importTasks: z.boolean().optional(),
  provider: z.enum(['caldav', 'graph']).nullable().optional(),
  caldav: z
    .object({
      serverUrl: httpUrl.nullable().optional(),
      calendarUrl: httpUrl.optional(),
      username: z.string().max(255).nullable().optional(),
      /** Write-only; `null` or absent leaves the stored one, `''` removes it. */
      password: z.string().max(1000).nullable().optional(),
    })
    .optional(),
  graph: z
    .object({
      calendarId: z.string().min(1).max(500).nullable().optional(),
      todoListId: z.string().min(1).max(500).nullable().optional(),
    })
    .optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** One run as the API and the command line show it. */
export interface SyncRun {
  id: string;
  startedAt: string;
  finishedAt: string;
  status: 'ok' | 'failed';
  listing: string | null;
  counts: Record<string, number>;
  actions: SyncReport['actions'];
  errors: RunError[];
}

export interface RunError {
  code: string;
  message: string;
  taskId?: string | null;
  ref?: string | null;
  remote?: Record<string, unknown>;
}

export class SyncAccounts {
  constructor(private readonly options: { db: Db; clock: Clock; secrets: SecretBox }) {}

  async forUser(userId: string): Promise<SyncAccountRow | null> {
    const row = await this.db
      .selectFrom('sync_accounts')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ?? null;
  }

  async get(id: string): Promise<SyncAccountRow> {
    const row = await this.db
      .selectFrom('sync_accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new OrdoError('SYNC_NOT_CONFIGURED', { details: { accountId: id } });
    return row;
  }

  /** The user's account, created with the defaults (disabled) the first time. */
  async ensure(userId: string): Promise<SyncAccountRow> {
    const found = await this.forUser(userId);
    if (found) return found;
    const now = this.options.clock.now();
    await this.db
      .insertInto('sync_accounts')
      .values({
        ...DEFAULTS,
        id: crypto.randomUUID(),
        user_id: userId,
        provider: null,
        caldav_server_url: null,
        caldav_calendar_url: null,
        caldav_username: null,
        caldav_password_sealed: null,
        graph_token_cache_sealed: null,
        graph_account: null,
        graph_calendar_id: null,
        graph_todo_list_id: null,
        sync_cursor: null,
        sync_cursor_saved_at: null,
        next_run_at: now,
        lease_until: null,
        lease_owner: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    return (await this.forUser(userId)) as SyncAccountRow;
  }

  /**
   * Applies a settings change. Pointing the account at another calendar forgets the state
   * of the old one (its pairs, cursor and run mark): the next run starts with a complete
   * listing and links what it finds by UID, label and time, so nothing is duplicated.
   */
  async update(
    userId: string,
    patch: SettingsPatch,
    context: { hasResource: boolean },
  ): Promise<SyncAccountRow> {
    const before = await this.ensure(userId);
    const changes = this.changesOf(before, patch);
    const after = { ...before, ...changes };
    if (after.enabled === 1) assertRunnable(after, context);

    const now = this.options.clock.now();
    const target = (row: SyncAccountRow) =>
      [row.provider, row.caldav_calendar_url, row.graph_calendar_id, row.graph_todo_list_id].join(
        '\n',
      );
    const moved = target(before) !== target(after);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sync_accounts')
        .set({
          ...changes,
          ...(moved ? FORGOTTEN : {}),
          // A change is tried at once rather than at the end of the old interval.
          next_run_at: now,
          updated_at: now,
        })
        .where('id', '=', before.id)
        .execute();
      if (moved) await trx.deleteFrom('sync_items').where('account_id', '=', before.id).execute();
    });
    return this.get(before.id);
  }

  /**
   * Forgets what the sync knew of the account's calendar (its pairs, cursor and run mark), as
   * when the account points at another calendar: the next run matches the calendar's items to
   * the tasks again, sends the tasks it lacks, and deletes nothing. The way on after
   * `SYNC_EMPTY_LISTING`, when the calendar was emptied on purpose. The caller holds the
   * account, so that no run saves the old state back (see `SyncWorker.startOver`).
   */
  async forgetCalendar(accountId: string): Promise<void> {
    const now = this.options.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sync_accounts')
        .set({ ...FORGOTTEN, updated_at: now })
        .where('id', '=', accountId)
        .execute();
      await trx.deleteFrom('sync_items').where('account_id', '=', accountId).execute();
    });
  }

  /**
   * Stores the Microsoft account a user just connected with the sealed MSAL cache of that
   * sign-in. Another mailbox than before is another calendar: the state of the old one (its
   * pairs, cursor and run mark) is forgotten, as when the calendar changes in the settings.
   */
  async connectGraph(
    userId: string,
    connected: { account: string; tokenCacheSealed: string },
  ): Promise<void> {
    const before = await this.ensure(userId);
    const moved =
      before.provider !== 'graph' ||
      (before.graph_account !== null && before.graph_account !== connected.account);
    const now = this.options.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sync_accounts')
        .set({
          provider: 'graph',
          graph_account: connected.account,
          graph_token_cache_sealed: connected.tokenCacheSealed,
          ...(moved ? FORGOTTEN : {}),
          next_run_at: now,
          updated_at: now,
        })
        .where('id', '=', before.id)
        .execute();
      if (moved) await trx.deleteFrom('sync_items').where('account_id', '=', before.id).execute();
    });
  }

  /**
   * Microsoft refused the stored sign-in for good (consent withdrawn, password changed): its
   * tokens are dropped, the account name is kept, and the settings show "reconnect".
   */
  async dropGraphTokens(accountId: string): Promise<void> {
    await this.db
      .updateTable('sync_accounts')
      .set({ graph_token_cache_sealed: null, updated_at: this.options.clock.now() })
      .where('id', '=', accountId)
      .where('provider', '=', 'graph')
      .execute();
  }

  /**
   * The MSAL cache of an account, sealed, for the Graph token store.
   * TODO(when users reconnect while a run of theirs renews tokens): the run's save can land
   * after the new sign-in's and put the old cache back; save only over the value loaded.
   */
  graphTokenStore(accountId: string): {
    load(): Promise<string | null>;
    save(sealed: string): Promise<void>;
  } {
    return {
      load: async () => (await this.get(accountId)).graph_token_cache_sealed,
      save: async (sealed) => {
        await this.db
          .updateTable('sync_accounts')
          .set({ graph_token_cache_sealed: sealed })
          .where('id', '=', accountId)
          .execute();
      },
    };
  }

  /** The CalDAV password in clear, to build a provider; `undefined` when none is stored. */
  caldavPassword(row: SyncAccountRow): string | undefined {
    return row.caldav_password_sealed
      ? this.options.secrets.open(row.caldav_password_sealed)
      : undefined;
  }

  async recordRun(
    accountId: string,
    run: Omit<SyncRunsTable, 'id' | 'account_id'>,
  ): Promise<SyncRun> {
    const id = crypto.randomUUID();
    await this.db
      .insertInto('sync_runs')
      .values({ ...run, id, account_id: accountId })
      .execute();
    await this.pruneRuns(accountId);
    return runOf({ ...run, id, account_id: accountId });
  }

  async listRuns(accountId: string, limit: number): Promise<SyncRun[]> {
    const rows = await this.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(runOf);
  }

  async mark(input: { accountId: string; taskId: string; kind: 'event' | 'todo' }): Promise<void> {
    const now = this.options.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('task_sync_marks')
        .values({
          account_id: input.accountId,
          task_id: input.taskId,
          kind: input.kind,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['account_id', 'task_id']).doUpdateSet({ kind: input.kind }))
        .execute();
      await touchAccount(trx, input.accountId, now);
    });
  }

  async unmark(accountId: string, taskId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('task_sync_marks')
        .where('account_id', '=', accountId)
        .where('task_id', '=', taskId)
        .execute();
      await touchAccount(trx, accountId, this.options.clock.now());
    });
  }

  private get db(): Db {
    return this.options.db;
  }

  private changesOf(row: SyncAccountRow, patch: SettingsPatch): Partial<SyncAccountRow> {
    const changes: Partial<SyncAccountRow> = {};
    if (patch.enabled !== undefined) changes.enabled = patch.enabled ? 1 : 0;
    if (patch.everyMinutes !== undefined) changes.every_minutes = patch.everyMinutes;
    if (patch.pastDays !== undefined) changes.past_days = patch.pastDays;
    if (patch.futureDays !== undefined) changes.future_days = patch.futureDays;
    if (patch.exportAs !== undefined) changes.export_as = patch.exportAs;
    if (patch.importAppointments !== undefined)
      changes.import_appointments = patch.importAppointments ? 1 : 0;
    if (patch.importTasks !== undefined) changes.import_tasks = patch.importTasks ? 1 : 0;
    if (patch.provider !== undefined) changes.provider = patch.provider;
    Object.assign(changes, this.caldavChanges(row, patch.caldav));
    if (patch.graph?.calendarId !== undefined) changes.graph_calendar_id = patch.graph.calendarId;
    if (patch.graph?.todoListId !== undefined) changes.graph_todo_list_id = patch.graph.todoListId;
    return changes;
  }

  private caldavChanges(
    row: SyncAccountRow,
    caldav: SettingsPatch['caldav'],
  ): Partial<SyncAccountRow> {
    if (!caldav) return {};
    const changes: Partial<SyncAccountRow> = {};
    if (caldav.serverUrl !== undefined) changes.caldav_server_url = caldav.serverUrl;
    if (caldav.calendarUrl !== undefined) {
      changes.caldav_calendar_url = caldav.calendarUrl;
      if (row.provider === null) changes.provider = 'caldav';
    }
    if (caldav.username !== undefined) changes.caldav_username = caldav.username || null;
    if (caldav.password === '') changes.caldav_password_sealed = null;
    else if (caldav.password)
      changes.caldav_password_sealed = this.options.secrets.seal(caldav.password);
    else if (movesToAnotherServer(row, changes)) changes.caldav_password_sealed = null;
    return changes;
  }

  private async pruneRuns(accountId: string): Promise<void> {
    const kept = await this.db
      .selectFrom('sync_runs')
      .select('started_at')
      .where('account_id', '=', accountId)
      .orderBy('started_at', 'desc')
      .offset(RUNS_KEPT - 1)
      .limit(1)
      .executeTakeFirst();
    if (!kept) return;
    await this.db
      .deleteFrom('sync_runs')
      .where('account_id', '=', accountId)
      .where('started_at', '<', kept.started_at)
      .execute();
  }
}

/**
 * The stored password was typed for the server the account pointed at: an address on
 * another origin without a new password forgets it, so changing a URL never sends the old
 * password to a host it was not meant for.
 */
function movesToAnotherServer(row: SyncAccountRow, changes: Partial<SyncAccountRow>): boolean {
  const moved = (before: string | null, after: string | null | undefined) =>
    before !== null &&
    after !== undefined &&
    after !== null &&
    originOf(after) !== originOf(before);
  return (
    moved(row.caldav_server_url, changes.caldav_server_url) ||
    moved(row.caldav_calendar_url, changes.caldav_calendar_url)
  );
}

/** Whether the stored password may be sent to `url`: one of the account's own origins. */
export function storedPasswordServes(row: SyncAccountRow, url: string): boolean {
  const origins = [row.caldav_server_url, row.caldav_calendar_url]
    .filter((value): value is string => value !== null)
    .map(originOf);
  return origins.includes(originOf(url));
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/** An account may be switched on only when it can run: a calendar and a "who I am". */
function assertRunnable(row: SyncAccountRow, context: { hasResource: boolean }): void {
  if (!context.hasResource) {
    throw new OrdoError('SYNC_NOT_CONFIGURED', {
      message: 'Choose who you are (your resource) before turning synchronization on',
      details: { field: 'resourceId' },
    });
  }
  const ready =
    (row.provider === 'caldav' && row.caldav_calendar_url) ||
    (row.provider === 'graph' && row.graph_token_cache_sealed);
  if (!ready) {
    throw new OrdoError('SYNC_NOT_CONFIGURED', {
      message: 'Choose a calendar before turning synchronization on',
      details: { field: 'provider' },
    });
  }
}

function runOf(row: Selectable<SyncRunsTable>): SyncRun {
  return {
    id: row.id,
    startedAt: new Date(Number(row.started_at)).toISOString(),
    finishedAt: new Date(Number(row.finished_at)).toISOString(),
    status: row.status,
    listing: row.listing,
    counts: JSON.parse(row.counts) as Record<string, number>,
    actions: JSON.parse(row.actions) as SyncReport['actions'],
    errors: JSON.parse(row.errors) as RunError[],
  };
}

/**
 * A manual mark changed: the account's `updated_at` says so, so the engine's no-change
 * shortcut (which reads `updated_at`, marks having no deletion time) runs in full next time.
 */
async function touchAccount(db: Db, accountId: string, now: number): Promise<void> {
  await db
    .updateTable('sync_accounts')
    .set({ updated_at: now })
    .where('id', '=', accountId)
    .execute();
}
