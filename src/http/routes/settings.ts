/** The Options pages: everyone reads what is not for administrators; administrators write. */
import { z } from 'zod';
import { requireAdmin, requireUser } from '../auth.js';
import type { OrdoPlugin } from '../types.js';

const keyParams = z.object({ key: z.string().min(1).max(100) });
const valueBody = z.object({ value: z.unknown() });

export const settingRoutes: OrdoPlugin = async (app, { ordo }) => {
  const tags = ['settings'];

  app.get(
    '/api/settings',
    { config: { doc: { summary: 'Settings (secrets are never shown, only whether set)', tags } } },
    async (request) => {
      requireUser(request);
      return { settings: await ordo.settings.list({ admin: request.ordoUser?.isAdmin === true }) };
    },
  );

  app.put(
    '/api/settings/:key',
    { config: { doc: { summary: 'Change a setting (admin)', tags, body: valueBody } } },
    async (request) => {
      requireAdmin(request);
      const { key } = keyParams.parse(request.params);
      const { value } = valueBody.parse(request.body);
      await ordo.settings.set(key, value);
      request.log.info({ key }, 'setting changed');
      return ordo.settings.view(key);
    },
  );
};
