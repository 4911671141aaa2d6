/**
 * Identity cards (resources, clients) and departments. Anyone logged in reads them;
 * administrators manage resources and departments (a resource's department decides who
 * may see its tasks), and anyone with write access to the planning manages clients.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../planning/actor.js';
import { OrdoError } from '../../shared/errors.js';
import { requireAdmin, requireUser } from '../auth.js';
import type { OrdoPlugin } from '../types.js';

const idParams = z.object({ id: z.string().min(1) });
const optionalText = z.string().max(300).nullable().optional();

const resourceBody = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(['human', 'material']).default('human'),
  email: optionalText,
  mobile: optionalText,
  departmentId: z.string().min(1).nullable().optional(),
});
const resourcePatch = resourceBody.partial().extend({
  kind: z.enum(['human', 'material']).optional(),
});

const clientBody = z.object({
  name: z.string().min(1).max(200),
  email: optionalText,
  mobile: optionalText,
});
const clientPatch = clientBody.partial();

const departmentBody = z.object({ name: z.string().min(1).max(200) });

/** A user whose access to the planning is not read-only. */
function requireWriter(request: FastifyRequest): Actor {
  const actor = requireUser(request);
  const user = request.ordoUser;
  const readOnly =
    user &&
    !user.isAdmin &&
    user.defaultAccess !== 'write' &&
    !Object.values(user.departmentAccess).includes('write');
  if (readOnly) throw new OrdoError('FORBIDDEN');
  return actor;
}

export const directoryRoutes: OrdoPlugin = async (app, { ordo }) => {
  const dir = ordo.directory;
  const tags = ['directory'];

  app.get('/api/resources', { config: { doc: { summary: 'Resources', tags } } }, async () => ({
    resources: await dir.listResources(),
  }));

  app.post(
    '/api/resources',
    {
      config: {
        doc: { summary: 'Create a resource (admin)', tags, body: resourceBody, status: 201 },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const resource = await dir.createResource(resourceBody.parse(request.body));
      return reply.status(201).send(resource);
    },
  );

  app.patch(
    '/api/resources/:id',
    { config: { doc: { summary: 'Change a resource (admin)', tags, body: resourcePatch } } },
    async (request) => {
      requireAdmin(request);
      const { id } = idParams.parse(request.params);
      return dir.updateResource(id, resourcePatch.parse(request.body));
    },
  );

  app.delete(
    '/api/resources/:id',
    { config: { doc: { summary: 'Delete a resource (admin)', tags, status: 204 } } },
    async (request, reply) => {
      requireAdmin(request);
      await dir.deleteResource(idParams.parse(request.params).id);
      return reply.status(204).send();
    },
  );

  app.get('/api/clients', { config: { doc: { summary: 'Clients', tags } } }, async () => ({
    clients: await dir.listClients(),
  }));

  app.post(
    '/api/clients',
    { config: { doc: { summary: 'Create a client', tags, body: clientBody, status: 201 } } },
    async (request, reply) => {
      requireWriter(request);
      const client = await dir.createClient(clientBody.parse(request.body));
      return reply.status(201).send(client);
    },
  );

  app.patch(
    '/api/clients/:id',
    { config: { doc: { summary: 'Change a client', tags, body: clientPatch } } },
    async (request) => {
      requireWriter(request);
      const { id } = idParams.parse(request.params);
      return dir.updateClient(id, clientPatch.parse(request.body));
    },
  );

  app.delete(
    '/api/clients/:id',
    { config: { doc: { summary: 'Delete a client', tags, status: 204 } } },
    async (request, reply) => {
      requireWriter(request);
      await dir.deleteClient(idParams.parse(request.params).id);
      return reply.status(204).send();
    },
  );

  app.get('/api/departments', { config: { doc: { summary: 'Departments', tags } } }, async () => ({
    departments: await dir.listDepartments(),
  }));

  app.post(
    '/api/departments',
    {
      config: {
        doc: { summary: 'Create a department (admin)', tags, body: departmentBody, status: 201 },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const department = await dir.createDepartment(departmentBody.parse(request.body).name);
      return reply.status(201).send(department);
    },
  );
};
