/**
 * The scheduler's claims: two workers (two Ordo processes' worth of connections) on one
 * PostgreSQL schema never hold, nor run, the same account at once; SQLite's single UPDATE
 * claims as well; "sync now" on a leased account is a 409. Also what an account keeps between
 * runs, and forgets when it is pointed at another calendar.
 */
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createOrdo, type Ordo } from '../app/ordo.js';
import { isOrdoError, type OrdoError } from '../shared/errors.js';
import { ManualClock } from '../shared/clock.js';
import { describeWithServer, startRadicale } from '../test-support/caldav-servers.js';
import { createTestOrdo, postgresAvailable, type TestDialect } from '../test-support/ordo.js';
import { syncOf } from './capability.js';
import { SqlSyncStateStore, type SyncStateDatabase } from './engine/index.js';
import { T0 } from './e2e-kit.js';

const DIALECTS: TestDialect[] = (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
const opened: Ordo[] = [];

afterEach(async () => {
  for (const ordo of opened.splice(0).reverse()) await ordo.close();
});

/** A first Ordo, and on PostgreSQL a second one on the same schema (another process). */
async function twoProcesses(dialect: TestDialect, clock: ManualClock): Promise<[Ordo, Ordo]> {
  const first = await createTestOrdo({ dialect, clock });
  opened.push(first);
  if (dialect === 'sqlite') return [first, first];
  const second = await createOrdo({ config: first.config, clock });
  opened.push(second);
  return [first, second];
}

async function addAccounts(ordo: Ordo, count: number, calendarUrl: (i: number) => Promise<string>) {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const resource = await ordo.directory.createResource({ name: `Person ${i}`, kind: 'human' });
    const user = await ordo.users.create({
      login: `user${i}`,
      password: 'a-password-1',
      resourceId: resource.id,
      defaultAccess: 'write',
    });
    const account = await syncOf(ordo).accounts.update(
      user.id,
      {
        enabled: true,
        caldav: { calendarUrl: await calendarUrl(i), username: 'ordo', password: 'x' },
      },
      { hasResource: true },
    );
    ids.push(account.id);
  }
  return ids;
}

for (const dialect of DIALECTS) {
  describe(`sync claims on ${dialect}`, () => {
    it('two workers claiming at once take different accounts, each once', async () => {
      const clock = new ManualClock(T0);
      const [a, b] = await twoProcesses(dialect, clock);
      const ids = await addAccounts(a, 8, async (i) => `http://127.0.0.1:9/cal-${i}/`);
      const workerA = syncOf(a).createWorker({ owner: 'A' });
      const workerB = syncOf(b).createWorker({ owner: 'B' });

      const rounds = await Promise.all([
        workerA.claimDue(5),
        workerB.claimDue(5),
        workerA.claimDue(5),
        workerB.claimDue(5),
      ]);
      const claimed = rounds.flat().map((row) => row.id);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect([...claimed].sort()).toEqual([...ids].sort());

      // Leased: nothing is due until released; "sync now" is refused meanwhile, saying until
      // when the lease holds if its process died.
      expect(await workerA.claimDue(10)).toEqual([]);
      const row = rounds.flat()[0]!;
      clock.advance(30_000);
      const error = await workerB.syncNow(row.user_id).catch((e: unknown) => e);
      expect(isOrdoError(error, 'SYNC_ALREADY_RUNNING')).toBe(true);
      const leaseUntil = new Date(T0 + 2 * 60_000).toISOString();
      expect((error as OrdoError).details).toEqual({
        accountId: row.id,
        leaseUntil,
        retryAfterSeconds: 90,
      });
      expect((error as OrdoError).message).toContain(leaseUntil);

      // A lease that ran out (its process died) is claimable again, two minutes on.
      clock.set(T0 + 2 * 60_000 - 1);
      expect(await workerB.claimDue(20)).toEqual([]);
      clock.advance(1);
      expect((await workerB.claimDue(20)).length).toBe(8);
    });

    it('a running synchronization renews its lease every 30 seconds', async () => {
      const clock = new ManualClock(T0);
      const [ordo] = await twoProcesses(dialect, clock);
      const [id] = await addAccounts(ordo, 1, async () => 'http://127.0.0.1:9/cal/');
      let reached: () => void = () => undefined;
      const called = new Promise<void>((resolve) => (reached = resolve));
      // The calendar does not answer until the test lets it refuse (403: not retried).
      let answer: () => void = () => undefined;
      const answered = new Promise<void>((resolve) => (answer = resolve));
      const hanging: typeof fetch = async () => {
        reached();
        await answered;
        return new Response('', { status: 403 });
      };
      const leaseOf = async () => {
        const row = await syncOf(ordo).accounts.get(id!);
        return row.lease_until === null ? null : Number(row.lease_until);
      };
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      try {
        const worker = syncOf(ordo).createWorker({ owner: 'A', fetch: hanging });
        const running = worker.syncNow((await syncOf(ordo).accounts.get(id!)).user_id);
        await called;
        expect(await leaseOf()).toBe(T0 + 2 * 60_000);

        clock.advance(30_000);
        vi.advanceTimersByTime(30_000);
        await vi.waitFor(async () => expect(await leaseOf()).toBe(T0 + 30_000 + 2 * 60_000));

        answer();
        expect((await running).status).toBe('failed');
        expect(await leaseOf()).toBeNull();
      } finally {
        vi.useRealTimers();
      }
    });

    it('an account pointed at another calendar forgets what it knew of the old one', async () => {
      const clock = new ManualClock(T0);
      const [ordo] = await twoProcesses(dialect, clock);
      const [id] = await addAccounts(ordo, 1, async () => 'http://127.0.0.1:9/old/');
      const db = ordo.store.db as unknown as Kysely<SyncStateDatabase>;
      const state = new SqlSyncStateStore({ db, accountId: id!, clock });
      await state.savePair({
        taskId: 'task-1',
        ref: 'task-1.ics',
        uid: 'task-1',
        kind: 'event',
        etag: '"1"',
        planningHash: 'p',
        remoteHash: 'r',
        startsAt: T0,
        endsAt: T0 + 3_600_000,
        planningDeletedSeenAt: null,
        remoteDeletedSeenAt: null,
      });
      const refused = { refusals: 9, retryAt: T0 + 6 * 3_600_000, recheck: ['task-1.ics'] };
      await state.saveCursor('token-1', { settledAt: T0, fingerprint: 'f', ...refused });

      const row = await syncOf(ordo).accounts.get(id!);
      await syncOf(ordo).accounts.update(
        row.user_id,
        { caldav: { calendarUrl: 'http://127.0.0.1:9/new/' } },
        { hasResource: true },
      );
      expect(await state.loadCursor()).toBeNull();
      expect(await state.loadRunMark()).toBeNull();
      expect(await state.loadPairs()).toEqual([]);
    });
  });
}

if (DIALECTS.includes('postgres')) {
  describeWithServer('two workers on one PostgreSQL schema, real runs', startRadicale, (server) => {
    it('never synchronize the same account at once', async () => {
      const clock = new ManualClock(T0);
      const [a, b] = await twoProcesses('postgres', clock);
      const ids = await addAccounts(a, 6, () => server().createCalendar());
      await a.store.db
        .updateTable('sync_accounts')
        .set({ caldav_username: server().username ?? null })
        .execute();
      for (const id of ids) {
        const row = await syncOf(a).accounts.get(id);
        await syncOf(a).accounts.update(
          row.user_id,
          { caldav: { password: server().password ?? '' } },
          { hasResource: true },
        );
      }

      // Each account's calendar answers slowly, so overlapping runs would show. One run may
      // send several requests at once (appointments and tasks); an overlap is two workers on
      // one calendar at the same time.
      const active = new Map<string, Map<string, number>>();
      let overlaps = 0;
      const slowFor =
        (owner: string): typeof fetch =>
        async (input, init) => {
          const calendar = new URL(String(input)).pathname.split('/').slice(0, 3).join('/');
          const owners = active.get(calendar) ?? new Map<string, number>();
          active.set(calendar, owners);
          owners.set(owner, (owners.get(owner) ?? 0) + 1);
          if ([...owners.keys()].some((other) => other !== owner && owners.get(other)! > 0)) {
            overlaps += 1;
          }
          try {
            await new Promise((done) => setTimeout(done, 20));
            return await fetch(input, init);
          } finally {
            owners.set(owner, owners.get(owner)! - 1);
          }
        };
      const workerA = syncOf(a).createWorker({ owner: 'A', fetch: slowFor('A'), batch: 2 });
      const workerB = syncOf(b).createWorker({ owner: 'B', fetch: slowFor('B'), batch: 2 });
      const drain = async (worker: typeof workerA) => {
        const all = [];
        for (let runs = await worker.runDue(); runs.length > 0; runs = await worker.runDue())
          all.push(...runs);
        return all;
      };
      const [byA, byB] = await Promise.all([drain(workerA), drain(workerB)]);

      const accountsRun = [...byA, ...byB].map((r) => r.accountId).sort();
      expect(accountsRun).toEqual([...ids].sort());
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
      expect([...byA, ...byB].every((r) => r.run.status === 'ok')).toBe(true);
      expect(overlaps).toBe(0);
      const next = await a.store.db
        .selectFrom('sync_accounts')
        .select(['next_run_at', 'lease_owner'])
        .execute();
      expect(
        next.every((r) => r.lease_owner === null && Number(r.next_run_at) === T0 + 15 * 60_000),
      ).toBe(true);
    });
  });
}
