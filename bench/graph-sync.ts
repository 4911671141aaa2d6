/**
 * Microsoft Graph sync against the local Graph stand-in, 5,000 appointments in the window.
 *
 * Two measures:
 * 1. The provider alone: listChanges first (complete), with no change, and after 100 edits
 *    made in Outlook; requests counted at the fetch. A no-change sync is one delta request.
 * 2. The whole engine (runSync, in-memory planning and state store) on the same calendar:
 *    the first run imports every appointment, the second finds nothing, the third copies
 *    100 edits.
 * Half the appointments are made "in Outlook" (no UID of ours), half by Ordo (our UID in an
 * extended property, which costs a UID listing on complete listings).
 */
import { ManualClock } from '../src/shared/clock.js';
import { silentLogger } from '../src/shared/logger.js';
import {
  MemoryPlanning,
  MemorySyncStateStore,
  runSync,
  syncWindow,
} from '../src/sync/engine/index.js';
import type { SyncSettings } from '../src/sync/engine/index.js';
import { createGraphEventsProvider } from '../src/sync/graph/events.js';
import { startGraphStandIn, type GraphStandIn } from '../src/sync/graph/graph-stand-in.js';
import type { CalendarProvider, SyncWindow } from '../src/sync/provider.js';
import { printResult, round, seededRandom, timed } from './helpers.js';

const EVENTS = 5_000;
/** GRAPH_BENCH_LATENCY_MS adds a delay to every Graph answer, as a real round trip would. */
const LATENCY_MS = Number(process.env['GRAPH_BENCH_LATENCY_MS'] ?? 0);
const CHANGES = 100;
const PAGE_SIZE = 100;
const HOUR = 3_600_000;
const NOW = Date.UTC(2030, 2, 4, 9);
const SETTINGS: SyncSettings = {
  exportAs: 'appointments',
  importAppointments: true,
  importTasks: true,
  carryReminders: true,
  pastDays: 7,
  futureDays: 60,
  timeZone: 'UTC',
};

function log(line: string): void {
  console.log(line);
}

interface Subject {
  provider: CalendarProvider;
  calendarId: string;
  requests: () => number;
}

function subject(standIn: GraphStandIn, calendarId: string): Subject {
  const token = standIn.issueAccessToken();
  let requests = 0;
  const provider = createGraphEventsProvider({
    baseUrl: standIn.graphUrl,
    getAccessToken: async () => token,
    calendarId,
    mailbox: calendarId,
    pageSize: PAGE_SIZE,
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
  });
  return { provider, calendarId, requests: () => requests };
}

/** 5,000 appointments over the window: half made in Outlook, half created through Ordo. */
async function seed(standIn: GraphStandIn, s: Subject, window: SyncWindow): Promise<string[]> {
  const random = seededRandom(7);
  const ids: string[] = [];
  const span = window.to - window.from - 2 * HOUR;
  for (let i = 0; i < EVENTS; i += 1) {
    const start = window.from + Math.floor((random() * span) / 900_000) * 900_000;
    const label = `Appointment ${i}`;
    if (i % 2 === 0) {
      ids.push(
        standIn.addEvent({ subject: label, start, end: start + HOUR, calendarId: s.calendarId }),
      );
    } else {
      const created = await s.provider.create({
        kind: 'event',
        uid: `${s.calendarId}-${i}@ordo.example`,
        label,
        timing: { allDay: false, start, end: start + HOUR },
        remark: '',
        reminder: { kind: 'before', minutes: 15 },
        private: false,
        recurring: false,
      });
      ids.push(created.ref);
    }
  }
  return ids;
}

function editSome(standIn: GraphStandIn, ids: string[], round: number): void {
  for (let i = 0; i < CHANGES; i += 1) {
    standIn.editEvent(ids[(i * 37 + round) % ids.length]!, { subject: `Edited ${round}-${i}` });
  }
}

async function measureProvider(standIn: GraphStandIn, window: SyncWindow) {
  const s = subject(standIn, 'provider-bench');
  const ids = await seed(standIn, s, window);

  let before = s.requests();
  const initial = await timed(() => s.provider.listChanges(null, window));
  const initialRequests = s.requests() - before;
  before = s.requests();
  const quiet = await timed(() => s.provider.listChanges(initial.value.cursor, window));
  const noChangeRequests = s.requests() - before;
  editSome(standIn, ids, 1);
  before = s.requests();
  const changed = await timed(() => s.provider.listChanges(quiet.value.cursor, window));
  const changesRequests = s.requests() - before;

  log(
    `provider: initial ${round(initial.ms)} ms, ${initialRequests} requests, ${initial.value.changed.length} items`,
  );
  log(`provider: no change ${round(quiet.ms)} ms, ${noChangeRequests} requests`);
  log(
    `provider: ${CHANGES} changes ${round(changed.ms)} ms, ${changesRequests} requests, ${changed.value.changed.length} items`,
  );
  return {
    initialMs: round(initial.ms),
    initialRequests,
    initialItems: initial.value.changed.length,
    noChangeMs: round(quiet.ms),
    noChangeRequests,
    changes100Ms: round(changed.ms),
    changes100Requests: changesRequests,
    changes100Items: changed.value.changed.length,
  };
}

async function measureEngine(standIn: GraphStandIn, window: SyncWindow) {
  const s = subject(standIn, 'engine-bench');
  const ids = await seed(standIn, s, window);
  const clock = new ManualClock(NOW);
  const planning = new MemoryPlanning(clock);
  const state = new MemorySyncStateStore();
  const sync = () =>
    runSync({
      provider: s.provider,
      planning,
      state,
      settings: SETTINGS,
      clock,
      logger: silentLogger(),
    });

  const runs = [];
  for (const step of ['initial', 'noChange', 'changes100'] as const) {
    if (step === 'changes100') editSome(standIn, ids, 2);
    clock.advance(60_000);
    const before = s.requests();
    const run = await timed(sync);
    const requests = s.requests() - before;
    log(
      `engine: ${step} ${round(run.ms)} ms, ${requests} requests, counts ${JSON.stringify(run.value.counts)}`,
    );
    runs.push({ step, ms: round(run.ms), requests, tasks: planning.tasks.size });
  }
  return runs;
}

async function main(): Promise<void> {
  const standIn = await startGraphStandIn({ latencyMs: LATENCY_MS });
  try {
    const window = syncWindow(SETTINGS, NOW);
    const provider = await measureProvider(standIn, window);
    const engine = await measureEngine(standIn, window);
    printResult({
      bench: 'graph-sync',
      events: EVENTS,
      pageSize: PAGE_SIZE,
      against: 'graph-stand-in (127.0.0.1)',
      latencyMs: LATENCY_MS,
      ...provider,
      engineInitialMs: engine[0]!.ms,
      engineInitialRequests: engine[0]!.requests,
      engineTasksImported: engine[0]!.tasks,
      engineNoChangeMs: engine[1]!.ms,
      engineNoChangeRequests: engine[1]!.requests,
      engineChanges100Ms: engine[2]!.ms,
      engineChanges100Requests: engine[2]!.requests,
    });
  } finally {
    await standIn.close();
  }
}

await main();
