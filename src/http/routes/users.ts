/** Users and groups: administrators manage them; anyone logged in reads the groups. */
import { z } from 'zod';
import type { Ordo } from '../../app/ordo.js';
import { OrdoError } from '../../shared/errors.js';
import { requireAdmin } from '../auth.js';
import type { OrdoPlugin } from '../types.js';

const idParams = z.object({ id: z.string().min(1) });
const access = z.enum(['none', 'read', 'write']);

const userBody = z.object({
  login: z.string().min(1).max(100),
  password: z.string().min(8).max(200),
  isAdmin: z.boolean().optional(),
  resourceId: z.string().min(1).nullable().optional(),
  groupId: z.string().min(1).nullable().optional(),
  defaultAccess: access.optional(),
  departmentAccess: z.record(z.string().min(1), access).optional(),
  language: z.enum(['fr', 'en']).nullable().optional(),
});
const userPatch = userBody.omit({ login: true }).partial();

const groupBody = z.object({
  name: z.string().trim().min(1).max(200),
  canAdd: z.boolean(),
  canModify: z.boolean(),
  canDelete: z.boolean(),
});
const groupPatch = groupBody.partial();

/** Unknown ids would otherwise surface as foreign-key failures of the database. */
async function checkUserReferences(ordo: Ordo, input: z.output<typeof userPatch>): Promise<void> {
  if (input.resourceId) await ordo.directory.getResource(input.resourceId);
  if (input.groupId) await ordo.users.getGroup(input.groupId);
  if (input.departmentAccess) {
    const known = new Set((await ordo.directory.listDepartments()).map((d) => d.id));
    const unknown = Object.keys(input.departmentAccess).find((id) => !known.has(id));
    if (unknown) {
      throw new OrdoError('DEPARTMENT_NOT_FOUND', {
        details: { field: 'departmentAccess', id: unknown },
      });
    }
  }
}

export const userRoutes: OrdoPlugin = async (app, { ordo }) => {
  const tags = ['users'];

  app.get(
    '/api/users',
    { config: { doc: { summary: 'Users (admin)', tags } } },
    async (request) => {
      requireAdmin(request);
      return { users: await ordo.users.list() };
    },
  );

  app.post(
    '/api/users',
    { config: { doc: { summary: 'Create a user (admin)', tags, body: userBody, status: 201 } } },
    async (request, reply) => {
      requireAdmin(request);
      const body = userBody.parse(request.body);
      await checkUserReferences(ordo, body);
      return reply.status(201).send(await ordo.users.create(body));
    },
  );

  app.patch(
    '/api/users/:id',
    { config: { doc: { summary: 'Change a user (admin)', tags, body: userPatch } } },
    async (request) => {
      requireAdmin(request);
      const { id } = idParams.parse(request.params);
      const body = userPatch.parse(request.body);
      await checkUserReferences(ordo, body);
      if (id === request.ordoUser?.id && body.isAdmin === false) {
        throw new OrdoError('CONFLICT', {
          message: 'You cannot remove your own administrator right',
        });
      }
      return ordo.users.update(id, body);
    },
  );

  app.delete(
    '/api/users/:id',
    { config: { doc: { summary: 'Delete a user (admin)', tags, status: 204 } } },
    async (request, reply) => {
      requireAdmin(request);
      const { id } = idParams.parse(request.params);
      if (id === request.ordoUser?.id) {
        throw new OrdoError('CONFLICT', { message: 'You cannot delete your own user' });
      }
      await ordo.users.delete(id);
      return reply.status(204).send();
    },
  );

  app.get('/api/groups', { config: { doc: { summary: 'Groups', tags } } }, async () => ({
    groups: await ordo.users.listGroups(),
  }));

  app.post(
    '/api/groups',
    { config: { doc: { summary: 'Create a group (admin)', tags, body: groupBody, status: 201 } } },
    async (request, reply) => {
      requireAdmin(request);
      return reply.status(201).send(await ordo.users.createGroup(groupBody.parse(request.body)));
    },
  );

  app.patch(
    '/api/groups/:id',
    { config: { doc: { summary: 'Change a group (admin)', tags, body: groupPatch } } },
    async (request) => {
      requireAdmin(request);
      const { id } = idParams.parse(request.params);
      return ordo.users.updateGroup(id, groupPatch.parse(request.body));
    },
  );

  app.delete(
    '/api/groups/:id',
    { config: { doc: { summary: 'Delete a group (admin)', tags, status: 204 } } },
    async (request, reply) => {
      requireAdmin(request);
      await ordo.users.deleteGroup(idParams.parse(request.params).id);
      return reply.status(204).send();
    },
  );
};
