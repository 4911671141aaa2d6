/**
 * The route plugins the server registers, in order. A capability (reminders, mail, sync,
 * feeds) adds its own plugin here: an `OrdoPlugin` receives `{ ordo }`, reads the caller
 * with `requireUser(request)` / `requireAdmin(request)` from ./auth.js, and describes each
 * route with `config: { doc: { summary, body?, query? } }` so /api/openapi.json lists it.
 * Every /api/ route needs a logged-in caller unless its config says `public: true`.
 */
import { messageRoutes } from '../mail/routes.js';
import { reminderRoutes } from '../reminders/routes.js';
import { syncRoutes } from '../sync/routes.js';
import { calendarFileRoutes } from './routes/calendar-files.js';
import { directoryRoutes } from './routes/directory.js';
import { sessionRoutes } from './routes/session.js';
import { settingRoutes } from './routes/settings.js';
import { taskRoutes } from './routes/tasks.js';
import { userRoutes } from './routes/users.js';
import type { OrdoPlugin } from './types.js';

export const HTTP_CAPABILITIES: OrdoPlugin[] = [
  sessionRoutes,
  taskRoutes,
  directoryRoutes,
  userRoutes,
  settingRoutes,
  calendarFileRoutes,
  reminderRoutes,
  messageRoutes,
  syncRoutes,
];
