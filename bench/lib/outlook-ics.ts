/**
 * An iCalendar file as Outlook / Exchange exports a calendar: a Windows TZID with its
 * VTIMEZONE, long descriptions folded at 75 octets, alarms, all-day items, private items,
 * a few recurring series, Microsoft's X- properties and 112-character UIDs.
 */
import { pick, seededRandom } from '../helpers.js';

const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Romance Standard Time',
  'BEGIN:STANDARD',
  'DTSTART:16010101T030000',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:16010101T020000',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
];

const SUBJECTS = [
  'Point hebdo équipe',
  'Intervention chaudière',
  'Réunion de chantier',
  'Visite technique',
  'Déjeuner client',
  'Revue de projet',
  'Formation sécurité',
  'Appel fournisseur',
];
const PLACES = [
  'Salle Rhône',
  'Teams Meeting',
  '12 rue de la République, 69002 Lyon',
  'Atelier',
  '',
];
const PARAGRAPHS = [
  'Bonjour à tous,\\n\\nMerci de prévoir les plans à jour et la liste des pièces.',
  'Ordre du jour : avancement\\, planning des deux prochaines semaines\\, points bloquants.',
  '________________________________________________________________________________\\nRéunion Microsoft Teams\\nRejoindre sur votre ordinateur ou application mobile\\nCliquez ici pour rejoindre la réunion\\nID de la réunion : 312 456 789 012\\nCode secret : aB3cD4',
  "Le client a signalé une fuite au niveau du raccord ; prévoir joints et clé à molette. Accès par l'arrière du bâtiment B\\, code 4589.",
];

/** One content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (octets + size > limit) {
      parts.push(current);
      current = ' ';
      octets = 1;
      limit = 75;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n');
}

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Local wall time as Outlook writes it with a TZID: 20250303T081500. */
function local(day: Date, minutes: number): string {
  const d = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  d.setUTCMinutes(minutes);
  return stamp(d.getTime()).slice(0, 15);
}

function dateValue(day: Date, plus = 0): string {
  const d = new Date(day.getTime() + plus * 86_400_000);
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

export interface OutlookFileCounts {
  events: number;
  allDay: number;
  private: number;
  recurring: number;
  withAlarm: number;
}

export function outlookCalendar(
  events: number,
  seed = 42,
): { ics: string; counts: OutlookFileCounts } {
  const random = seededRandom(seed);
  const counts: OutlookFileCounts = { events, allDay: 0, private: 0, recurring: 0, withAlarm: 0 };
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN',
    'VERSION:2.0',
    'METHOD:PUBLISH',
    'X-CALNAME:Calendrier',
    'X-MS-OLK-FORCEINSPECTOROPEN:TRUE',
    ...VTIMEZONE,
  ];
  const first = Date.UTC(2024, 0, 1);
  const stamped = stamp(Date.UTC(2025, 5, 1, 9));
  for (let i = 0; i < events; i++) {
    const day = new Date(first + Math.floor(random() * 730) * 86_400_000);
    const uid = `040000008200E00074C5B7101A82E00800000000${(1e15 + i * 7919).toString(16).toUpperCase()}${'0'.repeat(40)}${String(i).padStart(8, '0')}`;
    const kind = random();
    const event = ['BEGIN:VEVENT', 'CLASS:PUBLIC'];
    if (kind < 0.04) {
      event[1] = 'CLASS:PRIVATE';
      counts.private++;
    }
    event.push(`CREATED:${stamped}`, `DTSTAMP:${stamped}`, `LAST-MODIFIED:${stamped}`);
    const description = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      pick(random, PARAGRAPHS),
    ).join('\\n\\n');
    event.push(fold(`DESCRIPTION:${description}`));
    if (kind >= 0.04 && kind < 0.12) {
      counts.allDay++;
      const days = random() < 0.8 ? 1 : 2 + Math.floor(random() * 4);
      event.push(
        `DTSTART;VALUE=DATE:${dateValue(day)}`,
        `DTEND;VALUE=DATE:${dateValue(day, days)}`,
      );
      event.push('X-MICROSOFT-CDO-ALLDAYEVENT:TRUE', 'TRANSP:TRANSPARENT');
    } else {
      const start = 7 * 60 + 15 * Math.floor(random() * 40);
      const length = 30 * (1 + Math.floor(random() * 8));
      event.push(
        `DTSTART;TZID=Romance Standard Time:${local(day, start)}`,
        `DTEND;TZID=Romance Standard Time:${local(day, start + length)}`,
        'X-MICROSOFT-CDO-ALLDAYEVENT:FALSE',
        'TRANSP:OPAQUE',
      );
    }
    if (kind >= 0.99) {
      counts.recurring++;
      event.push('RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO');
    }
    event.push(
      fold(`LOCATION:${pick(random, PLACES)}`),
      'ORGANIZER;CN=Marie Durand:mailto:marie.durand@example.com',
      fold('ATTENDEE;CN=Paul Martin;RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:paul.martin@example.com'),
      'PRIORITY:5',
      'SEQUENCE:0',
      `SUMMARY;LANGUAGE=fr-FR:${pick(random, SUBJECTS)} ${i}`,
      fold(`UID:${uid}`),
      'X-MICROSOFT-CDO-BUSYSTATUS:BUSY',
      'X-MICROSOFT-CDO-IMPORTANCE:1',
      'X-MICROSOFT-DISALLOW-COUNTER:FALSE',
      'X-MS-OLK-CONFTYPE:0',
    );
    if (random() < 0.35) {
      counts.withAlarm++;
      const minutes = pick(random, [5, 15, 30, 60, 1080]);
      event.push(
        'BEGIN:VALARM',
        `TRIGGER:-PT${minutes}M`,
        'ACTION:DISPLAY',
        'DESCRIPTION:Reminder',
        'END:VALARM',
      );
    }
    event.push('END:VEVENT');
    lines.push(...event);
  }
  lines.push('END:VCALENDAR');
  return { ics: `${lines.join('\r\n')}\r\n`, counts };
}
