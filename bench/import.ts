/**
 * Importing an Outlook export of 10,000 events (see lib/outlook-ics.ts) into one resource's
 * planning with importCalendar, as an administrator, into a fresh SQLite store in a file
 * (temp folder). Target: <= 5 s for the whole import (reading the file and writing the
 * tasks in one transaction, task hooks included).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createOrdo } from '../src/app/ordo.js';
import { loadConfig } from '../src/config/config.js';
import { importCalendar } from '../src/ical/import-service.js';
import { parseCalendar } from '../src/ical/parse.js';
import { printResult, round, timed } from './helpers.js';
import { outlookCalendar } from './lib/outlook-ics.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const TARGET_MS = 5000;

async function main(): Promise<void> {
  const { ics, counts } = outlookCalendar(EVENTS);
  console.log(
    `Import: ${EVENTS} Outlook events (${(ics.length / 1e6).toFixed(1)} MB; ${counts.allDay} all-day,` +
      ` ${counts.private} private, ${counts.recurring} recurring, ${counts.withAlarm} with an alarm)`,
  );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-bench-import-'));
  try {
    const config = loadConfig({
      env: { ORDO_WORKERS: 'false', ORDO_DEMO: 'false', ORDO_LOG_LEVEL: 'silent' },
      flags: { dataDir },
    });
    const ordo = await createOrdo({ config });
    try {
      const resource = await ordo.directory.createResource({ name: 'Marie Durand' });
      const admin = await ordo.users.create({
        login: 'admin',
        password: 'bench-password',
        isAdmin: true,
      });
      const actor = await ordo.users.actorFor(admin);
      const parse = await timed(() => parseCalendar(ics, { timeZone: 'Europe/Paris' }));
      const run = await timed(() =>
        importCalendar(ordo, { actor, resourceId: resource.id, input: ics }),
      );
      const report = run.value;
      const again = await timed(() =>
        importCalendar(ordo, { actor, resourceId: resource.id, input: ics }),
      );
      const figures = {
        bench: 'import',
        events: EVENTS,
        imported: report.imported.length,
        skipped: report.skipped.length,
        failed: report.failed.length,
        importMs: Math.round(run.ms),
        importedPerSecond: Math.round((report.imported.length / run.ms) * 1000),
        parseMs: Math.round(parse.ms),
        reimportUnchanged: again.value.unchanged.length,
        reimportMs: Math.round(again.ms),
        targetMs: TARGET_MS,
        targetMet: run.ms <= TARGET_MS,
      };
      console.log(
        `Imported ${figures.imported}, skipped ${figures.skipped}, failed ${figures.failed} in` +
          ` ${figures.importMs} ms (parsing alone ${figures.parseMs} ms;` +
          ` ${round(figures.importedPerSecond, 0)} tasks/s); importing it again: ${figures.reimportMs} ms` +
          ` -> target <= ${TARGET_MS} ms ${figures.targetMet ? 'met' : 'NOT met'}`,
      );
      if (report.failed.length > 0) console.log('First failures:', report.failed.slice(0, 3));
      printResult(figures);
    } finally {
      await ordo.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
