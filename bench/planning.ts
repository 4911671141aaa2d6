/**
 * The planning's range query at scale: 1,000,000 tasks over 200 resources and 5 years in a
 * SQLite file. Measures, on the same random weeks and months:
 *  - bare SQL: better-sqlite3 alone running the range query on the start and long-span
 *    indexes, returning the same rows the API returns, as row objects;
 *  - the API: GET /api/tasks?from&to through the real server (buildServer) listening on a
 *    real socket (127.0.0.1, port 0), as an administrator with an API token, full JSON body
 *    read by the client (fetch) in this same process.
 * Target: the API's p95 within 1.5x the bare query's p95, for weeks and for months.
 */
import SQLite from 'better-sqlite3';
import { DateTime } from 'luxon';
import { createOrdo } from '../src/app/ordo.js';
import { loadConfig } from '../src/config/config.js';
import { LONG_SPAN_MS } from '../src/planning/task-rows.js';
import {
  planningDatabase,
  DATA_VERSION,
  FIRST_DAY,
  DAYS,
  TASKS,
  ZONE,
} from './lib/planning-data.js';
import { percentile, printResult, round, seededRandom, timed, workDir } from './helpers.js';

const WEEKS = Number(process.env.BENCH_WEEKS ?? 40);
const MONTHS = Number(process.env.BENCH_MONTHS ?? 20);
const WARM_UP = 3;
const TARGET_RATIO = 1.5;

interface Range {
  from: number;
  to: number;
}

const log = (line: string) => console.log(line);

function randomWeeks(random: () => number, count: number): Range[] {
  const first = DateTime.fromISO(FIRST_DAY, { zone: ZONE });
  const weeks = Math.floor(DAYS / 7) - 1;
  return Array.from({ length: count }, () => {
    const monday = first.plus({ weeks: Math.floor(random() * weeks) });
    return { from: monday.toMillis(), to: monday.plus({ weeks: 1 }).toMillis() };
  });
}

function randomMonths(random: () => number, count: number): Range[] {
  const first = DateTime.fromISO(FIRST_DAY, { zone: ZONE }).startOf('month').plus({ months: 1 });
  const months = Math.floor(DAYS / 31) - 1;
  return Array.from({ length: count }, () => {
    const start = first.plus({ months: Math.floor(random() * months) });
    return { from: start.toMillis(), to: start.plus({ months: 1 }).toMillis() };
  });
}

/** The bare baseline: one prepared statement, the same union of two index range scans. */
function bareQuery(file: string) {
  const sqlite = new SQLite(file, { readonly: true });
  const statement = sqlite.prepare(
    `SELECT * FROM tasks
       WHERE long_span = 0 AND start_at > @lookBack AND start_at < @to AND end_at > @from
     UNION ALL
     SELECT * FROM tasks WHERE long_span = 1 AND start_at < @to AND end_at > @from
     ORDER BY start_at`,
  );
  return {
    run: (range: Range) =>
      statement.all({ from: range.from, to: range.to, lookBack: range.from - LONG_SPAN_MS }),
    close: () => sqlite.close(),
  };
}

async function startApi(file: string) {
  const { buildServer } = await import('../src/http/server.js');
  const config = loadConfig({
    env: { ORDO_WORKERS: 'false', ORDO_DEMO: 'false', ORDO_LOG_LEVEL: 'silent' },
    flags: { dataDir: workDir('planning-data') },
  });
  const ordo = await createOrdo({ config, sqliteFile: file });
  const admin =
    (await ordo.users.findByLogin('bench-admin')) ??
    (await ordo.users.create({ login: 'bench-admin', password: 'bench-password', isAdmin: true }));
  const { token } = await ordo.sessions.createApiToken(admin.id, `bench ${Date.now()}`);
  const app = await buildServer(ordo);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const base = `http://127.0.0.1:${address.port}`;
  return {
    async run(range: Range): Promise<Buffer> {
      const query = new URLSearchParams({
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
      });
      const response = await fetch(`${base}/api/tasks?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      // The whole body, as bytes: decoding and parsing it is the client's work, not the API's.
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200) throw new Error(`${response.status}: ${body.toString()}`);
      return body;
    },
    async close() {
      await app.close();
      await ordo.close();
    },
  };
}

interface Series {
  bare: number[];
  api: number[];
  rows: number[];
  bytes: number[];
}

async function measure(
  ranges: Range[],
  bare: ReturnType<typeof bareQuery>,
  api: Awaited<ReturnType<typeof startApi>>,
): Promise<Series> {
  const series: Series = { bare: [], api: [], rows: [], bytes: [] };
  for (const [i, range] of ranges.entries()) {
    const b = await timed(() => bare.run(range));
    const a = await timed(() => api.run(range));
    if (i < WARM_UP) continue;
    const count = (JSON.parse(a.value.toString('utf8')) as { tasks: unknown[] }).tasks.length;
    if (count !== b.value.length) {
      throw new Error(`The API returned ${count} tasks, the bare query ${b.value.length}`);
    }
    series.bare.push(b.ms);
    series.api.push(a.ms);
    series.rows.push(count);
    series.bytes.push(a.value.length);
  }
  return series;
}

function summary(name: string, s: Series) {
  const figures = {
    rows: Math.round(s.rows.reduce((x, y) => x + y, 0) / s.rows.length),
    kB: Math.round(s.bytes.reduce((x, y) => x + y, 0) / s.bytes.length / 1024),
    bareP50: round(percentile(s.bare, 50)),
    bareP95: round(percentile(s.bare, 95)),
    apiP50: round(percentile(s.api, 50)),
    apiP95: round(percentile(s.api, 95)),
  };
  log(
    `${name}: ${s.api.length} ranges, ~${figures.rows} tasks, ~${figures.kB} kB of JSON;` +
      ` bare p50 ${figures.bareP50} ms p95 ${figures.bareP95} ms;` +
      ` API p50 ${figures.apiP50} ms p95 ${figures.apiP95} ms` +
      ` (${round(figures.apiP95 / figures.bareP95, 2)}x)`,
  );
  return figures;
}

async function main(): Promise<void> {
  log(`Planning range query: ${TASKS.toLocaleString('en')} tasks, ${ZONE}, data ${DATA_VERSION}`);
  const data = await planningDatabase(log);
  const bare = bareQuery(data.file);
  const api = await startApi(data.file);
  const random = seededRandom(Number(process.env.BENCH_SEED ?? Date.now() % 1e9));
  try {
    const week = summary('week', await measure(randomWeeks(random, WEEKS + WARM_UP), bare, api));
    const month = summary(
      'month',
      await measure(randomMonths(random, MONTHS + WARM_UP), bare, api),
    );
    const ratio = Math.max(week.apiP95 / week.bareP95, month.apiP95 / month.bareP95);
    log(
      `Target: API p95 <= ${TARGET_RATIO}x bare p95 -> ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}`,
    );
    printResult({
      bench: 'planning',
      tasks: TASKS,
      transport: 'http-socket',
      weekTasks: week.rows,
      monthTasks: month.rows,
      weekP50Ms: week.apiP50,
      weekP95Ms: week.apiP95,
      monthP50Ms: month.apiP50,
      monthP95Ms: month.apiP95,
      bareWeekP50Ms: week.bareP50,
      bareWeekP95Ms: week.bareP95,
      bareMonthP50Ms: month.bareP50,
      bareMonthP95Ms: month.bareP95,
      ratioToBareSql: round(ratio, 2),
      targetMet: ratio <= TARGET_RATIO,
    });
  } finally {
    bare.close();
    await api.close();
  }
}

await main();
