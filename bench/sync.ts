/**
 * CalDAV sync against a real Radicale on loopback holding 5,000 events (TZID Europe/Paris with
 * its VTIMEZONE, descriptions, some alarms), three steps each: the first sync, a sync with
 * nothing changed, a sync after 100 events were changed on the server (HTTP PUT).
 *
 * - ordo: the engine (runSync) with the CalDAV provider on the server's guarded fetch
 *   (requests counted under it), on Ordo's SQL planning side and state store over a SQLite
 *   file (SYNC_BENCH_SIDES=memory: the engine's in-memory ones); `ordoInitialSplit` says where
 *   the first sync's time went (the listing: requests and parsing; planning writes; state
 *   writes; the rest is the engine).
 * - vdirsyncer (Debian package): a pair between the calendar and a folder, `discover` once,
 *   then `sync` for each step.
 * - floor: the server's own minimum for each work: one calendar-query returning every object;
 *   one request saying nothing changed (the cheaper of getctag and sync-collection); that
 *   plus one multiget of the 100 changed objects. The floor reads the answers as text and
 *   parses nothing. `floor.initialWithTokenMs` adds to the first one the PROPFIND reading the
 *   sync-token before it: what any client that can continue incrementally must ask at least
 *   (a token read after the listing could miss a change made in between).
 *
 * The events are written straight into Radicale's storage folder before it starts (creating
 * them one by one over HTTP takes minutes: Radicale checks the whole collection on each PUT),
 * and one untimed listing fills Radicale's item cache before anything is measured.
 * SYNC_BENCH_ROUNDS (default 3) repeats the floor and ordo measures, one after the other;
 * medians are reported.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';

import { createOrdo } from '../src/app/ordo.js';
import { loadConfig } from '../src/config/config.js';
import { SYSTEM as SYSTEM_ACTOR, type Actor } from '../src/planning/actor.js';
import { ManualClock, type Clock } from '../src/shared/clock.js';
import { silentLogger } from '../src/shared/logger.js';
import { createCalDavProvider } from '../src/sync/caldav/index.js';
import {
  calendarQueryBody,
  multigetBody,
  propfindBody,
  syncCollectionBody,
  XML_HEADERS,
} from '../src/sync/caldav/dav-bodies.js';
import {
  MemoryPlanning,
  MemorySyncStateStore,
  runSync,
  SqlSyncStateStore,
  type PlanningSide,
  type SyncSettings,
  type SyncStateDatabase,
  type SyncStateStore,
} from '../src/sync/engine/index.js';
import { syncOf } from '../src/sync/capability.js';
import { createGuardedFetch, SYNC_LIMITS } from '../src/sync/guarded-fetch.js';
import { SqlPlanningSide } from '../src/sync/sql-planning-side.js';
import { commandExists, startRadicale } from '../src/test-support/caldav-servers.js';
import { percentile, printResult, round, timed } from './helpers.js';
import {
  CALENDAR,
  DAY,
  eventIcs,
  EVENTS,
  NOW,
  PASSWORD,
  uidOf,
  USER,
  writeStorage,
  ZONE,
} from './sync-calendar.js';

const CHANGES = 100;
const ROUNDS = Number(process.env['SYNC_BENCH_ROUNDS'] ?? 3);
/**
 * `sql` (default): Ordo's own SQL planning side and state store on a SQLite file, as the
 * sync worker composes them; `memory`: the engine's in-memory planning and state store.
 */
const SIDES = process.env['SYNC_BENCH_SIDES'] === 'memory' ? 'memory' : 'sql';
const SIDES_TEXT =
  SIDES === 'sql'
    ? 'SqlPlanningSide + SqlSyncStateStore (SQLite file)'
    : 'MemoryPlanning + MemorySyncStateStore';
const SETTINGS: SyncSettings = {
  exportAs: 'appointments',
  importAppointments: true,
  importTasks: true,
  carryReminders: true,
  pastDays: 40,
  futureDays: 400,
  timeZone: ZONE,
};
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

// ---- Radicale ----

// ---- Requests ----

interface Answer {
  status: number;
  body: string;
}

async function dav(options: {
  method: string;
  url: string;
  depth?: string;
  body?: string;
  headers?: Record<string, string>;
}): Promise<Answer> {
  const response = await fetch(options.url, {
    method: options.method,
    headers: {
      Authorization: AUTH,
      ...(options.body ? XML_HEADERS : {}),
      ...(options.depth ? { Depth: options.depth } : {}),
      ...options.headers,
    },
    body: options.body,
  });
  return { status: response.status, body: await response.text() };
}

function expectStatus(answer: Answer, status: number, what: string): Answer {
  if (answer.status !== status) {
    throw new Error(`${what} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  return answer;
}

/** Every object, without a time-range: what a first sync must transfer at least. */
function everyEventQuery(): string {
  return calendarQueryBody({ component: null });
}

function syncTokenOf(body: string): string {
  const token = /<(?:\w+:)?sync-token>([^<]+)</.exec(body)?.[1];
  if (!token) throw new Error(`no sync-token in: ${body.slice(0, 300)}`);
  return token;
}

async function currentToken(calendarUrl: string): Promise<string> {
  const answer = await dav({
    method: 'PROPFIND',
    url: calendarUrl,
    depth: '0',
    body: propfindBody(['D:sync-token']),
  });
  return syncTokenOf(expectStatus(answer, 207, 'PROPFIND sync-token').body);
}

let editRound = 0;

/** Changes `CHANGES` events through HTTP PUT, a few at a time; returns their hrefs. */
async function changeOnServer(calendarUrl: string): Promise<string[]> {
  editRound += 1;
  const indexes = Array.from({ length: CHANGES }, (_, i) => (i * 47 + editRound * 13) % EVENTS);
  const hrefs = indexes.map((i) => new URL(`${uidOf(i)}.ics`, calendarUrl).pathname);
  const queue = [...indexes];
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const answer = await dav({
        method: 'PUT',
        url: new URL(`${uidOf(index)}.ics`, calendarUrl).toString(),
        body: eventIcs(index, editRound),
        headers: { 'Content-Type': 'text/calendar; charset=utf-8' },
      });
      if (answer.status !== 201 && answer.status !== 204) {
        throw new Error(`PUT answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return hrefs;
}

// ---- Floor ----

interface Figures {
  initialMs: number;
  noChangeMs: number;
  changes100Ms: number;
}

async function measureFloorOnce(
  calendarUrl: string,
): Promise<Figures & { initialWithTokenMs: number; detail: string }> {
  const withToken = await timed(async () => {
    await currentToken(calendarUrl);
    return dav({ method: 'REPORT', url: calendarUrl, depth: '1', body: everyEventQuery() });
  });
  expectStatus(withToken.value, 207, 'calendar-query');
  const initial = await timed(async () => {
    const answer = await dav({
      method: 'REPORT',
      url: calendarUrl,
      depth: '1',
      body: everyEventQuery(),
    });
    return expectStatus(answer, 207, 'calendar-query');
  });
  const objects = initial.value.body.split('BEGIN:VEVENT').length - 1;
  if (objects !== EVENTS) throw new Error(`the calendar-query returned ${objects} events`);

  const token = await currentToken(calendarUrl);
  const ctag = await timed(async () =>
    expectStatus(
      await dav({
        method: 'PROPFIND',
        url: calendarUrl,
        depth: '0',
        body: propfindBody(['CS:getctag']),
      }),
      207,
      'PROPFIND getctag',
    ),
  );
  const quiet = await timed(async () =>
    expectStatus(
      await dav({
        method: 'REPORT',
        url: calendarUrl,
        depth: '0',
        body: syncCollectionBody(token),
      }),
      207,
      'sync-collection',
    ),
  );

  const hrefs = await changeOnServer(calendarUrl);
  const changed = await timed(async () => {
    expectStatus(
      await dav({
        method: 'REPORT',
        url: calendarUrl,
        depth: '0',
        body: syncCollectionBody(token),
      }),
      207,
      'sync-collection',
    );
    const data = expectStatus(
      await dav({ method: 'REPORT', url: calendarUrl, depth: '1', body: multigetBody(hrefs) }),
      207,
      'calendar-multiget',
    );
    return { objects: data.body.split('BEGIN:VEVENT').length - 1 };
  });
  if (changed.value.objects !== CHANGES) {
    throw new Error(`the multiget returned ${changed.value.objects} events`);
  }
  const noChangeMs = Math.min(ctag.ms, quiet.ms);
  return {
    initialMs: initial.ms,
    initialWithTokenMs: withToken.ms,
    noChangeMs,
    changes100Ms: changed.ms,
    detail:
      `getctag ${round(ctag.ms)} ms, sync-collection ${round(quiet.ms)} ms, ` +
      `initial body ${round(initial.value.body.length / 1e6, 2)} MB`,
  };
}

// ---- Ordo ----

interface OrdoRound extends Figures {
  noChangeRequests: number;
  initialRequests: number;
  changes100Requests: number;
  counts: string[];
  /** The first sync's time by where it went. */
  initialSplit: Split;
}

interface Sides {
  planning: PlanningSide;
  state: SyncStateStore;
  clock: Clock;
  tasks: () => Promise<number>;
  close: () => Promise<void>;
}

function memorySides(): Sides {
  const clock = new ManualClock(NOW);
  const planning = new MemoryPlanning(clock, ZONE);
  return {
    planning,
    state: new MemorySyncStateStore(),
    clock: { now: () => (clock.advance(1), clock.now()) },
    tasks: async () => planning.tasks.size,
    close: async () => undefined,
  };
}

/** A fresh Ordo on a SQLite file, one user whose resource is synchronized, as the worker does. */
async function sqlSides(): Promise<Sides> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-sync-bench-'));
  const config = loadConfig({
    env: { ORDO_SECRET_KEY: crypto.randomBytes(32).toString('base64') },
    flags: { dataDir },
  });
  const ordo = await createOrdo({ config });
  await ordo.settings.set('company.timeZone', ZONE);
  const resource = await ordo.directory.createResource({ name: 'Alice Martin' });
  const user = await ordo.users.create({
    login: 'alice',
    password: 'correct horse battery',
    resourceId: resource.id,
  });
  const account = await syncOf(ordo).accounts.ensure(user.id);
  const actor = (await ordo.users.actorFor(user)) as Extract<Actor, { kind: 'user' }>;
  return {
    planning: new SqlPlanningSide({ ordo, accountId: account.id, actor, carryReminders: true }),
    state: new SqlSyncStateStore({
      db: ordo.store.db as unknown as Kysely<SyncStateDatabase>,
      accountId: account.id,
      clock: ordo.clock,
    }),
    clock: ordo.clock,
    tasks: async () =>
      (await ordo.tasks.list(SYSTEM_ACTOR, { from: 0, to: NOW + 1000 * DAY })).length,
    close: async () => {
      await ordo.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where a run's time went; what is left of its duration is the engine's own work. */
interface Split {
  listingMs: number;
  planningWritesMs: number;
  stateWritesMs: number;
}

/** `target` with `methods` timed into `split[into]` (other members reached through it). */
function metered<T extends object>(
  target: T,
  options: { methods: string[]; split: Split; into: keyof Split },
): T {
  const wrapped = Object.create(target) as Record<string, unknown>;
  for (const name of options.methods) {
    const method = (target as Record<string, unknown>)[name];
    if (typeof method !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      const start = performance.now();
      try {
        return await (method as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      } finally {
        options.split[options.into] += performance.now() - start;
      }
    };
  }
  return wrapped as T;
}

async function measureOrdoOnce(calendarUrl: string): Promise<OrdoRound> {
  let requests = 0;
  const split: Split = { listingMs: 0, planningWritesMs: 0, stateWritesMs: 0 };
  const bare = createCalDavProvider({
    calendarUrl,
    username: USER,
    password: PASSWORD,
    timeZone: ZONE,
    // The guarded fetch the server composes the provider with (src/sync/providers.ts).
    fetch: createGuardedFetch({
      ...SYNC_LIMITS,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    }),
  });
  const provider = metered(bare, { methods: ['listChanges'], split, into: 'listingMs' });
  const sides = SIDES === 'sql' ? await sqlSides() : memorySides();
  const planning = metered(sides.planning, {
    methods: ['createTask', 'createTasks', 'updateTask', 'deleteTask'],
    split,
    into: 'planningWritesMs',
  });
  const state = metered(sides.state, {
    methods: ['savePair', 'savePairs', 'deletePair', 'saveIntent', 'deleteIntent'],
    split,
    into: 'stateWritesMs',
  });
  const sync = () =>
    runSync({
      provider,
      planning,
      state,
      settings: SETTINGS,
      clock: sides.clock,
      logger: silentLogger(),
    });

  const step = async (change: boolean) => {
    if (change) await changeOnServer(calendarUrl);
    const before = requests;
    const run = await timed(sync);
    if (run.value.errors.length > 0) {
      throw new Error(`sync errors: ${JSON.stringify(run.value.errors.slice(0, 3))}`);
    }
    return { ms: run.ms, requests: requests - before, counts: JSON.stringify(run.value.counts) };
  };
  try {
    const initial = await step(false);
    const initialSplit = { ...split };
    const imported = await sides.tasks();
    if (imported !== EVENTS) throw new Error(`the first sync imported ${imported} tasks`);
    const quiet = await step(false);
    const changed = await step(true);
    return {
      initialMs: initial.ms,
      noChangeMs: quiet.ms,
      changes100Ms: changed.ms,
      initialRequests: initial.requests,
      noChangeRequests: quiet.requests,
      changes100Requests: changed.requests,
      counts: [initial.counts, quiet.counts, changed.counts],
      initialSplit,
    };
  } finally {
    await sides.close();
  }
}

// ---- vdirsyncer ----

function vdirsyncerConfig(dir: string, calendarUrl: string): string {
  fs.mkdirSync(path.join(dir, 'local'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'status'), { recursive: true });
  const config = path.join(dir, 'config');
  fs.writeFileSync(
    config,
    [
      '[general]',
      `status_path = "${path.join(dir, 'status')}/"`,
      '',
      '[pair bench]',
      'a = "bench_remote"',
      'b = "bench_local"',
      'collections = null',
      'conflict_resolution = "a wins"',
      '',
      '[storage bench_remote]',
      'type = "caldav"',
      `url = "${calendarUrl}"`,
      `username = "${USER}"`,
      `password = "${PASSWORD}"`,
      '',
      '[storage bench_local]',
      'type = "filesystem"',
      `path = "${path.join(dir, 'local')}/"`,
      'fileext = ".ics"',
      '',
    ].join('\n'),
  );
  return config;
}

function vdirsyncer(config: string, ...args: string[]): void {
  const result = spawnSync('vdirsyncer', ['-c', config, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
  });
  if (result.status !== 0) {
    throw new Error(`vdirsyncer ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
}

async function measureVdirsyncer(calendarUrl: string): Promise<Figures & { discoverMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-vdirsyncer-'));
  try {
    const config = vdirsyncerConfig(dir, calendarUrl);
    const discover = await timed(() => vdirsyncer(config, 'discover', 'bench'));
    const initial = await timed(() => vdirsyncer(config, 'sync', 'bench'));
    const copied = fs.readdirSync(path.join(dir, 'local')).length;
    if (copied !== EVENTS) throw new Error(`vdirsyncer copied ${copied} events`);
    const quiet = await timed(() => vdirsyncer(config, 'sync', 'bench'));
    await changeOnServer(calendarUrl);
    const changed = await timed(() => vdirsyncer(config, 'sync', 'bench'));
    return {
      discoverMs: discover.ms,
      initialMs: initial.ms,
      noChangeMs: quiet.ms,
      changes100Ms: changed.ms,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Report ----

function median(values: number[]): number {
  return percentile(values, 50);
}

function medians<T extends Figures>(rounds: T[]): Figures {
  return {
    initialMs: round(median(rounds.map((r) => r.initialMs))),
    noChangeMs: round(median(rounds.map((r) => r.noChangeMs))),
    changes100Ms: round(median(rounds.map((r) => r.changes100Ms))),
  };
}

function ratio(a: number, b: number): number {
  return round(a / b, 2);
}

function table(rows: [string, Figures][]): void {
  const cell = (text: string, width: number) => text.padStart(width);
  console.log(
    `${'who'.padEnd(12)}${cell('first sync', 14)}${cell('no change', 14)}${cell('100 changes', 14)}`,
  );
  for (const [who, f] of rows) {
    console.log(
      `${who.padEnd(12)}${cell(`${f.initialMs} ms`, 14)}${cell(`${f.noChangeMs} ms`, 14)}` +
        `${cell(`${f.changes100Ms} ms`, 14)}`,
    );
  }
}

async function main(): Promise<void> {
  for (const command of ['radicale', 'vdirsyncer']) {
    if (!commandExists(command))
      throw new Error(`'${command}' not found (Debian package ${command})`);
  }
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-sync-bench-radicale-'));
  writeStorage(storage);
  // The test harness's Radicale, serving the storage written above.
  const radicale = await startRadicale({ storage });
  try {
    const calendarUrl = `${radicale.baseUrl}${USER}/${CALENDAR}/`;
    const warm = await timed(() =>
      dav({ method: 'REPORT', url: calendarUrl, depth: '1', body: everyEventQuery() }),
    );
    console.log(`Radicale ready; first listing (fills its cache, untimed) ${round(warm.ms)} ms`);

    // Floor and ordo rounds alternate, so both meet the server in the same state (its sync
    // history grows with every round of changes).
    const floorRounds = [];
    const ordoRounds: OrdoRound[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const f = await measureFloorOnce(calendarUrl);
      console.log(`floor round ${i + 1}: ${f.detail}`);
      floorRounds.push(f);
      const r = await measureOrdoOnce(calendarUrl);
      console.log(
        `ordo round ${i + 1}: ${round(r.initialMs)} / ${round(r.noChangeMs)} / ` +
          `${round(r.changes100Ms)} ms, requests ${r.initialRequests} / ${r.noChangeRequests} / ` +
          `${r.changes100Requests}, counts ${r.counts.join(' ')}; first sync: listing ` +
          `${round(r.initialSplit.listingMs)} ms, planning writes ` +
          `${round(r.initialSplit.planningWritesMs)} ms, state writes ` +
          `${round(r.initialSplit.stateWritesMs)} ms`,
      );
      ordoRounds.push(r);
    }
    const vdir = await measureVdirsyncer(calendarUrl);

    const floor = {
      ...medians(floorRounds),
      initialWithTokenMs: round(median(floorRounds.map((r) => r.initialWithTokenMs))),
    };
    const ordo = {
      ...medians(ordoRounds),
      noChangeRequests: Math.max(...ordoRounds.map((r) => r.noChangeRequests)),
    };
    const splitMedian = (key: keyof Split) =>
      round(median(ordoRounds.map((r) => r.initialSplit[key])));
    const initialSplit = {
      listingMs: splitMedian('listingMs'),
      planningWritesMs: splitMedian('planningWritesMs'),
      stateWritesMs: splitMedian('stateWritesMs'),
    };
    const vdirsyncerFigures = {
      initialMs: round(vdir.initialMs),
      noChangeMs: round(vdir.noChangeMs),
      changes100Ms: round(vdir.changes100Ms),
    };
    console.log('');
    table([
      ['ordo', ordo],
      ['vdirsyncer', vdirsyncerFigures],
      ['floor', floor],
    ]);
    console.log(
      `floor of a first sync with its sync-token read first: ${floor.initialWithTokenMs} ms`,
    );
    console.log(
      `ordo requests: first ${ordoRounds[0]?.initialRequests}, no change ` +
        `${ordo.noChangeRequests}, 100 changes ${ordoRounds[0]?.changes100Requests}; ` +
        `vdirsyncer discover ${round(vdir.discoverMs)} ms; ordo sides: ${SIDES_TEXT}`,
    );
    printResult({
      ordo,
      vdirsyncer: vdirsyncerFigures,
      floor,
      ratios: {
        ordoInitialToFloor: ratio(ordo.initialMs, floor.initialMs),
        ordoInitialToFloorWithToken: ratio(ordo.initialMs, floor.initialWithTokenMs),
        ordoNoChangeToFloor: ratio(ordo.noChangeMs, floor.noChangeMs),
        ordoChanges100ToFloor: ratio(ordo.changes100Ms, floor.changes100Ms),
        vdirsyncerInitialToOrdo: ratio(vdirsyncerFigures.initialMs, ordo.initialMs),
        vdirsyncerNoChangeToOrdo: ratio(vdirsyncerFigures.noChangeMs, ordo.noChangeMs),
        vdirsyncerChanges100ToOrdo: ratio(vdirsyncerFigures.changes100Ms, ordo.changes100Ms),
      },
      events: EVENTS,
      rounds: ROUNDS,
      ordoSides: SIDES_TEXT,
      ordoInitialSplit: initialSplit,
    });
  } finally {
    await radicale.stop();
    fs.rmSync(storage, { recursive: true, force: true });
  }
}

await main();
