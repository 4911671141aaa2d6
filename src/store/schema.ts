/**
 * The tables of the planning, as Kysely sees them. Instants are epoch milliseconds in
 * 64-bit integers; all-day dates are `YYYY-MM-DD` text and never pass through an instant;
 * booleans are 0/1 integers so SQLite and PostgreSQL read the same.
 *
 * Other capabilities (sync, mail, reminders) declare their own tables beside their code and
 * merge them into `Database` through `OrdoTables` declaration merging.
 */
import type { Kysely } from 'kysely';

export interface SettingsTable {
  key: string;
  value: string;
}

export interface DepartmentsTable {
  id: string;
  name: string;
}

export interface ResourcesTable {
  id: string;
  name: string;
  kind: string;
  email: string | null;
  mobile: string | null;
  department_id: string | null;
  created_at: number;
}

export interface ClientsTable {
  id: string;
  name: string;
  email: string | null;
  mobile: string | null;
  created_at: number;
}

export interface GroupsTable {
  id: string;
  name: string;
  can_add: number;
  can_modify: number;
  can_delete: number;
}

export interface UsersTable {
  id: string;
  login: string;
  password_hash: string;
  is_admin: number;
  resource_id: string | null;
  group_id: string | null;
  default_access: string;
  language: string | null;
  created_at: number;
}

export interface UserDepartmentAccessTable {
  user_id: string;
  department_id: string;
  access: string;
}

export interface SessionsTable {
  /** SHA-256 of the cookie's token: a stolen database does not hold usable sessions. */
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface TasksTable {
  id: string;
  uid: string;
  label: string;
  all_day: number;
  /** For all-day tasks: midnight of start_date in the company's zone, for range queries only. */
  start_at: number;
  end_at: number;
  start_date: string | null;
  end_date: string | null;
  /** Tasks longer than the planning's query bound: found by their own index. */
  long_span: number;
  /** JSON array of resource ids, in order; `task_resources` indexes it. */
  resource_ids: string;
  client_id: string | null;
  remark: string;
  location: string;
  category: string;
  reminder_kind: string;
  reminder_minutes: number | null;
  reminder_at: number | null;
  private: number;
  periodic_task_id: string | null;
  detached_from_periodic_task_id: string | null;
  sequence: number;
  created_by: string | null;
  created_at: number;
  modified_at: number;
}

export interface TaskResourcesTable {
  task_id: string;
  resource_id: string;
  position: number;
}

/** Remembers when a task was deleted, so a sync can weigh the deletion against a change. */
export interface TaskTombstonesTable {
  task_id: string;
  uid: string;
  deleted_at: number;
}

export interface UnavailabilitiesTable {
  id: string;
  resource_id: string;
  start_at: number;
  end_at: number;
  reason: string;
}

export interface PeriodicTasksTable {
  id: string;
  rule: string;
  template: string;
  until: string | null;
  created_at: number;
}

/**
 * Every table Ordo has. Capabilities add theirs by merging into this interface:
 * `declare module '../store/schema.js' { interface OrdoTables { outbox: OutboxTable } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OrdoTables {}

export interface PlanningTables {
  settings: SettingsTable;
  departments: DepartmentsTable;
  resources: ResourcesTable;
  clients: ClientsTable;
  groups: GroupsTable;
  users: UsersTable;
  user_department_access: UserDepartmentAccessTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  tasks: TasksTable;
  task_resources: TaskResourcesTable;
  task_tombstones: TaskTombstonesTable;
  unavailabilities: UnavailabilitiesTable;
  periodic_tasks: PeriodicTasksTable;
}

export interface Database extends PlanningTables, OrdoTables {}

export type Db = Kysely<Database>;
