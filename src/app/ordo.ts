/**
 * The composition root: opens the store and builds the services every entry point (the
 * server, the command line, the tests) shares. Capabilities hook into task changes here.
 */
import type { Config } from '../config/config.js';
import { installCapabilities } from './capabilities.js';
import type { MailServices } from '../mail/capability.js';
import type { Actor } from '../planning/actor.js';
import { Directory } from '../planning/directory.js';
import { PeriodicTasks } from '../planning/periodic.js';
import { TaskService } from '../planning/tasks.js';
import { Unavailabilities } from '../planning/unavailabilities.js';
import { Users } from '../planning/users.js';
import { createSecretBox, loadSecretKey, type SecretBox } from '../security/secrets.js';
import { Sessions } from '../security/sessions.js';
import { Settings } from '../settings/settings.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { openStore, type Store } from '../store/db.js';
import type { Db } from '../store/schema.js';

export interface Ordo {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox;
  settings: Settings;
  directory: Directory;
  users: Users;
  sessions: Sessions;
  tasks: TaskService;
  periodicTasks: PeriodicTasks;
  unavailabilities: Unavailabilities;
  /** Task e-mails and SMS: set when the mail capability is installed. */
  mail?: MailServices;
  /** Closes what was opened, in reverse order; registered by capabilities as they start. */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface CreateOrdoOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** Tests: SQLite in memory instead of the data folder. */
  sqliteFile?: string;
}

export async function createOrdo(options: CreateOrdoOptions): Promise<Ordo> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    sqliteFile: options.sqliteFile,
  });
  const secrets = createSecretBox(
    loadSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir }),
  );
  const db = store.db;
  const settings = new Settings(db, secrets);
  const directory = new Directory({
    db,
    clock,
    defaultCountry: () => settings.get('company.defaultCountry'),
  });
  const users = new Users({ db, clock });
  const sessions = new Sessions({ db, clock });
  // Services pass the transaction they hold, if any: on SQLite a query outside it would wait
  // for the transaction's own connection forever.
  const timeZone = (executor?: Db) => settings.get('company.timeZone', executor);
  const rightsFor = (actor: Actor, executor?: Db) =>
    users.rightsFor(actor, () => directory.departmentMap(executor));
  const tasks = new TaskService({ db, dialect: store.dialect, clock, timeZone, rightsFor });
  const periodicTasks = new PeriodicTasks({ db, tasks, clock, timeZone, rightsFor });
  const unavailabilities = new Unavailabilities({ db, rightsFor });

  const closers: (() => Promise<void> | void)[] = [() => store.close()];
  const ordo: Ordo = {
    config,
    store,
    clock,
    logger,
    secrets,
    settings,
    directory,
    users,
    sessions,
    tasks,
    periodicTasks,
    unavailabilities,
    onClose: (fn) => closers.push(fn),
    close: async () => {
      for (const fn of closers.reverse()) await fn();
    },
  };
  await installCapabilities(ordo);
  return ordo;
}
