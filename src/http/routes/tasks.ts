/** Tasks, periodic tasks and unavailabilities: the planning's grid. */
import { z } from 'zod';
import { canSeeDetails } from '../../planning/rights.js';
import { OrdoError } from '../../shared/errors.js';
import { requireUser } from '../auth.js';
import {
  flatOf,
  instantOfQuery,
  periodicTaskJson,
  taskBodySchema,
  taskInputFromBody,
  taskJson,
  taskPatchBodySchema,
  timingFromFlat,
} from '../task-json.js';
import type { OrdoPlugin } from '../types.js';

const idParams = z.object({ id: z.string().min(1) });

const rangeQuery = z.object({
  from: z.string().describe('ISO 8601 instant or YYYY-MM-DD'),
  to: z.string().describe('ISO 8601 instant or YYYY-MM-DD'),
  resourceId: z.string().min(1).optional(),
});

const periodicBody = z.object({
  rule: z.string().min(1).max(500).describe("An RFC 5545 RRULE, e.g. 'FREQ=WEEKLY;BYDAY=MO'"),
  template: taskBodySchema,
  until: z.string().nullable().optional().describe('YYYY-MM-DD, inclusive'),
});

const unavailabilityBody = z.object({
  resourceId: z.string().min(1),
  start: z.string().describe('ISO 8601 instant, or YYYY-MM-DD (midnight, company time zone)'),
  end: z.string().describe('ISO 8601 instant, or YYYY-MM-DD (midnight, company time zone)'),
  reason: z.string().max(500).default(''),
});

export const taskRoutes: OrdoPlugin = async (app, { ordo }) => {
  const zone = () => ordo.settings.get('company.timeZone');

  async function range(query: unknown) {
    const q = rangeQuery.parse(query);
    const tz = await zone();
    const from = instantOfQuery('from', q.from, tz);
    const to = instantOfQuery('to', q.to, tz);
    if (to <= from) {
      throw new OrdoError('VALIDATION', {
        message: 'to: must come after from',
        details: { field: 'to' },
      });
    }
    return { from, to, resourceId: q.resourceId };
  }

  app.get(
    '/api/tasks',
    {
      config: { doc: { summary: 'Tasks overlapping a range', tags: ['tasks'], query: rangeQuery } },
    },
    async (request) => {
      const actor = requireUser(request);
      const tasks = await ordo.tasks.list(actor, await range(request.query));
      return { tasks: tasks.map(taskJson) };
    },
  );

  app.post(
    '/api/tasks',
    {
      config: {
        doc: { summary: 'Create a task', tags: ['tasks'], body: taskBodySchema, status: 201 },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      const input = taskInputFromBody(taskBodySchema.parse(request.body));
      const task = await ordo.tasks.create({ actor, input });
      return reply.status(201).send(taskJson(await ordo.tasks.get(actor, task.id)));
    },
  );

  app.get(
    '/api/tasks/:id',
    { config: { doc: { summary: 'One task', tags: ['tasks'] } } },
    async (request) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      return taskJson(await ordo.tasks.get(actor, id));
    },
  );

  app.patch(
    '/api/tasks/:id',
    { config: { doc: { summary: 'Change a task', tags: ['tasks'], body: taskPatchBodySchema } } },
    async (request) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      const { allDay, start, end, ...rest } = taskPatchBodySchema.parse(request.body);
      const current = await ordo.tasks.get(actor, id);
      let timing;
      if (allDay !== undefined || start !== undefined || end !== undefined) {
        // A missing bound keeps the task's, when the kind of timing does not change.
        const now = flatOf(current.timing);
        const sameKind = allDay === undefined || allDay === now.allDay;
        timing = timingFromFlat({
          allDay: allDay ?? now.allDay,
          start: start ?? (sameKind ? now.start : ''),
          end: end ?? (sameKind ? now.end : ''),
        });
      }
      const task = await ordo.tasks.update({ actor, id, patch: { ...rest, timing } });
      return taskJson(await ordo.tasks.get(actor, task.id));
    },
  );

  app.delete(
    '/api/tasks/:id',
    { config: { doc: { summary: 'Delete a task', tags: ['tasks'], status: 204 } } },
    async (request, reply) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      await ordo.tasks.get(actor, id);
      await ordo.tasks.delete({ actor, id });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/tasks/:id/detach',
    {
      config: { doc: { summary: 'Take an occurrence out of its periodic task', tags: ['tasks'] } },
    },
    async (request) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      const task = await ordo.periodicTasks.detach({ actor, taskId: id });
      return taskJson(await ordo.tasks.get(actor, task.id));
    },
  );

  app.get(
    '/api/periodic-tasks',
    { config: { doc: { summary: 'Periodic tasks', tags: ['periodic tasks'] } } },
    async (request) => {
      const actor = requireUser(request);
      const rights = await ordo.users.rightsFor(actor, () => ordo.directory.departmentMap());
      const list = await ordo.periodicTasks.list(actor);
      return {
        periodicTasks: list.map((p) =>
          periodicTaskJson(p, rights ? !canSeeDetails(rights, p.template) : false),
        ),
      };
    },
  );

  app.post(
    '/api/periodic-tasks',
    {
      config: {
        doc: {
          summary: 'Create a periodic task and its occurrences',
          tags: ['periodic tasks'],
          body: periodicBody,
          status: 201,
        },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      const body = periodicBody.parse(request.body);
      const template = taskInputFromBody(body.template);
      const { periodicTask, occurrences } = await ordo.periodicTasks.create({
        actor,
        rule: body.rule,
        template,
        until: body.until ?? null,
      });
      return reply
        .status(201)
        .send({ ...periodicTaskJson(periodicTask, false), occurrences: occurrences.length });
    },
  );

  app.delete(
    '/api/periodic-tasks/:id',
    {
      config: {
        doc: {
          summary: 'Delete a periodic task and its occurrences (detached ones stay)',
          tags: ['periodic tasks'],
          status: 204,
        },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      await ordo.periodicTasks.delete({ actor, id });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/unavailabilities',
    {
      config: {
        doc: {
          summary: 'Unavailabilities overlapping a range',
          tags: ['unavailabilities'],
          query: rangeQuery,
        },
      },
    },
    async (request) => {
      const actor = requireUser(request);
      const list = await ordo.unavailabilities.list(actor, await range(request.query));
      return { unavailabilities: list.map(unavailabilityJson) };
    },
  );

  app.post(
    '/api/unavailabilities',
    {
      config: {
        doc: {
          summary: 'Create an unavailability',
          tags: ['unavailabilities'],
          body: unavailabilityBody,
          status: 201,
        },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      const body = unavailabilityBody.parse(request.body);
      const tz = await zone();
      const created = await ordo.unavailabilities.create(actor, {
        resourceId: body.resourceId,
        start: instantOfQuery('start', body.start, tz),
        end: instantOfQuery('end', body.end, tz),
        reason: body.reason,
      });
      return reply.status(201).send(unavailabilityJson(created));
    },
  );

  app.delete(
    '/api/unavailabilities/:id',
    {
      config: {
        doc: { summary: 'Delete an unavailability', tags: ['unavailabilities'], status: 204 },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      const { id } = idParams.parse(request.params);
      await ordo.unavailabilities.delete(actor, id);
      return reply.status(204).send();
    },
  );
};

function unavailabilityJson(u: {
  id: string;
  resourceId: string;
  start: number;
  end: number;
  reason: string;
}) {
  return {
    id: u.id,
    resourceId: u.resourceId,
    start: new Date(u.start).toISOString(),
    end: new Date(u.end).toISOString(),
    reason: u.reason,
  };
}
