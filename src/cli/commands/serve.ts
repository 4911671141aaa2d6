/** `ordo serve`: the web planning, the API and the background workers in one process. */
import { startWorkers } from '../../app/capabilities.js';
import { ensureFirstAdmin, seedDemo } from '../../app/first-run.js';
import { buildServer } from '../../http/server.js';
import type { Command } from '../command.js';

const serve: Command = {
  words: ['serve'],
  usage: 'serve [--port N]',
  summary: 'Serves the planning and its API, and runs the e-mail, reminder and sync workers.',
  options: { port: { type: 'string' } },
  longRunning: true,
  async run(ctx) {
    const { ordo } = ctx;
    const admin = await ensureFirstAdmin(ordo);
    if (admin) {
      ctx.out.say(
        `First administrator created: login "${admin.login}", password "${admin.password}" ` +
          '(shown once: change it after logging in)',
      );
    }
    if (ordo.config.demo && (await seedDemo(ordo))) {
      ctx.out.say(
        'The planning was empty: demo content was added (ORDO_DEMO=false to start empty).',
      );
    }

    const app = await buildServer(ordo);
    ordo.onClose(() => app.close());
    const address = await app.listen({ host: ordo.config.host, port: ordo.config.port });
    if (ordo.config.workers) await startWorkers(ordo);
    const shown = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
    ctx.out.say(`Ordo is serving on ${shown}`);

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    ordo.logger.info('stopping');
    await ordo.close();
  },
};

export const SERVE_COMMANDS: Command[] = [serve];
