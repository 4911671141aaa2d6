/**
 * The synchronization's tables. `sync_accounts` holds one user's calendar account and
 * settings (SPEC 3.1) plus the scheduler's columns (`next_run_at`, the lease); `sync_items`
 * is the engine's state (its shape is documented in engine/state-store.ts); `sync_runs` is
 * the log of what each run did; `task_sync_marks` the tasks sent one by one in manual mode;
 * `feeds` the read-only iCalendar feeds of resources. Secrets (the CalDAV password, the
 * Microsoft token cache) are stored sealed by the secret box.
 */
import type { SyncItemsTable } from './engine/index.js';

export type SyncProviderName = 'caldav' | 'graph';
export type ExportAs = 'appointments' | 'tasks' | 'manual';

export interface SyncAccountsTable {
  id: string;
  user_id: string;
  provider: SyncProviderName | null;
  caldav_server_url: string | null;
  caldav_calendar_url: string | null;
  caldav_username: string | null;
  caldav_password_sealed: string | null;
  graph_token_cache_sealed: string | null;
  graph_account: string | null;
  graph_calendar_id: string | null;
  graph_todo_list_id: string | null;
  enabled: number;
  every_minutes: number;
  /** `null`: from today on (past tasks are not synchronized). */
  past_days: number | null;
  future_days: number;
  export_as: ExportAs;
  import_appointments: number;
  import_tasks: number;
  sync_cursor: string | null;
  sync_cursor_saved_at: number | null;
  /** The engine's `RunMark` (JSON), saved with the cursor; migration 0006. */
  sync_run_mark: string | null;
  next_run_at: number;
  /** While a process runs the account: until when its claim holds, and whose it is. */
  lease_until: number | null;
  lease_owner: string | null;
  created_at: number;
  updated_at: number;
}

export interface SyncRunsTable {
  id: string;
  account_id: string;
  started_at: number;
  finished_at: number;
  status: 'ok' | 'failed';
  listing: string | null;
  /** JSON: created/updated/deleted/restored/linked/skipped. */
  counts: string;
  /** JSON array of the engine's actions. */
  actions: string;
  /** JSON array of `{ code, message, taskId?, ref?, remote? }`. */
  errors: string;
}

export interface TaskSyncMarksTable {
  account_id: string;
  task_id: string;
  kind: 'event' | 'todo';
  created_at: number;
}

export interface FeedsTable {
  id: string;
  resource_id: string;
  /** SHA-256 of the token in the URL: a stolen database does not hold usable feed URLs. */
  token_hash: string;
  created_by: string | null;
  created_at: number;
  revoked_at: number | null;
}

declare module '../store/schema.js' {
  interface OrdoTables {
    sync_accounts: SyncAccountsTable;
    sync_items: SyncItemsTable;
    sync_runs: SyncRunsTable;
    task_sync_marks: TaskSyncMarksTable;
    feeds: FeedsTable;
  }
}
