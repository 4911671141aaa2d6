/** iCalendar files: import into a resource's tasks, export a resource's tasks. */
import { z } from 'zod';
import { exportCalendar } from '../../ical/export-service.js';
import { importCalendar } from '../../ical/import-service.js';
import { OrdoError } from '../../shared/errors.js';
import { requireUser } from '../auth.js';
import { instantOfQuery } from '../task-json.js';
import type { OrdoPlugin } from '../types.js';

const IMPORT_LIMIT = 10 * 1024 * 1024;

const importQuery = z.object({ resourceId: z.string().min(1) });
const exportQuery = z.object({
  resourceId: z.string().min(1),
  from: z.string().optional().describe('ISO 8601 instant or YYYY-MM-DD'),
  to: z.string().optional().describe('ISO 8601 instant or YYYY-MM-DD'),
});

export const calendarFileRoutes: OrdoPlugin = async (app, { ordo }) => {
  const tags = ['calendar files'];
  // The file arrives as it is, whatever content type the client names (text/calendar,
  // application/octet-stream, a browser's guess): this plugin's scope reads every body raw.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: IMPORT_LIMIT },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/api/import',
    {
      bodyLimit: IMPORT_LIMIT,
      config: {
        doc: {
          summary: "Import an .ics file into a resource's tasks",
          tags,
          query: importQuery,
          bodyContentType: 'text/calendar',
        },
      },
    },
    async (request) => {
      const actor = requireUser(request);
      const { resourceId } = importQuery.parse(request.query);
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
        throw new OrdoError('ICS_UNREADABLE', { message: 'The request carries no file' });
      }
      const report = await importCalendar(ordo, { actor, resourceId, input: request.body });
      request.log.info(
        { resourceId, imported: report.imported.length, failed: report.failed.length },
        'calendar imported',
      );
      return report;
    },
  );

  app.get(
    '/api/export',
    {
      config: {
        doc: {
          summary: "A resource's tasks as an .ics file",
          tags,
          query: exportQuery,
          responseContentType: 'text/calendar',
        },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      const q = exportQuery.parse(request.query);
      const zone = await ordo.settings.get('company.timeZone');
      const text = await exportCalendar(ordo, {
        actor,
        resourceId: q.resourceId,
        from: q.from === undefined ? undefined : instantOfQuery('from', q.from, zone),
        to: q.to === undefined ? undefined : instantOfQuery('to', q.to, zone),
      });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'attachment; filename="ordo.ics"')
        .send(text);
    },
  );
};
