/**
 * Every migration, in order. Names sort in the order they run; a released migration is
 * never edited, only followed by a new one. Listed statically so the compiled server needs
 * no file-system scan.
 */
import type { Migration } from 'kysely';
import * as planning from './0001-planning.js';
import * as sync from './0002-sync.js';
import * as mail from './0003-mail.js';
import * as reminders from './0004-reminders.js';
import * as syncConfirm from './0005-sync-confirm.js';
import * as syncRunMark from './0006-sync-run-mark.js';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-planning': planning,
  '0002-sync': sync,
  '0003-mail': mail,
  '0004-reminders': reminders,
  '0005-sync-confirm': syncConfirm,
  '0006-sync-run-mark': syncRunMark,
};
