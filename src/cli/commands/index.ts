/** Every `ordo` command. A capability adds its commands here. */
import type { Command } from '../command.js';
import { ADMIN_COMMANDS } from './admin.js';
import { CALENDAR_FILE_COMMANDS } from './calendar-files.js';
import { MESSAGE_COMMANDS } from './messages.js';
import { PLANNING_COMMANDS } from './planning.js';
import { SERVE_COMMANDS } from './serve.js';
import { SYNC_COMMANDS } from './sync.js';

export const COMMANDS: Command[] = [
  ...SERVE_COMMANDS,
  ...PLANNING_COMMANDS,
  ...CALENDAR_FILE_COMMANDS,
  ...MESSAGE_COMMANDS,
  ...SYNC_COMMANDS,
  ...ADMIN_COMMANDS,
];
