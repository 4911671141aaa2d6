/**
 * Who may see and change what. An administrator may do everything. Anyone else has an
 * access level per department (none, read, write), and their group's rights (add, modify,
 * delete) further limit what they may do with tasks where they have write access. A task
 * belongs to the departments of its resources. A private task's details are shown only to
 * the users whose "who I am" resource is booked on it.
 */
import type { Access, Group, Task, User } from './types.js';

export interface RightsContext {
  user: User;
  group: Group | null;
  /** Every resource's department, to place tasks in departments. */
  departmentOf: (resourceId: string) => string | null | undefined;
}

export function accessTo(user: User, departmentId: string | null | undefined): Access {
  if (user.isAdmin) return 'write';
  if (departmentId && user.departmentAccess[departmentId]) {
    return user.departmentAccess[departmentId];
  }
  return user.defaultAccess;
}

function resourceAccesses(ctx: RightsContext, resourceIds: readonly string[]): Access[] {
  if (resourceIds.length === 0) return [accessTo(ctx.user, null)];
  return resourceIds.map((id) => accessTo(ctx.user, ctx.departmentOf(id)));
}

export function canReadTask(ctx: RightsContext, task: Pick<Task, 'resourceIds'>): boolean {
  if (ctx.user.isAdmin) return true;
  return resourceAccesses(ctx, task.resourceIds).some((a) => a !== 'none');
}

export function canSeeDetails(ctx: RightsContext, task: Pick<Task, 'private' | 'resourceIds'>) {
  if (!task.private) return true;
  return ctx.user.resourceId !== null && task.resourceIds.includes(ctx.user.resourceId);
}

function canWriteResources(ctx: RightsContext, resourceIds: readonly string[]): boolean {
  return resourceAccesses(ctx, resourceIds).every((a) => a === 'write');
}

export function canAddTask(ctx: RightsContext, task: Pick<Task, 'resourceIds'>): boolean {
  if (ctx.user.isAdmin) return true;
  return (ctx.group?.canAdd ?? true) && canWriteResources(ctx, task.resourceIds);
}

/** Both the task as it is and as it would become must be writable by the user. */
export function canModifyTask(
  ctx: RightsContext,
  before: Pick<Task, 'resourceIds' | 'private'>,
  after: Pick<Task, 'resourceIds'>,
): boolean {
  if (ctx.user.isAdmin) return true;
  if (!(ctx.group?.canModify ?? true)) return false;
  if (!canSeeDetails(ctx, before)) return false;
  return canWriteResources(ctx, before.resourceIds) && canWriteResources(ctx, after.resourceIds);
}

export function canDeleteTask(ctx: RightsContext, task: Pick<Task, 'resourceIds' | 'private'>) {
  if (ctx.user.isAdmin) return true;
  if (!(ctx.group?.canDelete ?? true)) return false;
  return canSeeDetails(ctx, task) && canWriteResources(ctx, task.resourceIds);
}

/** The user's rights on their own resource's tasks, as the sync applies them. */
export function syncRights(ctx: RightsContext): {
  readOnly: boolean;
  canAdd: boolean;
  canModify: boolean;
  canDelete: boolean;
} {
  const own = ctx.user.resourceId ? [ctx.user.resourceId] : [];
  const writable = ctx.user.isAdmin || canWriteResources(ctx, own);
  const group = ctx.user.isAdmin ? null : ctx.group;
  return {
    readOnly: !writable,
    canAdd: writable && (group?.canAdd ?? true),
    canModify: writable && (group?.canModify ?? true),
    canDelete: writable && (group?.canDelete ?? true),
  };
}
