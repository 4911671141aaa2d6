/**
 * The HTTP API as the page uses it: every call sends the CSRF header the server asks of
 * cookie-authenticated changes, and every error comes back as an `ApiError` carrying the
 * server's stable code, so the page can translate it.
 */
// Identity cards, departments and groups travel exactly as the planning holds them.
import type { Access, Client, Department, Group, Resource } from '../../planning/types.js';

export type { Access, Client, Department, Group, Resource };

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The form field the server blames, when it names one. */
  get field(): string | null {
    const field = this.details.field;
    return typeof field === 'string' ? field : null;
  }
}

export type Reminder =
  { kind: 'none' } | { kind: 'before'; minutes: number } | { kind: 'at'; at: string };

export interface TaskJson {
  id: string;
  uid: string;
  label: string;
  allDay: boolean;
  /** ISO instant for timed tasks, `YYYY-MM-DD` for all-day ones (end exclusive). */
  start: string;
  end: string;
  resourceIds: string[];
  clientId: string | null;
  remark: string;
  location: string;
  category: string;
  reminder: Reminder;
  private: boolean;
  masked: boolean;
  periodicTaskId: string | null;
  detachedFromPeriodicTaskId: string | null;
  sequence: number;
  modifiedAt: string;
}

export type TaskInput = Omit<
  TaskJson,
  | 'id'
  | 'uid'
  | 'masked'
  | 'sequence'
  | 'modifiedAt'
  | 'periodicTaskId'
  | 'detachedFromPeriodicTaskId'
>;

export interface UnavailabilityJson {
  id: string;
  resourceId: string;
  start: string;
  end: string;
  reason: string;
}

export interface User {
  id: string;
  login: string;
  isAdmin: boolean;
  resourceId: string | null;
  groupId: string | null;
  defaultAccess?: Access;
  departmentAccess?: Record<string, Access>;
  language?: 'fr' | 'en' | null;
}

export interface Me {
  user: User;
  rights: Record<string, unknown>;
  settings: Record<string, unknown>;
}

export interface Setting {
  key: string;
  value: unknown;
  description: string;
  secret: boolean;
  isSet?: boolean;
}

export interface ImportReport {
  imported: { uid: string; label: string }[];
  skipped: { uid: string; reason: string }[];
  failed: { uid: string; reason: string; code: string }[];
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  /** Sent as it is (a file), instead of as JSON. */
  raw?: Blob;
}

/** Called when any request answers 401, so the page can go back to the login form. */
let onAuthLost: () => void = () => {};

export function whenAuthLost(handler: () => void): void {
  onAuthLost = handler;
}

export async function request<T>(
  method: Method,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { 'X-Ordo-CSRF': '1', Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.raw) {
    body = options.raw;
    headers['Content-Type'] = options.raw.type || 'text/calendar';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : String(cause));
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response, payload, path);
  return payload as T;
}

function toApiError(response: Response, payload: unknown, path: string): ApiError {
  const error = (payload as { error?: Partial<ApiErrorBody> } | null)?.error;
  const code = error?.code ?? `HTTP_${response.status}`;
  if (response.status === 401 && path !== '/api/session') onAuthLost();
  return new ApiError(
    response.status,
    code,
    error?.message ?? response.statusText,
    error?.details ?? {},
  );
}

const q = (params: Record<string, string | undefined>): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
};

const id = (value: string): string => encodeURIComponent(value);

export const api = {
  login: (login: string, password: string) =>
    request<{ user: User }>('POST', '/api/session', { body: { login, password } }),
  logout: () => request<void>('DELETE', '/api/session'),
  me: () => request<Me>('GET', '/api/me'),

  tasks: (from: string, to: string, resourceId?: string) =>
    request<{ tasks: TaskJson[] }>('GET', `/api/tasks${q({ from, to, resourceId })}`),
  task: (taskId: string) => request<TaskJson>('GET', `/api/tasks/${id(taskId)}`),
  createTask: (input: TaskInput) => request<TaskJson>('POST', '/api/tasks', { body: input }),
  updateTask: (taskId: string, patch: Partial<TaskInput>) =>
    request<TaskJson>('PATCH', `/api/tasks/${id(taskId)}`, { body: patch }),
  deleteTask: (taskId: string) => request<void>('DELETE', `/api/tasks/${id(taskId)}`),
  detachTask: (taskId: string) => request<TaskJson>('POST', `/api/tasks/${id(taskId)}/detach`),
  createPeriodicTask: (input: { rule: string; template: TaskInput; until: string | null }) =>
    request<{ id: string; occurrences: number }>('POST', '/api/periodic-tasks', { body: input }),
  deletePeriodicTask: (periodicTaskId: string) =>
    request<void>('DELETE', `/api/periodic-tasks/${id(periodicTaskId)}`),

  unavailabilities: (from: string, to: string) =>
    request<{ unavailabilities: UnavailabilityJson[] }>(
      'GET',
      `/api/unavailabilities${q({ from, to })}`,
    ),
  createUnavailability: (input: Omit<UnavailabilityJson, 'id'>) =>
    request<UnavailabilityJson>('POST', '/api/unavailabilities', { body: input }),
  deleteUnavailability: (unavailabilityId: string) =>
    request<void>('DELETE', `/api/unavailabilities/${id(unavailabilityId)}`),

  resources: () => request<{ resources: Resource[] }>('GET', '/api/resources'),
  createResource: (input: Omit<Resource, 'id'>) =>
    request<Resource>('POST', '/api/resources', { body: input }),
  updateResource: (resourceId: string, patch: Partial<Resource>) =>
    request<Resource>('PATCH', `/api/resources/${id(resourceId)}`, { body: patch }),
  deleteResource: (resourceId: string) =>
    request<void>('DELETE', `/api/resources/${id(resourceId)}`),

  clients: () => request<{ clients: Client[] }>('GET', '/api/clients'),
  createClient: (input: Omit<Client, 'id'>) =>
    request<Client>('POST', '/api/clients', { body: input }),
  updateClient: (clientId: string, patch: Partial<Client>) =>
    request<Client>('PATCH', `/api/clients/${id(clientId)}`, { body: patch }),
  deleteClient: (clientId: string) => request<void>('DELETE', `/api/clients/${id(clientId)}`),

  departments: () => request<{ departments: Department[] }>('GET', '/api/departments'),
  createDepartment: (name: string) =>
    request<Department>('POST', '/api/departments', { body: { name } }),

  users: () => request<{ users: User[] }>('GET', '/api/users'),
  createUser: (input: Partial<User> & { password: string }) =>
    request<User>('POST', '/api/users', { body: input }),
  updateUser: (userId: string, patch: Partial<User> & { password?: string }) =>
    request<User>('PATCH', `/api/users/${id(userId)}`, { body: patch }),
  deleteUser: (userId: string) => request<void>('DELETE', `/api/users/${id(userId)}`),

  groups: () => request<{ groups: Group[] }>('GET', '/api/groups'),
  createGroup: (input: Omit<Group, 'id'>) => request<Group>('POST', '/api/groups', { body: input }),
  updateGroup: (groupId: string, patch: Partial<Group>) =>
    request<Group>('PATCH', `/api/groups/${id(groupId)}`, { body: patch }),
  deleteGroup: (groupId: string) => request<void>('DELETE', `/api/groups/${id(groupId)}`),

  settings: () => request<{ settings: Setting[] }>('GET', '/api/settings'),
  putSetting: (key: string, value: unknown) =>
    request<unknown>('PUT', `/api/settings/${id(key)}`, { body: { value } }),

  importIcs: (resourceId: string, file: Blob) =>
    request<ImportReport>('POST', `/api/import${q({ resourceId })}`, { raw: file }),
  exportUrl: (resourceId: string) => `/api/export${q({ resourceId })}`,
};
