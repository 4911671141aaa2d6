/**
 * Task e-mails and SMS as a capability: `install` adds the messaging service and its task
 * hook to every Ordo (the command line's too, so a task added there is e-mailed when it
 * should be); `startWorker` runs the outbox worker inside `ordo serve`.
 */
import type { Capability } from '../app/capabilities.js';
import type { Ordo } from '../app/ordo.js';
import { OrdoError } from '../shared/errors.js';
import { Messaging } from './messaging.js';
import { Outbox } from './outbox.js';
import {
  createOutboxWorker,
  type OutboxWorker,
  type OutboxWorkerOptions,
} from './outbox-worker.js';
import {
  createTransportSource,
  type GraphNetwork,
  type TransportSourceOptions,
} from './transports.js';

export interface MailServices {
  messaging: Messaging;
  outbox: Outbox;
  /** A worker on this Ordo's outbox and settings; the caller starts or runs it. */
  createWorker(
    options?: Partial<Omit<OutboxWorkerOptions, 'outbox' | 'transports'>> &
      Pick<TransportSourceOptions, 'maxConnections' | 'fetch'>,
  ): OutboxWorker;
  /**
   * How Microsoft Graph and the identity platform are reached by the senders made from now
   * on; the public endpoints unless changed (tests point it at a local stand-in).
   */
  graphNetwork: GraphNetwork;
}

export function installMail(ordo: Ordo): MailServices {
  const outbox = new Outbox({ db: ordo.store.db, dialect: ordo.store.dialect, clock: ordo.clock });
  const messaging = new Messaging({
    db: ordo.store.db,
    tasks: ordo.tasks,
    outbox,
    secrets: ordo.secrets,
    clock: ordo.clock,
    logger: ordo.logger,
    graphNetwork: () => services.graphNetwork,
  });
  ordo.tasks.onChanges(messaging.hook);
  const services: MailServices = {
    messaging,
    outbox,
    graphNetwork: {},
    createWorker: (options = {}) => {
      const { maxConnections, fetch, ...rest } = options;
      const transports = createTransportSource({
        settings: ordo.settings,
        logger: rest.logger ?? ordo.logger,
        pool: true,
        ...(maxConnections ? { maxConnections } : {}),
        ...(fetch ? { fetch } : {}),
        graph: () => services.graphNetwork,
      });
      return createOutboxWorker({ logger: ordo.logger, ...rest, outbox, transports });
    },
  };
  ordo.mail = services;
  return services;
}

/** The mail services of `ordo`; they exist once the capability is installed. */
export function mailOf(ordo: Ordo): MailServices {
  if (!ordo.mail) throw new OrdoError('MAIL_NOT_CONFIGURED', { message: 'Mail is not installed' });
  return ordo.mail;
}

export const mailCapability: Capability = {
  name: 'mail',
  install(ordo) {
    installMail(ordo);
  },
  async startWorker(ordo) {
    const mail = mailOf(ordo);
    const worker = mail.createWorker({ idleMs: 2_000 });
    mail.messaging.onQueued = () => worker.wake();
    worker.start();
    return () => worker.stop();
  },
};
