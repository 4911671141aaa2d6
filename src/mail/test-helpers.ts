import type { ComposeTaskMessageOptions } from './task-message.js';

/**
 * A small, valid invitation for tests (src/ical/ has the real writer). Lines end in CRLF as
 * RFC 5545 3.1 requires; they are kept short so no folding is needed.
 */
export function sampleIcs(input: {
  method: 'REQUEST' | 'CANCEL';
  sequence: number;
  summary: string;
  uid?: string;
}): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ordo//tests//EN',
    `METHOD:${input.method}`,
    'BEGIN:VEVENT',
    `UID:${input.uid ?? 'task-1@ordo.example'}`,
    `SEQUENCE:${input.sequence}`,
    'DTSTAMP:20230301T120000Z',
    'DTSTART:20230307T071500Z',
    'DTEND:20230307T084500Z',
    `SUMMARY:${input.summary}`,
    ...(input.method === 'CANCEL' ? ['STATUS:CANCELLED'] : []),
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** A task message's options with sensible values; override what a test is about. */
export function sampleTaskMessage(
  overrides: Partial<ComposeTaskMessageOptions> = {},
): ComposeTaskMessageOptions {
  const method = overrides.method ?? 'REQUEST';
  const sequence = overrides.sequence ?? 0;
  return {
    task: {
      label: 'Réunion de chantier',
      // 2023-03-07 07:15Z to 08:45Z: 08:15 to 09:45 in Paris.
      timing: {
        allDay: false,
        start: Date.UTC(2023, 2, 7, 7, 15),
        end: Date.UTC(2023, 2, 7, 8, 45),
      },
      remark: 'Apporter les plans.\nClé chez le gardien.',
      location: '12 rue des Lilas, Lyon',
      category: 'Chantier',
    },
    resources: [
      {
        name: 'Zoë Müller',
        kind: 'human',
        email: 'zoe@example.org',
        mobile: '+33612345678',
        departmentId: 'd1',
      },
      { name: 'Camion 3', kind: 'material', email: null, mobile: null, departmentId: null },
    ],
    client: { name: 'Dupont & Fils', email: 'contact@dupont.example', mobile: null },
    departments: [{ id: 'd1', name: 'Travaux' }],
    fields: ['label', 'start', 'end', 'duration', 'resources', 'client', 'location', 'remark'],
    language: 'fr',
    timeZone: 'Europe/Paris',
    from: { name: 'Planning Ordo', address: 'planning@ordo.example' },
    to: [{ name: 'Zoë Müller', address: 'zoe@example.org' }],
    method,
    sequence,
    icsText: sampleIcs({ method, sequence, summary: 'Réunion de chantier' }),
    ...overrides,
  };
}

/** The header block of a raw message, unfolded, as `name (lower case) → values`. */
export function rawHeaders(raw: Buffer | string): Map<string, string[]> {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r\n[ \t]/g, ' ');
  const headers = new Map<string, string[]>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).trim().toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** The body of a raw message, after the blank line. */
export function rawBody(raw: Buffer | string): string {
  const text = raw.toString('latin1');
  return text.slice(text.indexOf('\r\n\r\n') + 4);
}
