/**
 * Time-zone arithmetic for iCalendar: local date-times to instants, with the IANA database
 * (through Luxon) or with the rules of a VTIMEZONE written in the file.
 *
 * ical.js's own conversions are not used: they are known to be off around DST changes.
 */
import ICAL from 'ical.js';
import { IANAZone } from 'luxon';
import { windowsZoneToIana } from './windows-zones.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A wall-clock time, without zone. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A zone as a function from an instant to its UTC offset in minutes. */
export interface ZoneRules {
  readonly name: string;
  offsetAt(instant: number): number;
}

/** The local time read as if it were UTC: the base of all offset arithmetic. */
export function localAsUtc(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
}

/**
 * The instant a wall-clock time names in a zone, as RFC 5545 3.3.5 says: an ambiguous time
 * (fall overlap) is its first occurrence; a time that does not exist (spring gap) is read
 * with the offset in force before the gap.
 */
export function localToInstant(local: LocalDateTime, zone: ZoneRules): number {
  const wall = localAsUtc(local);
  // Assumes no two transitions within a day of each other, which no zone has had since 1900.
  const before = zone.offsetAt(wall - DAY);
  const after = zone.offsetAt(wall + DAY);
  // No transition near: the one offset gives the instant (the checks below would keep it or,
  // finding nothing valid, fall back to it all the same).
  if (before === after) return wall - before * MINUTE;

  const early = wall - before * MINUTE;
  const late = wall - after * MINUTE;
  const earlyValid = zone.offsetAt(early) === before;
  const lateValid = zone.offsetAt(late) === after;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (earlyValid) return early;
  if (lateValid) return late;
  return early;
}

/**
 * An IANA zone; offsets are cached per UTC day, since Intl look-ups are slow. A day with a
 * transition is cached per hour instead, and the hour of the transition is asked exactly
 * each time.
 */
class IanaZoneRules implements ZoneRules {
  private readonly zone: IANAZone;
  /** Offset of a day without transition, or NaN for a day with one. */
  private readonly byDay = new Map<number, number>();
  /** The same per hour, for the hours of days with a transition. */
  private readonly byHour = new Map<number, number>();

  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
  }

  offsetAt(instant: number): number {
    const day = Math.floor(instant / DAY);
    const cached = this.byDay.get(day);
    if (cached !== undefined && !Number.isNaN(cached)) return cached;
    if (cached === undefined) {
      const offset = this.steadyOffset(day * DAY, DAY);
      this.byDay.set(day, offset);
      if (!Number.isNaN(offset)) return offset;
    }

    const hour = Math.floor(instant / HOUR);
    let inHour = this.byHour.get(hour);
    if (inHour === undefined) {
      inHour = this.steadyOffset(hour * HOUR, HOUR);
      this.byHour.set(hour, inHour);
    }
    return Number.isNaN(inHour) ? this.zone.offset(instant) : inHour;
  }

  /** The offset over [start, start + length), when the same at both ends; NaN otherwise. */
  private steadyOffset(start: number, length: number): number {
    const first = this.zone.offset(start);
    const last = this.zone.offset(start + length - 1);
    return first === last ? first : NaN;
  }
}

const ianaCache = new Map<string, ZoneRules>();
/**
 * Names found not to be IANA zones. They come from files (every TZID is tried), so only so
 * many are kept; past that, an unknown name is asked of Intl again.
 */
const notIana = new Set<string>();
const MAX_NOT_IANA = 1024;
const MAX_IANA = 1024;

/** The rules of an IANA zone (`Europe/Paris`), or `null` when the database has no such zone. */
export function ianaZone(name: string): ZoneRules | null {
  const known = ianaCache.get(name);
  if (known) return known;
  if (notIana.has(name)) return null;
  if (!IANAZone.isValidZone(name)) {
    if (notIana.size < MAX_NOT_IANA) notIana.add(name);
    return null;
  }
  const rules = new IanaZoneRules(name);
  // Intl takes names in any case, so even valid names are not bounded by the database.
  if (ianaCache.size < MAX_IANA) ianaCache.set(name, rules);
  return rules;
}

/**
 * The IANA zone a TZID means, without looking at VTIMEZONEs: an IANA name, an IANA name
 * behind a vendor prefix (`/mozilla.org/20050126_1/Europe/Paris`,
 * `/softwarestudio.org/Olson_20011030_5/America/New_York`), or a Windows zone.
 */
export function tzidToIana(tzid: string): string | null {
  const name = tzid.trim();
  if (name === '') return null;
  if (!name.startsWith('/') && ianaZone(name)) return name;

  const parts = name.split('/').filter((part) => part !== '');
  for (let take = Math.min(3, parts.length); take >= 1; take -= 1) {
    const candidate = parts.slice(parts.length - take).join('/');
    if (candidate.includes('/') || take === parts.length) {
      if (ianaZone(candidate)) return candidate;
    }
  }
  return windowsZoneToIana(name);
}

/** One onset of an observance: from `at` (an instant) the offset is `offset` minutes. */
interface Transition {
  at: number;
  offset: number;
}

type JCalProperty = [string, Record<string, unknown>, string, ...unknown[]];
type JCalComponent = [string, JCalProperty[], JCalComponent[]];

function parseUtcOffset(value: unknown): number | null {
  const match = /^([+-])(\d{2}):?(\d{2})(?::?(\d{2}))?$/.exec(String(value));
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3]) + Number(match[4] ?? 0) / 60;
  return match[1] === '-' ? -minutes : minutes;
}

function firstValue(component: JCalComponent, name: string): unknown {
  const property = component[1].find((p) => p[0] === name);
  return property ? property[3] : undefined;
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?Z?$/;

function parseLocal(value: unknown): LocalDateTime | null {
  const match = LOCAL_PATTERN.exec(String(value));
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! };
}

/** Onsets of one STANDARD or DAYLIGHT block, up to the end of `untilYear`. */
function expandObservance(observance: JCalComponent, untilYear: number): Transition[] {
  const start = parseLocal(firstValue(observance, 'dtstart'));
  const from = parseUtcOffset(firstValue(observance, 'tzoffsetfrom'));
  const to = parseUtcOffset(firstValue(observance, 'tzoffsetto'));
  if (!start || from === null || to === null) return [];

  // An onset is a local time in the offset in force before it (RFC 5545 3.6.5).
  const onset = (local: LocalDateTime): Transition => ({
    at: localAsUtc(local) - from * MINUTE,
    offset: to,
  });
  const transitions = [onset(start)];
  for (const property of observance[1]) {
    if (property[0] === 'rdate') {
      for (const value of property.slice(3)) {
        const local = parseLocal(value);
        if (local) transitions.push(onset(local));
      }
    }
    if (property[0] === 'rrule') {
      transitions.push(...expandRule(property[3], start, untilYear).map(onset));
    }
  }
  return transitions;
}

function expandRule(rule: unknown, start: LocalDateTime, untilYear: number): LocalDateTime[] {
  const recur = ICAL.Recur.fromData(rule as Record<string, unknown>);
  const dtstart = ICAL.Time.fromData({ ...start, isDate: false });
  const iterator = recur.iterator(dtstart);
  const onsets: LocalDateTime[] = [];
  for (let next = iterator.next(); next && next.year <= untilYear; next = iterator.next()) {
    onsets.push({
      year: next.year,
      month: next.month,
      day: next.day,
      hour: next.hour,
      minute: next.minute,
      second: next.second,
    });
  }
  return onsets;
}

/**
 * A zone defined by a VTIMEZONE in the file. Onsets are expanded lazily, far enough to
 * cover the instants asked.
 */
class VTimezoneRules implements ZoneRules {
  private transitions: Transition[] = [];
  private untilYear = -Infinity;
  private initialOffset = 0;

  constructor(
    readonly name: string,
    private readonly component: JCalComponent,
  ) {}

  hasObservances(): boolean {
    return this.component[2].some((sub) => sub[0] === 'standard' || sub[0] === 'daylight');
  }

  offsetAt(instant: number): number {
    const year = new Date(instant).getUTCFullYear() + 1;
    if (year > this.untilYear) this.expand(Math.max(year, 2100));

    let low = 0;
    let high = this.transitions.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.transitions[middle]!.at <= instant) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found < 0 ? this.initialOffset : this.transitions[found]!.offset;
  }

  private expand(untilYear: number): void {
    const observances = this.component[2].filter(
      (sub) => sub[0] === 'standard' || sub[0] === 'daylight',
    );
    this.transitions = observances
      .flatMap((observance) => expandObservance(observance, untilYear))
      .sort((a, b) => a.at - b.at);
    this.untilYear = untilYear;

    const earliest = observances
      .map((observance) => ({
        start: parseLocal(firstValue(observance, 'dtstart')),
        from: parseUtcOffset(firstValue(observance, 'tzoffsetfrom')),
      }))
      .filter((entry) => entry.start && entry.from !== null)
      .sort((a, b) => localAsUtc(a.start!) - localAsUtc(b.start!))[0];
    this.initialOffset = earliest?.from ?? this.transitions[0]?.offset ?? 0;
  }
}

/**
 * Rules already built for a VTIMEZONE component. The grammar hands the same component for
 * the same VTIMEZONE text (see grammar.ts), so its onsets, expanded from as far back as 1601
 * in Outlook's zones, are expanded once rather than for every object of a calendar. The
 * expansion only grows with the instants asked, so what a rule gives does not depend on
 * what was asked before.
 */
const rulesByComponent = new WeakMap<JCalComponent, VTimezoneRules>();

function vtimezoneRules(tzid: string, component: JCalComponent): VTimezoneRules {
  let rules = rulesByComponent.get(component);
  if (!rules) {
    rules = new VTimezoneRules(tzid, component);
    rulesByComponent.set(component, rules);
  }
  return rules;
}

/** The zones a file can name: its own VTIMEZONEs, then the IANA database. */
export class ZoneResolver {
  private readonly defined = new Map<string, VTimezoneRules>();
  private readonly resolved = new Map<string, ZoneRules | null>();

  constructor(vtimezones: JCalComponent[]) {
    for (const component of vtimezones) {
      const tzid = firstValue(component, 'tzid');
      if (typeof tzid !== 'string') continue;
      const rules = vtimezoneRules(tzid, component);
      if (rules.hasObservances()) this.defined.set(tzid.trim(), rules);
    }
  }

  /**
   * The zone a TZID names: IANA, vendor-prefixed IANA or Windows names first (the IANA
   * database knows history that a file's VTIMEZONE often simplifies), then the file's own
   * VTIMEZONE; `null` when neither knows it.
   */
  resolve(tzid: string): ZoneRules | null {
    let rules = this.resolved.get(tzid);
    if (rules === undefined) {
      const iana = tzidToIana(tzid);
      rules = iana ? ianaZone(iana) : (this.defined.get(tzid.trim()) ?? null);
      this.resolved.set(tzid, rules);
    }
    return rules;
  }
}

export type { JCalComponent, JCalProperty };
