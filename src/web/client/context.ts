/**
 * What every page of the app shares once the user is logged in: who they are, the company
 * settings the page needs, and the identity cards used to draw and fill forms.
 */
import type { Access, Client, Department, Me, Resource } from './api.js';
import { api } from './api.js';

export interface AppContext {
  me: Me;
  zone: string;
  companyName: string;
  reminderByDate: boolean;
  resources: Resource[];
  departments: Department[];
  clients: Client[];
  /** Categories seen on tasks, offered as choices in the task window. */
  categories: Set<string>;
}

export async function loadContext(): Promise<AppContext> {
  const me = await api.me();
  const [resources, departments, clients] = await Promise.all([
    api.resources(),
    api.departments(),
    api.clients(),
  ]);
  return {
    me,
    zone: stringSetting(me.settings['company.timeZone']) ?? 'Europe/Paris',
    companyName: stringSetting(me.settings['company.name']) ?? 'Ordo',
    reminderByDate: me.settings['task.reminderByDate'] === true,
    resources: resources.resources,
    departments: departments.departments,
    clients: clients.clients,
    categories: new Set(),
  };
}

export async function reloadCards(ctx: AppContext): Promise<void> {
  const [resources, departments, clients] = await Promise.all([
    api.resources(),
    api.departments(),
    api.clients(),
  ]);
  ctx.resources = resources.resources;
  ctx.departments = departments.departments;
  ctx.clients = clients.clients;
}

function stringSetting(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

export function isAdmin(ctx: AppContext): boolean {
  return ctx.me.user.isAdmin;
}

interface TaskRights {
  canAdd: boolean;
  canModify: boolean;
  canDelete: boolean;
}

/** The group's rights on tasks; the server decides in the end, this only hides controls. */
export function taskRights(ctx: AppContext): TaskRights {
  if (ctx.me.user.isAdmin) return { canAdd: true, canModify: true, canDelete: true };
  const rights = ctx.me.rights;
  const flag = (name: keyof TaskRights) =>
    typeof rights[name] === 'boolean' ? rights[name] : true;
  return { canAdd: flag('canAdd'), canModify: flag('canModify'), canDelete: flag('canDelete') };
}

/** The user's access to a resource's row, from their access per department. */
export function accessToResource(ctx: AppContext, resourceId: string | null): Access {
  const { user, rights } = ctx.me;
  if (user.isAdmin) return 'write';
  const resource = ctx.resources.find((r) => r.id === resourceId);
  const departmentAccess = (rights.departmentAccess ?? user.departmentAccess ?? {}) as Record<
    string,
    Access
  >;
  const byDepartment = resource?.departmentId ? departmentAccess[resource.departmentId] : undefined;
  const fallback = (rights.defaultAccess ?? user.defaultAccess ?? 'write') as Access;
  return byDepartment ?? fallback;
}

export function canWriteResource(ctx: AppContext, resourceId: string | null): boolean {
  return accessToResource(ctx, resourceId) === 'write';
}

/** Whether the user may write in at least one department: else the planning is read-only. */
export function canWriteSomewhere(ctx: AppContext): boolean {
  const { user, rights } = ctx.me;
  if (user.isAdmin) return true;
  const departmentAccess = (rights.departmentAccess ?? user.departmentAccess ?? {}) as Record<
    string,
    Access
  >;
  const fallback = (rights.defaultAccess ?? user.defaultAccess ?? 'write') as Access;
  return fallback === 'write' || Object.values(departmentAccess).includes('write');
}
