/**
 * Items on the window's edges (RFC 4791 §9.9: a to-do due exactly at its end, a DURATION
 * ending exactly at its start, an instant at its start, ...). A first sync must list every
 * item the server's own time-range keeps: the slices a moving window gains later are asked
 * with a time-range too, so an item a first listing dropped would never be listed although
 * it is in the window.
 */
import { expect, it } from 'vitest';

import { silentLogger } from '../../shared/logger.js';
import {
  describeWithServer,
  startRadicale,
  startXandikos,
  type CalDavServer,
  type CalDavServerStarter,
  basicAuth,
  credentials,
} from '../../test-support/caldav-servers.js';
import type { SyncWindow } from '../provider.js';
import { createCalDavProvider } from './caldav-provider.js';
import { queryWindow, type ListingContext } from './caldav-listing.js';
import { createDavClient } from './dav-client.js';

const SERVERS: Array<[string, CalDavServerStarter]> = [
  ['Radicale', startRadicale],
  ['Xandikos', startXandikos],
];

const DAY = 86_400_000;
const WINDOW: SyncWindow = { from: Date.UTC(2030, 0, 1), to: Date.UTC(2030, 1, 1) };

/** Objects on the window's edges, by name: each body goes inside a VCALENDAR. */
const EDGES: Record<string, string[]> = {
  'todo-due-at-end': ['BEGIN:VTODO', 'UID:e1', 'SUMMARY:e1', 'DUE:20300201T000000Z', 'END:VTODO'],
  'todo-due-date-at-end': [
    'BEGIN:VTODO',
    'UID:e2',
    'SUMMARY:e2',
    'DUE;VALUE=DATE:20300201',
    'END:VTODO',
  ],
  'todo-start-due-equal-at-end': [
    'BEGIN:VTODO',
    'UID:e3',
    'SUMMARY:e3',
    'DTSTART:20300201T000000Z',
    'DUE:20300201T000000Z',
    'END:VTODO',
  ],
  'todo-duration-ending-at-start': [
    'BEGIN:VTODO',
    'UID:e4',
    'SUMMARY:e4',
    'DTSTART:20291231T230000Z',
    'DURATION:PT1H',
    'END:VTODO',
  ],
  'todo-start-only-at-start': [
    'BEGIN:VTODO',
    'UID:e5',
    'SUMMARY:e5',
    'DTSTART:20300101T000000Z',
    'END:VTODO',
  ],
  'event-instant-at-start': [
    'BEGIN:VEVENT',
    'UID:e6',
    'SUMMARY:e6',
    'DTSTART:20300101T000000Z',
    'END:VEVENT',
  ],
  'event-all-day-last-day': [
    'BEGIN:VEVENT',
    'UID:e7',
    'SUMMARY:e7',
    'DTSTART;VALUE=DATE:20300131',
    'END:VEVENT',
  ],
  'todo-inside': ['BEGIN:VTODO', 'UID:e8', 'SUMMARY:e8', 'DUE:20300115T100000Z', 'END:VTODO'],
};

for (const [name, start] of SERVERS) {
  describeWithServer(`CalDAV window edges on ${name}`, start, (server) => {
    it('lists, in a first sync, every item the time-range queries keep', async () => {
      const url = await server().createCalendar();
      await putAll(server(), url);
      const context = listingContext(server(), url);

      const ranged = await Promise.all(
        (['event', 'todo'] as const).map((kind) => queryWindow(context, { kind, window: WINDOW })),
      );
      const byServer = ranged.flatMap((read) => read.items.map((item) => item.ref)).sort();
      const provider = createCalDavProvider({
        ...credentials(server()),
        calendarUrl: url,
        timeZone: 'UTC',
      });
      const first = await provider.listChanges(null, WINDOW);
      const ours = first.changed.map((item) => item.ref);

      expect(byServer).toContain(refOf(url, 'todo-inside'));
      expect(byServer.filter((ref) => !ours.includes(ref))).toEqual([]);
    });

    it('lists an item due at the end of the first window once the window moves', async () => {
      const url = await server().createCalendar();
      await putAll(server(), url);
      const provider = createCalDavProvider({
        ...credentials(server()),
        calendarUrl: url,
        timeZone: 'UTC',
      });

      const first = await provider.listChanges(null, WINDOW);
      const moved = { from: WINDOW.from + DAY, to: WINDOW.to + DAY };
      const next = await provider.listChanges(first.cursor, moved);
      const listed = new Set([...first.changed, ...next.changed].map((item) => item.ref));

      for (const edge of ['todo-due-at-end', 'todo-due-date-at-end']) {
        expect(listed.has(refOf(url, edge)), edge).toBe(true);
      }
    });
  });
}

async function putAll(target: CalDavServer, url: string): Promise<void> {
  for (const [edge, lines] of Object.entries(EDGES)) {
    const body = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//edges//EN', ...lines];
    body.push('END:VCALENDAR', '');
    const answer = await fetch(`${url}${edge}.ics`, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/calendar', ...basicAuth(target) },
      body: body.join('\r\n'),
    });
    expect(answer.status, edge).toBe(201);
  }
}

function refOf(url: string, edge: string): string {
  return `${new URL(url).pathname}${edge}.ics`;
}

function listingContext(target: CalDavServer, url: string): ListingContext {
  return {
    client: createDavClient(credentials(target)),
    collectionUrl: url,
    timeZone: 'UTC',
    kinds: ['event', 'todo'],
    batchSize: 100,
    logger: silentLogger(),
  };
}
