/** Ordo's iCalendar module: pure functions that read and write RFC 5545 text. */
export { parseCalendar } from './parse.js';
export { writeCalendar } from './write.js';
export { windowsZoneToIana } from './windows-zones.js';
export { tzidToIana } from './zones.js';
export type {
  ItemKind,
  ParsedItem,
  ParseOptions,
  ParseProblem,
  ParseResult,
  Person,
  WriteItem,
  WriteOptions,
} from './types.js';
