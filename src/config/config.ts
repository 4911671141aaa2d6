/**
 * The process configuration: where the data lives, which database, which port. Read once
 * from the environment and the command line, validated, frozen and passed in; nothing else
 * in Ordo reads `process.env`. Settings a company changes at run time (time zone, mail
 * server, ...) are not here: they live in the database (see settings/).
 */
import path from 'node:path';
import { z } from 'zod';
import { OrdoError } from '../shared/errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const schema = z.object({
  dataDir: z.string().min(1).default('./data'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres://')
    .optional(),
  host: z.string().min(1).default('0.0.0.0'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** 32 bytes, base64; when absent the key is kept in `<dataDir>/secret.key`. */
  secretKey: z.string().optional(),
  /** Offer demo content when the database is empty. */
  demo: z.boolean().default(true),
  /** Start the background workers (outbox, reminders, sync) inside the server. */
  workers: z.boolean().default(true),
});

export type Config = Readonly<z.infer<typeof schema>>;

export interface ConfigSources {
  env: Record<string, string | undefined>;
  /** Values given on the command line; they win over the environment. */
  flags?: { dataDir?: string; port?: number; databaseUrl?: string };
  /** The log level when ORDO_LOG_LEVEL is not set: `info` unless the caller says otherwise. */
  defaultLogLevel?: LogLevel;
}

export function loadConfig(sources: ConfigSources): Config {
  const { env, flags = {} } = sources;
  const raw = {
    dataDir: flags.dataDir ?? env.ORDO_DATA_DIR,
    databaseUrl: flags.databaseUrl ?? (env.DATABASE_URL || undefined),
    host: env.ORDO_HOST,
    port: flags.port ?? env.PORT ?? env.ORDO_PORT,
    logLevel: env.ORDO_LOG_LEVEL || sources.defaultLogLevel,
    secretKey: env.ORDO_SECRET_KEY || undefined,
    demo: env.ORDO_DEMO === undefined ? undefined : env.ORDO_DEMO !== 'false',
    workers: env.ORDO_WORKERS === undefined ? undefined : env.ORDO_WORKERS !== 'false',
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrdoError('CONFIG_INVALID', {
      message: `Configuration: ${issue?.path.join('.')}: ${issue?.message}`,
      details: { field: issue?.path.join('.') },
    });
  }
  return Object.freeze({ ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) });
}
