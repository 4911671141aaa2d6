/**
 * Users (who logs in, "who I am", their access per department) and groups (rights on
 * tasks). Passwords are hashed with scrypt; a user record never carries the hash outside
 * this module.
 */
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { hashPassword, verifyPassword } from '../security/passwords.js';
import type { Clock } from '../shared/clock.js';
import { OrdoError } from '../shared/errors.js';
import type { Db, GroupsTable } from '../store/schema.js';
import type { Actor } from './actor.js';
import type { RightsContext } from './rights.js';
import type { Access, Group, User } from './types.js';

export interface UserInput {
  login: string;
  password: string;
  isAdmin?: boolean;
  resourceId?: string | null;
  groupId?: string | null;
  defaultAccess?: Access;
  departmentAccess?: Record<string, Access>;
  language?: 'fr' | 'en' | null;
}

const LOGIN = /^[A-Za-z0-9._@-]{1,100}$/;
const ACCESS: readonly Access[] = ['none', 'read', 'write'];

export class Users {
  private readonly newId: () => string;

  constructor(private readonly options: { db: Db; clock: Clock; newId?: () => string }) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  async count(): Promise<number> {
    const row = await this.options.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async list(): Promise<User[]> {
    const rows = await this.options.db.selectFrom('users').select('id').orderBy('login').execute();
    return Promise.all(rows.map((r) => this.get(r.id)));
  }

  async get(id: string): Promise<User> {
    const row = await this.options.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new OrdoError('USER_NOT_FOUND', { details: { id } });
    const access = await this.options.db
      .selectFrom('user_department_access')
      .select(['department_id', 'access'])
      .where('user_id', '=', id)
      .execute();
    return {
      id: row.id,
      login: row.login,
      isAdmin: row.is_admin === 1,
      resourceId: row.resource_id,
      groupId: row.group_id,
      defaultAccess: row.default_access as Access,
      departmentAccess: Object.fromEntries(
        access.map((a) => [a.department_id, a.access as Access]),
      ),
      language: (row.language as User['language']) ?? null,
    };
  }

  async findByLogin(login: string): Promise<User | null> {
    const row = await this.options.db
      .selectFrom('users')
      .select('id')
      .where('login', '=', login)
      .executeTakeFirst();
    return row ? this.get(row.id) : null;
  }

  /** The user whose login and password match, or `AUTH_INVALID` (the same for both mistakes). */
  async authenticate(login: string, password: string): Promise<User> {
    const row = await this.options.db
      .selectFrom('users')
      .select(['id', 'password_hash'])
      .where('login', '=', login)
      .executeTakeFirst();
    if (!row || !(await verifyPassword(password, row.password_hash))) {
      throw new OrdoError('AUTH_INVALID');
    }
    return this.get(row.id);
  }

  async create(input: UserInput): Promise<User> {
    if (!LOGIN.test(input.login)) {
      throw new OrdoError('VALIDATION', {
        message: 'A login is 1 to 100 letters, digits, dots, dashes, underscores or @',
        details: { field: 'login' },
      });
    }
    assertPassword(input.password);
    if (await this.findByLogin(input.login)) {
      throw new OrdoError('USER_EXISTS', { details: { login: input.login } });
    }
    const id = this.newId();
    await this.options.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id,
          login: input.login,
          password_hash: await hashPassword(input.password),
          is_admin: input.isAdmin ? 1 : 0,
          resource_id: input.resourceId ?? null,
          group_id: input.groupId ?? null,
          default_access: checkAccess(input.defaultAccess ?? 'write'),
          language: input.language ?? null,
          created_at: this.options.clock.now(),
        })
        .execute();
      await writeDepartmentAccess(trx, id, input.departmentAccess ?? {});
    });
    return this.get(id);
  }

  async update(id: string, patch: Partial<UserInput>): Promise<User> {
    await this.get(id);
    const set: Record<string, unknown> = {};
    if (patch.password !== undefined) {
      assertPassword(patch.password);
      set.password_hash = await hashPassword(patch.password);
    }
    if (patch.isAdmin !== undefined) set.is_admin = patch.isAdmin ? 1 : 0;
    if (patch.resourceId !== undefined) set.resource_id = patch.resourceId;
    if (patch.groupId !== undefined) set.group_id = patch.groupId;
    if (patch.defaultAccess !== undefined) set.default_access = checkAccess(patch.defaultAccess);
    if (patch.language !== undefined) set.language = patch.language;
    await this.options.db.transaction().execute(async (trx) => {
      if (Object.keys(set).length > 0) {
        await trx.updateTable('users').set(set).where('id', '=', id).execute();
      }
      if (patch.departmentAccess) {
        await trx.deleteFrom('user_department_access').where('user_id', '=', id).execute();
        await writeDepartmentAccess(trx, id, patch.departmentAccess);
      }
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.options.db.deleteFrom('users').where('id', '=', id).execute();
  }

  async listGroups(): Promise<Group[]> {
    const rows = await this.options.db.selectFrom('groups').selectAll().orderBy('name').execute();
    return rows.map(groupFromRow);
  }

  async getGroup(id: string): Promise<Group> {
    const row = await this.options.db
      .selectFrom('groups')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new OrdoError('GROUP_NOT_FOUND', { details: { id } });
    return groupFromRow(row);
  }

  async findGroupByName(name: string): Promise<Group | null> {
    const row = await this.options.db
      .selectFrom('groups')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? groupFromRow(row) : null;
  }

  async createGroup(input: Omit<Group, 'id'>): Promise<Group> {
    const name = input.name.trim();
    if (!name) throw new OrdoError('VALIDATION', { details: { field: 'name' } });
    const group = { ...input, name, id: this.newId() };
    await this.options.db
      .insertInto('groups')
      .values({
        id: group.id,
        name,
        can_add: group.canAdd ? 1 : 0,
        can_modify: group.canModify ? 1 : 0,
        can_delete: group.canDelete ? 1 : 0,
      })
      .execute();
    return group;
  }

  async updateGroup(id: string, patch: Partial<Omit<Group, 'id'>>): Promise<Group> {
    const next = { ...(await this.getGroup(id)), ...patch };
    await this.options.db
      .updateTable('groups')
      .set({
        name: next.name,
        can_add: next.canAdd ? 1 : 0,
        can_modify: next.canModify ? 1 : 0,
        can_delete: next.canDelete ? 1 : 0,
      })
      .where('id', '=', id)
      .execute();
    return next;
  }

  async deleteGroup(id: string): Promise<void> {
    await this.getGroup(id);
    await this.options.db.deleteFrom('groups').where('id', '=', id).execute();
  }

  /** What rights checks need for `actor`; `null` for Ordo itself, which may do anything. */
  async rightsFor(
    actor: Actor,
    departmentMap: () => Promise<Map<string, string | null>>,
  ): Promise<RightsContext | null> {
    if (actor.kind === 'system') return null;
    const departments = await departmentMap();
    return {
      user: actor.user,
      group: actor.group,
      departmentOf: (resourceId) => departments.get(resourceId),
    };
  }

  /** The actor for a user, with their group loaded. */
  async actorFor(user: User): Promise<Actor> {
    const group = user.groupId ? await this.getGroup(user.groupId).catch(() => null) : null;
    return { kind: 'user', user, group };
  }
}

function assertPassword(password: string): void {
  if (password.length < 8 || password.length > 200) {
    throw new OrdoError('VALIDATION', {
      message: 'A password has 8 to 200 characters',
      details: { field: 'password' },
    });
  }
}

function checkAccess(access: string): Access {
  if (!ACCESS.includes(access as Access)) {
    throw new OrdoError('VALIDATION', { details: { field: 'access', value: access } });
  }
  return access as Access;
}

async function writeDepartmentAccess(
  trx: Db,
  userId: string,
  access: Record<string, Access>,
): Promise<void> {
  const rows = Object.entries(access).map(([department_id, a]) => ({
    user_id: userId,
    department_id,
    access: checkAccess(a),
  }));
  if (rows.length > 0) await trx.insertInto('user_department_access').values(rows).execute();
}

function groupFromRow(row: Selectable<GroupsTable>): Group {
  return {
    id: row.id,
    name: row.name,
    canAdd: row.can_add === 1,
    canModify: row.can_modify === 1,
    canDelete: row.can_delete === 1,
  };
}
