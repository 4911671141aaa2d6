/**
 * The sync benchmark's calendar: 5,000 events as Radicale's filesystem storage keeps them
 * (TZID Europe/Paris with its VTIMEZONE, descriptions, an alarm on one in four), and the
 * edited versions the benchmark PUTs.
 */
import fs from 'node:fs';
import path from 'node:path';

import { seededRandom } from './helpers.js';

export const EVENTS = 5_000;
export const USER = 'ordo';
export const PASSWORD = 'bench';
export const CALENDAR = 'bench';
export const ZONE = 'Europe/Paris';
export const DAY = 86_400_000;
export const NOW = Date.now();

const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];
const WORDS = ['chantier', 'réunion', 'livraison', 'pose', 'devis', 'visite', 'dépannage'];
const PLACES = ['Lyon', 'Villeurbanne', 'Bron', 'Vénissieux', 'Écully', 'Caluire'];

export function uidOf(index: number): string {
  return `bench-${String(index).padStart(5, '0')}@radicale.example`;
}

function localStamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}00`
  );
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded (by characters here, close enough). */
function fold(line: string): string {
  const parts: string[] = [];
  for (let at = 0; at < line.length; at += 72) parts.push(line.slice(at, at + 72));
  return parts.join('\r\n ');
}

/** Event `index` as an .ics object; `edit` > 0 gives the version after that edit. */
export function eventIcs(index: number, edit = 0): string {
  const random = seededRandom(index + 1);
  const today = new Date(NOW - (NOW % DAY));
  const day = Math.floor(random() * 330) - 30;
  const startMinutes = (7 + Math.floor(random() * 10)) * 60 + 15 * Math.floor(random() * 4);
  // Wall-clock times in Paris, written with TZID: the date's UTC fields hold the local time.
  const start = new Date(today.getTime() + day * DAY + startMinutes * 60_000);
  const end = new Date(start.getTime() + (1 + Math.floor(random() * 4)) * 3_600_000);
  const word = WORDS[index % WORDS.length] as string;
  const place = PLACES[index % PLACES.length] as string;
  const summary = `${word[0]?.toUpperCase()}${word.slice(1)} ${place} n°${index}`;
  const description =
    `Client ${index % 97}: prévoir ${1 + (index % 3)} personnes\\, matériel au dépôt. ` +
    `Accès par la rue ${place}\\; code portail ${1000 + (index % 9000)}. ` +
    'Rappeler la veille pour confirmer le créneau.';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ordo//sync bench//FR',
    'CALSCALE:GREGORIAN',
    ...VTIMEZONE,
    'BEGIN:VEVENT',
    `UID:${uidOf(index)}`,
    'DTSTAMP:20260101T080000Z',
    `LAST-MODIFIED:2026010${1 + (edit % 9)}T080000Z`,
    `SEQUENCE:${edit}`,
    `DTSTART;TZID=Europe/Paris:${localStamp(start)}`,
    `DTEND;TZID=Europe/Paris:${localStamp(end)}`,
    `SUMMARY:${edit > 0 ? `${summary} (modifié ${edit})` : summary}`,
    fold(`DESCRIPTION:${description}`),
    `LOCATION:${place}`,
    ...(index % 4 === 0
      ? ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Rappel', 'TRIGGER:-PT15M', 'END:VALARM']
      : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** Writes the collection as Radicale's filesystem storage keeps it. */
export function writeStorage(storage: string): void {
  const collection = path.join(storage, 'collection-root', USER, CALENDAR);
  fs.mkdirSync(collection, { recursive: true });
  fs.writeFileSync(
    path.join(collection, '.Radicale.props'),
    JSON.stringify({
      tag: 'VCALENDAR',
      'D:displayname': 'Bench',
      'C:supported-calendar-component-set': 'VEVENT,VTODO',
    }),
  );
  for (let i = 0; i < EVENTS; i += 1) {
    fs.writeFileSync(path.join(collection, `${uidOf(i)}.ics`), eventIcs(i));
  }
}
