import { formatShortStart, type MessageLanguage } from '../mail/task-format.js';
import type { Client, Task } from '../planning/types.js';
import { gsm7Length, toGatewayText, truncateGsm } from './gsm-text.js';
import { SMS_MAX_LENGTH } from './gateway.js';

export interface ComposeTaskSmsTextOptions {
  task: Pick<Task, 'label' | 'timing' | 'location'>;
  client?: Pick<Client, 'name'> | null;
  language: MessageLanguage;
  timeZone: string;
  /** Septets available; 160 (one SMS) unless a gateway subject takes some. */
  maxLength?: number;
}

/**
 * The task as one short SMS: start and label on the first line, then the client, then the
 * location. ASCII and GSM-safe, so it suits the gateway route and a provider alike. When it is
 * too long the location is cut first, then the client, then the label; the start always stays.
 */
export function composeTaskSmsText(options: ComposeTaskSmsTextOptions): string {
  const max = options.maxLength ?? SMS_MAX_LENGTH;
  const start = toGatewayText(formatShortStart(options.task.timing, options));
  const label = oneLine(options.task.label);
  const client = oneLine(options.client?.name ?? '');
  const location = oneLine(options.task.location);

  // Septets left after the start and the line breaks each present part needs.
  let room = max - gsm7Length(start) - 1;
  const fittedLabel = fit(label, room);
  room -= gsm7Length(fittedLabel);
  const fittedClient = fit(client, room - 1);
  room -= fittedClient === '' ? 0 : gsm7Length(fittedClient) + 1;
  const fittedLocation = fit(location, room - 1);

  return [`${start} ${fittedLabel}`.trim(), fittedClient, fittedLocation]
    .filter((line) => line !== '')
    .join('\n');
}

function oneLine(value: string): string {
  return toGatewayText(value).replace(/\n+/g, ' ');
}

function fit(value: string, room: number): string {
  if (value === '' || room <= 3) return '';
  return truncateGsm(value, room).text;
}
