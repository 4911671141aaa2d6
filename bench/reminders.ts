/**
 * Reminders at scale: 100,000 pending reminders in a SQLite file (temp folder), a spread of
 * them falling due over ~25 s of real time, raised by the scheduler (one timer, claims by
 * the due-time index) and delivered by the hub to subscribed pages (one per user). Measures
 * the delay from each reminder's due time to its delivery, and the heap's growth.
 * Target: p99 <= 1000 ms, memory growth <= 50 MB.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createOrdo } from '../src/app/ordo.js';
import { loadConfig } from '../src/config/config.js';
import { SYSTEM } from '../src/planning/actor.js';
import { startReminders } from '../src/reminders/reminders.js';
import { percentile, printResult, round } from './helpers.js';

const PENDING = Number(process.env.BENCH_REMINDERS ?? 100_000);
/** How many of them fall due during the run, spread evenly. */
const SPREAD = Number(process.env.BENCH_SPREAD ?? 10_000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 25_000);
/** Reminders set through the task service during the run (the hook and its hint). */
const LIVE = 200;
const USERS = 20;
const LEAD_MS = 2_000;
const TARGET_P99_MS = 1000;
const TARGET_MEMORY_MB = 50;
const MINUTE = 60_000;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-bench-reminders-'));
  const config = loadConfig({
    env: { ORDO_SECRET_KEY: crypto.randomBytes(32).toString('base64'), ORDO_WORKERS: 'false' },
    flags: { dataDir: dir },
  });
  const ordo = await createOrdo({ config });
  try {
    await run(ordo);
  } finally {
    await ordo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run(ordo: Awaited<ReturnType<typeof createOrdo>>): Promise<void> {
  const people = [];
  for (let i = 0; i < USERS; i += 1) {
    const resource = await ordo.directory.createResource({ name: `Resource ${i}` });
    const user = await ordo.users.create({
      login: `user${i}`,
      password: 'bench password',
      resourceId: resource.id,
    });
    people.push({ resource, user });
  }

  const setupStart = Date.now();
  const far = Date.now() + 7 * 24 * 3600_000;
  await bulkReminders(ordo, { count: PENDING - SPREAD, firstDue: far, stepMs: 1000, people });
  await bulkReminders(ordo, { count: SPREAD, firstDue: 0, stepMs: SPREAD_MS / SPREAD, people });
  // Shifted once stored, so that the first falls due LEAD_MS from now, not during the setup.
  const shift = Date.now() + LEAD_MS;
  await ordo.store.db
    .updateTable('reminders')
    .set((eb) => ({ due_at: eb('due_at', '+', shift) }))
    .where('due_at', '<', far)
    .execute();
  log(`setup: ${PENDING} pending reminders stored in ${Date.now() - setupStart} ms`);

  const delays: number[] = [];
  const reminders = await startReminders(ordo, { scheduler: false });
  for (const { user } of people) {
    const actor = await ordo.users.actorFor(user);
    await reminders.connect(actor, (message) => {
      if (message.type === 'reminder') delays.push(Date.now() - Date.parse(message.reminder.dueAt));
    });
  }
  gc();
  const before = process.memoryUsage();
  reminders.scheduler.start();

  // Tasks created while the scheduler runs: their reminders come through the hook's hint.
  const liveStart = Date.now();
  for (let i = 0; i < LIVE; i += 1) {
    const start = liveStart + 3_000 + i * 100 + 5 * MINUTE;
    await ordo.tasks.create({
      actor: SYSTEM,
      input: {
        label: `Live ${i}`,
        timing: { allDay: false, start, end: start + 3600_000 },
        resourceIds: [people[i % USERS]!.resource.id],
        clientId: null,
        remark: '',
        location: '',
        category: '',
        reminder: { kind: 'before', minutes: 5 },
        private: false,
      },
    });
  }

  const expected = SPREAD + LIVE;
  const deadline = Date.now() + SPREAD_MS + LEAD_MS + 15_000;
  while (delays.length < expected && Date.now() < deadline) await sleep(200);
  await reminders.hub.idle();
  gc();
  const after = process.memoryUsage();

  report({ delays, expected, before, after, raised: reminders.scheduler.raisedCount });
}

function report(options: {
  delays: number[];
  expected: number;
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
  raised: number;
}): void {
  const { delays, expected, before, after } = options;
  const buckets = [1, 5, 10, 50, 100, 250, 500, 1000, Infinity];
  log(`delivered ${delays.length} of ${expected} reminders (raised ${options.raised})`);
  log('delay from due time to delivery:');
  let previous = -Infinity;
  for (const bound of buckets) {
    const n = delays.filter((d) => d > previous && d <= bound).length;
    const label = bound === Infinity ? `> ${previous} ms` : `<= ${bound} ms`;
    log(
      `  ${label.padEnd(12)} ${String(n).padStart(6)}  ${'#'.repeat(Math.ceil((60 * n) / Math.max(1, delays.length)))}`,
    );
    previous = bound;
  }
  const figures = {
    pending: PENDING,
    fired: expected,
    delivered: delays.length,
    p50DelayMs: percentile(delays, 50),
    p90DelayMs: percentile(delays, 90),
    p99DelayMs: percentile(delays, 99),
    maxDelayMs: Math.max(...delays),
    memoryGrowthMB: round((after.heapUsed - before.heapUsed) / 2 ** 20),
    rssGrowthMB: round((after.rss - before.rss) / 2 ** 20),
    targetP99Ms: TARGET_P99_MS,
    targetMemoryMB: TARGET_MEMORY_MB,
  };
  const ok =
    delays.length === expected &&
    figures.p99DelayMs <= TARGET_P99_MS &&
    figures.memoryGrowthMB <= TARGET_MEMORY_MB;
  log(ok ? 'targets met' : 'TARGETS MISSED');
  printResult({ ...figures, ok });
  if (!ok) process.exitCode = 1;
}

/** Writes tasks, their resource and their reminder straight into the store, in batches. */
async function bulkReminders(
  ordo: Awaited<ReturnType<typeof createOrdo>>,
  options: {
    count: number;
    firstDue: number;
    stepMs: number;
    people: { resource: { id: string } }[];
  },
): Promise<void> {
  const { count, firstDue, stepMs, people } = options;
  const BATCH = 400;
  for (let offset = 0; offset < count; offset += BATCH) {
    const size = Math.min(BATCH, count - offset);
    const rows = Array.from({ length: size }, (_, k) => {
      const i = offset + k;
      const due = Math.round(firstDue + i * stepMs);
      const start = due + 15 * MINUTE;
      const resourceId = people[i % people.length]!.resource.id;
      return { id: crypto.randomUUID(), due, start, resourceId, label: `Task ${i}` };
    });
    await ordo.store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('tasks')
        .values(
          rows.map((r) => ({
            id: r.id,
            uid: r.id,
            label: r.label,
            all_day: 0,
            start_at: r.start,
            end_at: r.start + 3600_000,
            start_date: null,
            end_date: null,
            long_span: 0,
            resource_ids: JSON.stringify([r.resourceId]),
            client_id: null,
            remark: '',
            location: '',
            category: '',
            reminder_kind: 'before',
            reminder_minutes: 15,
            reminder_at: null,
            private: 0,
            periodic_task_id: null,
            detached_from_periodic_task_id: null,
            sequence: 0,
            created_by: null,
            created_at: 0,
            modified_at: 0,
          })),
        )
        .execute();
      await trx
        .insertInto('task_resources')
        .values(rows.map((r) => ({ task_id: r.id, resource_id: r.resourceId, position: 0 })))
        .execute();
      await trx
        .insertInto('reminders')
        .values(
          rows.map((r) => ({
            id: crypto.randomUUID(),
            task_id: r.id,
            due_at: r.due,
            fired: 0,
            fired_at: null,
            created_at: 0,
          })),
        )
        .execute();
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

await main();
