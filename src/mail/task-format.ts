import { DateTime, IANAZone } from 'luxon';
import type { TaskTiming } from '../planning/types.js';
import { OrdoError } from '../shared/errors.js';

export type MessageLanguage = 'fr' | 'en';

export interface FormatContext {
  language: MessageLanguage;
  /** The company's IANA time zone: every time in a message is shown in it. */
  timeZone: string;
}

// Written with explicit patterns rather than Intl's `dateStyle`, whose punctuation changes
// between ICU versions ("mardi 7 mars 2023 à 08:15" on one, "…, 08:15" on another): a message
// must read the same on every server.
const DATE_PATTERN: Record<MessageLanguage, string> = {
  fr: 'cccc d LLLL yyyy',
  en: 'cccc, d LLLL yyyy',
};

/** "mardi 7 mars 2023, 08:15" / "Tuesday, 7 March 2023, 08:15", in the company's zone. */
export function formatInstant(epochMs: number, context: FormatContext): string {
  return localDateTime(epochMs, context).toFormat(`${DATE_PATTERN[context.language]}', 'HH:mm`);
}

/** "mardi 7 mars 2023" / "Tuesday, 7 March 2023" for a calendar date (`YYYY-MM-DD`). */
export function formatCalendarDate(date: string, language: MessageLanguage): string {
  // A calendar date never passes through an instant or a zone: it is the same day everywhere.
  const parsed = DateTime.fromISO(date, { zone: 'UTC' });
  if (!parsed.isValid) throw new OrdoError('VALIDATION', { details: { date } });
  return parsed.setLocale(language).toFormat(DATE_PATTERN[language]);
}

/** A short start, for SMS: "07/03 08:15" (fr) or "7 Mar 08:15" (en). */
export function formatShortStart(timing: TaskTiming, context: FormatContext): string {
  const pattern = context.language === 'fr' ? 'dd/LL' : 'd LLL';
  if (timing.allDay) {
    return DateTime.fromISO(timing.startDate, { zone: 'UTC' })
      .setLocale(context.language)
      .toFormat(pattern);
  }
  return localDateTime(timing.start, context).toFormat(`${pattern} HH:mm`);
}

export function formatStart(timing: TaskTiming, context: FormatContext): string {
  return timing.allDay
    ? formatCalendarDate(timing.startDate, context.language)
    : formatInstant(timing.start, context);
}

/** The last moment of the task; for all-day tasks the last day (the stored end is exclusive). */
export function formatEnd(timing: TaskTiming, context: FormatContext): string {
  if (!timing.allDay) return formatInstant(timing.end, context);
  const lastDay = DateTime.fromISO(timing.endDate, { zone: 'UTC' }).minus({ days: 1 });
  return formatCalendarDate(lastDay.toISODate() ?? timing.endDate, context.language);
}

/** "1 h 30 min", "2 jours", "3 days 2 h": elapsed time, so a DST night counts its real hours. */
export function formatDuration(timing: TaskTiming, language: MessageLanguage): string {
  if (timing.allDay) {
    const start = DateTime.fromISO(timing.startDate, { zone: 'UTC' });
    const days = Math.round(
      DateTime.fromISO(timing.endDate, { zone: 'UTC' }).diff(start, 'days').days,
    );
    return formatDays(days, language);
  }
  const totalMinutes = Math.max(0, Math.round((timing.end - timing.start) / 60_000));
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const parts = [
    days > 0 ? formatDays(days, language) : '',
    hours > 0 ? `${hours} h` : '',
    minutes > 0 || totalMinutes === 0 ? `${minutes} min` : '',
  ];
  return parts.filter((part) => part !== '').join(' ');
}

function formatDays(days: number, language: MessageLanguage): string {
  if (language === 'fr') return `${days} ${days > 1 ? 'jours' : 'jour'}`;
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

function localDateTime(epochMs: number, context: FormatContext): DateTime {
  if (!IANAZone.isValidZone(context.timeZone)) {
    throw new OrdoError('TIMEZONE_UNKNOWN', { details: { timeZone: context.timeZone } });
  }
  return DateTime.fromMillis(epochMs, { zone: context.timeZone }).setLocale(context.language);
}
