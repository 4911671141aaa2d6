/**
 * The planning benchmark's database: 1,000,000 tasks over 200 resources and 5 years, kept in
 * bench/.work between runs under a name that carries the generator's version (change
 * DATA_VERSION whenever what is generated changes; a new migration also makes a new file, as
 * migrations must run in order on an empty database).
 *
 * The schema comes from Ordo's own migrations; the rows are written with one prepared
 * statement inside one transaction, which is what makes a million of them take seconds.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { DateTime } from 'luxon';
import { LONG_SPAN_MS } from '../../src/planning/task-rows.js';
import { openStore } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { pick, seededRandom, workDir } from '../helpers.js';

export const DATA_VERSION = 'planning-v1';
export const TASKS = 1_000_000;
export const RESOURCES = 200;
export const ZONE = 'Europe/Paris';
export const FIRST_DAY = '2022-01-03';
export const DAYS = 5 * 365 + 1;

const DEPARTMENTS = 8;
const CLIENTS = 400;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const LABELS = [
  'Installation',
  'Maintenance',
  'Réunion de chantier',
  'Livraison',
  'Dépannage',
  'Visite client',
  'Formation',
  'Inventaire',
  'Audit sécurité',
  'Montage',
];
const LOCATIONS = [
  '',
  '',
  'Lyon',
  'Villeurbanne',
  '12 rue de la République, Lyon',
  'Atelier',
  'Dépôt nord',
];
const CATEGORIES = ['', '', 'chantier', 'sav', 'interne', 'commercial'];
const REMARKS = [
  '',
  '',
  '',
  'Apporter les plans.',
  'Client prévenu par téléphone. Code portail 1234.',
  'Prévoir la nacelle et deux rallonges ; parking devant le bâtiment B.',
];

export interface PlanningData {
  file: string;
  resourceIds: string[];
  /** The first instant and the end of the span the tasks cover. */
  from: number;
  to: number;
}

/** The database file, generated once per DATA_VERSION. */
export async function planningDatabase(log: (line: string) => void): Promise<PlanningData> {
  const migrations = crypto
    .createHash('sha256')
    .update(Object.keys(MIGRATIONS).sort().join('\n'))
    .digest('hex')
    .slice(0, 8);
  const file = path.join(workDir(), `${DATA_VERSION}-${migrations}.sqlite`);
  const from = DateTime.fromISO(FIRST_DAY, { zone: ZONE }).toMillis();
  const to = DateTime.fromISO(FIRST_DAY, { zone: ZONE }).plus({ days: DAYS }).toMillis();
  const resourceIds = Array.from({ length: RESOURCES }, (_, i) => resourceId(i));
  if (fs.existsSync(file)) {
    log(`Using the cached database ${path.relative(process.cwd(), file)}`);
  } else {
    const started = Date.now();
    log(
      `Generating ${TASKS.toLocaleString('en')} tasks into ${file} (once per ${DATA_VERSION})...`,
    );
    await generate(file);
    removeStale(file);
    log(`Generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return { file, resourceIds, from, to };
}

/** Older generations (another version, other migrations): 600 MB each. */
function removeStale(current: string): void {
  const dir = path.dirname(current);
  for (const name of fs.readdirSync(dir)) {
    if (/^planning-.*\.sqlite$/.test(name) && path.join(dir, name) !== current) {
      fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}

function resourceId(i: number): string {
  return `res-${String(i).padStart(3, '0')}`;
}

async function generate(file: string): Promise<void> {
  const temp = `${file}.tmp`;
  for (const f of [temp, `${temp}-wal`, `${temp}-shm`]) fs.rmSync(f, { force: true });
  const store = await openStore({ sqliteFile: temp });
  await store.close();

  const sqlite = new SQLite(temp);
  sqlite.pragma('journal_mode = DELETE');
  sqlite.pragma('synchronous = OFF');
  sqlite.transaction(() => fill(sqlite))();
  sqlite.exec('ANALYZE');
  sqlite.close();
  fs.renameSync(temp, file);
}

function fill(sqlite: SQLite.Database): void {
  const random = seededRandom(20_260_301);
  const now = Date.now();
  const departments = Array.from({ length: DEPARTMENTS }, (_, i) => `dep-${i}`);
  const addDepartment = sqlite.prepare('INSERT INTO departments (id, name) VALUES (?, ?)');
  departments.forEach((id, i) => addDepartment.run(id, `Department ${i + 1}`));

  const addResource = sqlite.prepare(
    `INSERT INTO resources (id, name, kind, email, mobile, department_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < RESOURCES; i++) {
    const human = i % 7 !== 0;
    addResource.run(
      resourceId(i),
      human ? `Technicien ${i + 1}` : `Véhicule ${i + 1}`,
      human ? 'human' : 'material',
      human ? `tech${i + 1}@example.com` : null,
      human && i % 3 === 0 ? `+336${String(10_000_000 + i).slice(-8)}` : null,
      departments[i % DEPARTMENTS],
      now,
    );
  }
  const clientIds = Array.from({ length: CLIENTS }, (_, i) => `cli-${i}`);
  const addClient = sqlite.prepare(
    'INSERT INTO clients (id, name, email, mobile, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  clientIds.forEach((id, i) =>
    addClient.run(id, `Client ${i + 1}`, `client${i + 1}@example.com`, null, now),
  );

  const addTask = sqlite.prepare(
    `INSERT INTO tasks (id, uid, label, all_day, start_at, end_at, start_date, end_date,
       long_span, resource_ids, client_id, remark, location, category, reminder_kind,
       reminder_minutes, reminder_at, private, periodic_task_id, detached_from_periodic_task_id,
       sequence, created_by, created_at, modified_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, NULL, ?, ?)`,
  );
  const addLink = sqlite.prepare(
    'INSERT INTO task_resources (task_id, resource_id, position) VALUES (?, ?, ?)',
  );

  const first = DateTime.fromISO(FIRST_DAY, { zone: ZONE });
  const midnights: number[] = [];
  const dates: string[] = [];
  for (let d = 0; d <= DAYS + 40; d++) {
    const day = first.plus({ days: d });
    midnights.push(day.toMillis());
    dates.push(day.toISODate() as string);
  }
  // Weekdays carry most of the work: weights per day of week, Monday first.
  const weights = [1.2, 1.2, 1.2, 1.2, 1.1, 0.25, 0.05];
  const totalWeight = Array.from({ length: DAYS }, (_, d) => weights[d % 7] as number).reduce(
    (a, b) => a + b,
  );

  let written = 0;
  for (let d = 0; d < DAYS && written < TASKS; d++) {
    const share = ((weights[d % 7] as number) / totalWeight) * TASKS;
    const count = d === DAYS - 1 ? TASKS - written : Math.round(share);
    const starts: number[] = [];
    for (let i = 0; i < count && written + starts.length < TASKS; i++) starts.push(random());
    starts.sort((a, b) => a - b);
    for (const fraction of starts) {
      const task = oneTask({ random, d, fraction, midnights, dates, clientIds });
      const id = crypto.randomUUID();
      addTask.run(
        id,
        id,
        task.label,
        task.allDay ? 1 : 0,
        task.start,
        task.end,
        task.startDate,
        task.endDate,
        task.end - task.start > LONG_SPAN_MS ? 1 : 0,
        JSON.stringify(task.resources),
        task.clientId,
        task.remark,
        task.location,
        task.category,
        task.reminderKind,
        task.reminderMinutes,
        null,
        task.private ? 1 : 0,
        now,
        now,
      );
      task.resources.forEach((r, position) => addLink.run(id, r, position));
      written++;
    }
  }
}

interface GeneratedTask {
  label: string;
  allDay: boolean;
  start: number;
  end: number;
  startDate: string | null;
  endDate: string | null;
  resources: string[];
  clientId: string | null;
  remark: string;
  location: string;
  category: string;
  reminderKind: 'none' | 'before';
  reminderMinutes: number | null;
  private: boolean;
}

function oneTask(options: {
  random: () => number;
  d: number;
  fraction: number;
  midnights: number[];
  dates: string[];
  clientIds: string[];
}): GeneratedTask {
  const { random, d, fraction, midnights, dates } = options;
  const kind = random();
  let allDay = false;
  let start: number;
  let end: number;
  let startDate: string | null = null;
  let endDate: string | null = null;
  if (kind < 0.08 || kind >= 0.995) {
    // All-day: mostly one day, some 2-5 days, a few long absences or site weeks (8-30 days).
    const days =
      kind < 0.065 ? 1 : kind < 0.08 ? 2 + Math.floor(random() * 4) : 8 + Math.floor(random() * 23);
    allDay = true;
    startDate = dates[d] as string;
    endDate = dates[d + days] as string;
    start = midnights[d] as number;
    end = midnights[d + days] as number;
  } else if (kind < 0.11) {
    // Timed over several days: a site job from a morning to an evening later.
    start = (midnights[d] as number) + 7 * HOUR + Math.floor(fraction * 4) * HOUR;
    end = start + (1 + Math.floor(random() * 3)) * DAY + Math.floor(random() * 8) * HOUR;
  } else {
    // The bulk: 1 to 8 hours within the working day, on quarter hours.
    const quarter = 15 * 60_000;
    start =
      (midnights[d] as number) + 7 * HOUR + Math.floor((fraction * 10 * HOUR) / quarter) * quarter;
    end =
      start + (1 + Math.floor(random() * random() * 8)) * HOUR + (random() < 0.3 ? 30 * 60_000 : 0);
  }
  const count = random() < 0.72 ? 1 : random() < 0.75 ? 2 : 3;
  const resources = new Set<string>();
  while (resources.size < count) resources.add(resourceId(Math.floor(random() * RESOURCES)));
  const reminder = random() < 0.2;
  return {
    label: `${pick(random, LABELS)} ${1 + Math.floor(random() * 500)}`,
    allDay,
    start,
    end,
    startDate,
    endDate,
    resources: [...resources],
    clientId: random() < 0.4 ? pick(random, options.clientIds) : null,
    remark: pick(random, REMARKS),
    location: pick(random, LOCATIONS),
    category: pick(random, CATEGORIES),
    reminderKind: reminder ? 'before' : 'none',
    reminderMinutes: reminder ? pick(random, [15, 30, 60, 1440]) : null,
    private: random() < 0.04,
  };
}
