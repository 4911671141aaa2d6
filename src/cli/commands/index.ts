/** Every `ordo` command. A capability adds its commands here. */
import type { Command } from '../command.js';
import { ADMIN_COMMANDS } from './admin.js';
import { CALENDAR_FILE_COMMANDS } from './calendar-files.js';
import { PLANNING_COMMANDS } from './planning.js';

export const COMMANDS: Command[] = [
  ...PLANNING_COMMANDS,
  ...CALENDAR_FILE_COMMANDS,
  ...ADMIN_COMMANDS,
];
