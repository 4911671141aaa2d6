/**
 * The synchronization scheduler. Every account is due at `next_run_at`; a process runs an
 * account only after claiming it with a lease (`lease_until`, `lease_owner`), so with several
 * server processes on one database each account is synchronized by one process at a time:
 *
 * - PostgreSQL: the due rows are read `FOR UPDATE SKIP LOCKED` and leased in one short
 *   transaction, so two processes claiming at once take different accounts;
 * - SQLite: one `UPDATE ... WHERE <due and not leased> RETURNING` statement, atomic.
 *
 * A lease is renewed while the run lasts and released at its end with the next run time; the
 * lease of a process that died runs out and the account becomes claimable again.
 */
import crypto from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';

import type { Ordo } from '../app/ordo.js';
import type { Actor } from '../planning/actor.js';
import { isOrdoError, OrdoError } from '../shared/errors.js';
import type { Database } from '../store/schema.js';
import type { SyncAccountRow, SyncAccounts, SyncRun, RunError } from './accounts.js';
import {
  runSync,
  SqlSyncStateStore,
  type SyncReport,
  type SyncSettings,
  type SyncStateDatabase,
} from './engine/index.js';
import type { GraphNetwork } from './graph-connection.js';
import { guardRefusalOf } from './guarded-fetch.js';
import { providerFor } from './providers.js';
import { SqlPlanningSide } from './sql-planning-side.js';

export interface SyncWorkerOptions {
  ordo: Ordo;
  accounts: SyncAccounts;
  /** Names this process in `lease_owner`; random by default. */
  owner?: string;
  leaseMs?: number;
  /** How often the scheduler looks for due accounts. */
  pollMs?: number;
  /** Accounts claimed per pass. */
  batch?: number;
  /** The network the providers use; tests count or break requests through it. */
  fetch?: typeof fetch;
  /** How Graph and the identity platform are reached; read at each run. */
  graphNetwork?: () => GraphNetwork;
}

export interface SyncNowOptions {
  /** The least time since the start of the account's last run; none by default. */
  minGapMs?: number;
}

export interface AccountRun {
  accountId: string;
  userId: string;
  run: SyncRun;
}

export interface SyncWorker {
  readonly owner: string;
  /** Claims the due accounts and synchronizes each once. */
  runDue(): Promise<AccountRun[]>;
  /**
   * Synchronizes one user's account now, offering again at once what the calendar refused;
   * `SYNC_ALREADY_RUNNING` (with `leaseUntil` and `retryAfterSeconds`) when another run
   * holds it, `RATE_LIMITED` (with `retryAfterSeconds`) when a run started less than
   * `minGapMs` ago.
   */
  syncNow(userId: string, options?: SyncNowOptions): Promise<SyncRun>;
  /**
   * Forgets what one user's account knew of its calendar (`SyncAccounts.forgetCalendar`),
   * holding the account meanwhile, and makes it due at once; `SYNC_ALREADY_RUNNING` when a
   * run holds it.
   */
  startOver(userId: string): Promise<void>;
  /** Claims due accounts (exposed for the claiming tests); the caller must release them. */
  claimDue(limit: number): Promise<SyncAccountRow[]>;
  release(row: SyncAccountRow): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

const MINUTE = 60_000;
/**
 * How long a claim holds without being renewed: the accounts of a process that died (killed,
 * its machine lost) are free again this long after its last renewal.
 */
const DEFAULT_LEASE_MS = 2 * MINUTE;
/** Renewals per lease: three in a row may fail (a busy database) before the claim is lost. */
const RENEWALS_PER_LEASE = 4;
/**
 * A user's "sync now" waits this long after the start of the account's last run (manual or
 * scheduled: a run that just started leaves nothing new to fetch). The last run is read from
 * `sync_runs`, so the limit holds across server processes.
 */
export const SYNC_NOW_GAP_MS = 30_000;

export function createSyncWorker(options: SyncWorkerOptions): SyncWorker {
  const { ordo, accounts } = options;
  const owner = options.owner ?? `sync-${crypto.randomUUID()}`;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const logger = ordo.logger.child({ component: 'sync-worker', owner });
  const db = ordo.store.db;
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<unknown> | null = null;
  let stopped = true;

  const notLeased = (now: number) => (eb: ExpressionBuilder<Database, 'sync_accounts'>) =>
    eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]);
  const due = (now: number) => (eb: ExpressionBuilder<Database, 'sync_accounts'>) =>
    eb.and([eb('enabled', '=', 1), eb('next_run_at', '<=', now), notLeased(now)(eb)]);
  const lease = () => ({ lease_until: ordo.clock.now() + leaseMs, lease_owner: owner });

  async function claimDue(limit: number): Promise<SyncAccountRow[]> {
    const now = ordo.clock.now();
    if (ordo.store.dialect === 'postgres') {
      return db.transaction().execute(async (trx) => {
        const ids = await trx
          .selectFrom('sync_accounts')
          .select('id')
          .where(due(now))
          .orderBy('next_run_at')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute();
        if (ids.length === 0) return [];
        const idList = ids.map((row) => row.id);
        return trx
          .updateTable('sync_accounts')
          .set(lease())
          .where('id', 'in', idList)
          .returningAll()
          .execute();
      });
    }
    // SQLite: one statement is atomic, and the database takes one writer at a time.
    return db
      .updateTable('sync_accounts')
      .set(lease())
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('sync_accounts')
          .select('id')
          .where(due(now))
          .orderBy('next_run_at')
          .limit(limit),
      )
      .where(due(now))
      .returningAll()
      .execute();
  }

  /**
   * Claims one account whatever its schedule, unless a run started after `quietSince`; `null`
   * when another process holds it or a run started since.
   */
  async function claimOne(
    accountId: string,
    quietSince: number | null,
  ): Promise<SyncAccountRow | null> {
    // One UPDATE: PostgreSQL re-checks the WHERE on the row it waited for, SQLite serializes.
    const row = await db
      .updateTable('sync_accounts')
      .set(lease())
      .where('id', '=', accountId)
      .where(notLeased(ordo.clock.now()))
      .$if(quietSince !== null, (query) =>
        query.where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('sync_runs')
                .select('sync_runs.id')
                .where('sync_runs.account_id', '=', accountId)
                .where('sync_runs.started_at', '>', quietSince as number),
            ),
          ),
        ),
      )
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Why `claimOne` refused: a run too recent, or one still holding the account. */
  async function refusalOf(accountId: string, gapMs = 0): Promise<OrdoError> {
    const [last] = await accounts.listRuns(accountId, 1);
    const wait = last ? Date.parse(last.startedAt) + gapMs - ordo.clock.now() : 0;
    if (wait > 0) {
      return new OrdoError('RATE_LIMITED', {
        message: 'A synchronization ran moments ago: try again shortly',
        details: { accountId, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) },
      });
    }
    return alreadyRunning(await accounts.get(accountId));
  }

  /** Says when the lease ends: the run renews it while it lasts, a dead process does not. */
  function alreadyRunning(row: SyncAccountRow): OrdoError {
    const now = ordo.clock.now();
    const until = Math.max(now, Number(row.lease_until ?? now));
    const leaseUntil = new Date(until).toISOString();
    return new OrdoError('SYNC_ALREADY_RUNNING', {
      message:
        'A synchronization is already running (if its process stopped, the account is free ' +
        `again at ${leaseUntil})`,
      details: {
        accountId: row.id,
        leaseUntil,
        retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
      },
    });
  }

  async function release(row: SyncAccountRow, nextRunAt?: number): Promise<void> {
    const current = await accounts.get(row.id);
    await db
      .updateTable('sync_accounts')
      .set({
        lease_until: null,
        lease_owner: null,
        next_run_at: nextRunAt ?? ordo.clock.now() + current.every_minutes * MINUTE,
      })
      .where('id', '=', row.id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Keeps the lease while a long run lasts. */
  function keepLease(row: SyncAccountRow): () => void {
    const renew = setInterval(
      () => {
        void db
          .updateTable('sync_accounts')
          .set({ lease_until: ordo.clock.now() + leaseMs })
          .where('id', '=', row.id)
          .where('lease_owner', '=', owner)
          .execute()
          .catch((error: unknown) =>
            logger.warn({ err: error, accountId: row.id }, 'lease renewal failed'),
          );
      },
      Math.max(1_000, Math.floor(leaseMs / RENEWALS_PER_LEASE)),
    );
    renew.unref();
    return () => clearInterval(renew);
  }

  /** Runs a claimed account; `asked` when a user or the command line asked for the run. */
  async function runClaimed(row: SyncAccountRow, how = { asked: false }): Promise<SyncRun> {
    const stopRenewing = keepLease(row);
    const startedAt = ordo.clock.now();
    try {
      const report = await runAccount(row, how.asked);
      return await accounts.recordRun(row.id, {
        started_at: report.startedAt,
        finished_at: report.finishedAt,
        status: 'ok',
        listing: report.listing,
        counts: JSON.stringify(report.counts),
        actions: JSON.stringify(report.actions),
        errors: JSON.stringify(report.errors),
      });
    } catch (error) {
      const failure = runErrorOf(error);
      logger.warn(
        { accountId: row.id, code: failure.code, remote: failure.remote },
        'sync run failed',
      );
      if (failure.code === 'SYNC_RECONNECT') await accounts.dropGraphTokens(row.id);
      return await accounts.recordRun(row.id, {
        started_at: startedAt,
        finished_at: ordo.clock.now(),
        status: 'failed',
        listing: null,
        counts: JSON.stringify({}),
        actions: JSON.stringify([]),
        errors: JSON.stringify([failure]),
      });
    } finally {
      stopRenewing();
      await release(row);
    }
  }

  async function runAccount(row: SyncAccountRow, asked: boolean): Promise<SyncReport> {
    const user = await ordo.users.get(row.user_id);
    const actor = (await ordo.users.actorFor(user)) as Extract<Actor, { kind: 'user' }>;
    const timeZone = await ordo.settings.get('company.timeZone');
    const carryReminders = !(await ordo.settings.get('task.reminderByDate'));
    const runLogger = logger.child({ accountId: row.id, userId: row.user_id });
    return runSync({
      provider: await providerFor(row, {
        ordo,
        accounts,
        timeZone,
        logger: runLogger,
        fetch: options.fetch,
        graphNetwork: options.graphNetwork?.(),
      }),
      planning: new SqlPlanningSide({ ordo, accountId: row.id, actor, carryReminders }),
      state: new SqlSyncStateStore({
        db: db as unknown as Kysely<SyncStateDatabase>,
        accountId: row.id,
        clock: ordo.clock,
      }),
      settings: engineSettings(row, { timeZone, carryReminders }),
      clock: ordo.clock,
      logger: runLogger,
      asked,
    });
  }

  // TODO(when one process serves more accounts than a pass can run in `every_minutes`): run
  // the claimed accounts a few at a time instead of one after the other, and wake the
  // scheduler when a user's task changes instead of waiting for the account's next turn.
  async function runDue(): Promise<AccountRun[]> {
    const claimed = await claimDue(options.batch ?? 10);
    const runs: AccountRun[] = [];
    for (const row of claimed) {
      runs.push({ accountId: row.id, userId: row.user_id, run: await runClaimed(row) });
    }
    return runs;
  }

  /** Claims a user's account outside its schedule; refused as `syncNow` says. */
  async function claimUserAccount(userId: string, gap?: number): Promise<SyncAccountRow> {
    const row = await accounts.forUser(userId);
    if (!row?.provider) throw new OrdoError('SYNC_NOT_CONFIGURED', { details: { userId } });
    const claimed = await claimOne(row.id, gap ? ordo.clock.now() - gap : null);
    if (!claimed) throw await refusalOf(row.id, gap);
    return claimed;
  }

  async function syncNow(userId: string, limits: SyncNowOptions = {}): Promise<SyncRun> {
    const claimed = await claimUserAccount(userId, limits.minGapMs);
    return runClaimed(claimed, { asked: true });
  }

  async function startOver(userId: string): Promise<void> {
    const claimed = await claimUserAccount(userId);
    try {
      await accounts.forgetCalendar(claimed.id);
    } finally {
      await release(claimed, ordo.clock.now());
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      pass = runDue()
        .catch((error: unknown) => logger.error({ err: error }, 'sync pass failed'))
        .finally(() => {
          pass = null;
          schedule();
        });
    }, options.pollMs ?? 30_000);
    timer.unref();
  }

  return {
    owner,
    runDue,
    syncNow,
    startOver,
    claimDue,
    release,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pass;
    },
  };
}

/** The engine's settings from an account's row and the company options. */
export function engineSettings(
  row: SyncAccountRow,
  company: { timeZone: string; carryReminders: boolean },
): SyncSettings {
  return {
    exportAs: row.export_as,
    importAppointments: row.import_appointments === 1,
    importTasks: row.import_tasks === 1,
    carryReminders: company.carryReminders,
    pastDays: row.past_days ?? 0,
    futureDays: row.future_days,
    timeZone: company.timeZone,
  };
}

/** What the log keeps of a failed run: the code, the message, what the server answered. */
function runErrorOf(thrown: unknown): RunError {
  // The DAV client reports a refused address as an unreachable server: say what it was.
  const error = guardRefusalOf(thrown) ?? thrown;
  if (isOrdoError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.remote ? { remote: error.remote } : {}),
    };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
