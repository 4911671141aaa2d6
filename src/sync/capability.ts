/**
 * Calendar synchronization as a capability: `install` adds the accounts, the feeds, a worker
 * (for "sync now" from the page and the command line) and the task hook that forgets the
 * manual-mode marks of a deleted task; `startWorker` runs the scheduler inside `ordo serve`.
 */
import type { Capability } from '../app/capabilities.js';
import type { Ordo } from '../app/ordo.js';
import { OrdoError } from '../shared/errors.js';
import { chunksOf, MAX_PARAMETERS } from '../store/chunks.js';
import { SyncAccounts } from './accounts.js';
import { Feeds } from './feeds.js';
import type { GraphNetwork } from './graph-connection.js';
import { createSyncWorker, type SyncWorker, type SyncWorkerOptions } from './worker.js';

export interface SyncServices {
  accounts: SyncAccounts;
  feeds: Feeds;
  /** The worker "sync now" runs on (not scheduling unless started). */
  worker: SyncWorker;
  createWorker(options?: Omit<SyncWorkerOptions, 'ordo' | 'accounts'>): SyncWorker;
  /**
   * How Microsoft Graph and the identity platform are reached by the workers, the connect
   * routes and the command line; read at each use. The defaults are the configured addresses
   * through fetch; tests map them to a local stand-in.
   */
  graphNetwork: GraphNetwork;
}

const installed = new WeakMap<Ordo, SyncServices>();

export function installSync(ordo: Ordo): SyncServices {
  const accounts = new SyncAccounts({
    db: ordo.store.db,
    clock: ordo.clock,
    secrets: ordo.secrets,
  });
  const createWorker: SyncServices['createWorker'] = (options = {}) =>
    createSyncWorker({
      graphNetwork: () => services.graphNetwork,
      ...options,
      ordo,
      accounts,
    });
  const services: SyncServices = {
    accounts,
    feeds: new Feeds(ordo),
    // The worker reads `services.graphNetwork` at each run, not now.
    worker: createWorker(),
    createWorker,
    graphNetwork: {},
  };
  ordo.tasks.onChanges(async (changes) => {
    const trx = changes[0]?.trx;
    const deleted = changes.flatMap((c) => (c.type === 'deleted' && c.before ? [c.before.id] : []));
    if (!trx || deleted.length === 0) return;
    for (const chunk of chunksOf(deleted, MAX_PARAMETERS))
      await trx.deleteFrom('task_sync_marks').where('task_id', 'in', chunk).execute();
  });
  installed.set(ordo, services);
  return services;
}

/** The sync services of `ordo`; they exist once the capability is installed. */
export function syncOf(ordo: Ordo): SyncServices {
  const services = installed.get(ordo);
  if (!services) throw new OrdoError('SYNC_NOT_CONFIGURED', { message: 'Sync is not installed' });
  return services;
}

export const syncCapability: Capability = {
  name: 'sync',
  install(ordo) {
    installSync(ordo);
  },
  async startWorker(ordo) {
    const worker = syncOf(ordo).createWorker();
    worker.start();
    return () => worker.stop();
  },
};
