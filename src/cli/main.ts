/**
 * `ordo`: the server and the administrators' command line. Every command takes `--data DIR`
 * (or DATABASE_URL for PostgreSQL) and `--json` for machine-readable output.
 */
import { parseArgs } from 'node:util';
import { createOrdo } from '../app/ordo.js';
import { loadConfig } from '../config/config.js';
import { startReminders } from '../reminders/reminders.js';
import { isOrdoError, OrdoError } from '../shared/errors.js';
import { createLogger } from '../shared/logger.js';
import type { Command, Output } from './command.js';
import { COMMANDS } from './commands/index.js';

const GLOBAL_OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface MainIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

const processIo: MainIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export async function main(argv: string[], io: MainIo = processIo): Promise<number> {
  const { globals, rest } = splitLeadingGlobals(argv);
  const command = findCommand(rest);
  const asksHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
  // Read before parsing, so that a command line parseArgs refuses is answered in JSON too.
  const asksJson = argv.includes('--json');
  if (!command && !asksHelp) {
    const message = `Unknown command: ordo ${argv.join(' ')}`;
    reportUsageError(io, {
      error: usageError(message),
      json: asksJson,
      help: `\n${helpText(undefined)}`,
    });
    return 2;
  }
  if (!command || asksHelp) {
    io.stdout(helpText(command));
    return 0;
  }

  let parsed;
  try {
    parsed = parseArgs({
      args: [...globals, ...rest.slice(command.words.length)],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const refused = usageError((error as Error).message, command);
    reportUsageError(io, {
      error: refused,
      json: asksJson,
      help: `usage: ordo ${command.usage}\n`,
    });
    return 2;
  }

  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const json = values.json === true;
  const out = createOutput(io, json);
  try {
    const config = loadConfig({
      env: io.env,
      flags: {
        dataDir: typeof values.data === 'string' ? values.data : undefined,
        port: typeof values.port === 'string' ? Number(values.port) : undefined,
      },
      // A one-off command says what went wrong itself; its log only adds warnings.
      defaultLogLevel: command.longRunning ? 'info' : 'warn',
    });
    // A server logs to standard output, as services do; any other command keeps standard
    // output for its result (one JSON document with --json) and logs to standard error.
    const logger = createLogger({
      level: config.logLevel,
      destination: { write: command.longRunning ? io.stdout : io.stderr },
    });
    const ordo = await createOrdo({ config, logger });
    // A task changed here gets its reminder scheduled like one changed in the page; the
    // server's scheduler raises it. `serve` starts reminders with their scheduler itself.
    if (!command.longRunning) await startReminders(ordo, { scheduler: false });
    try {
      const code = await command.run({
        ordo,
        positionals: parsed.positionals,
        values,
        json,
        out,
        env: io.env,
      });
      return code ?? 0;
    } finally {
      if (!command.longRunning) await ordo.close();
    }
  } catch (error) {
    reportError(out, error, json);
    return 1;
  }
}

/**
 * Splits `ordo --data DIR --json tasks ...` into the global options written before the
 * command's words and the rest, so that they may come first as well as anywhere after.
 */
function splitLeadingGlobals(argv: string[]): { globals: string[]; rest: string[] } {
  let index = 0;
  while (index < argv.length) {
    const option = globalOptionOf(argv[index] as string);
    if (!option) break;
    const takesValue = option.type === 'string' && !(argv[index] as string).includes('=');
    index += takesValue ? 2 : 1;
  }
  return { globals: argv.slice(0, index), rest: argv.slice(index) };
}

type GlobalOption = (typeof GLOBAL_OPTIONS)[keyof typeof GLOBAL_OPTIONS];

function globalOptionOf(arg: string): GlobalOption | undefined {
  const named = (name: string, option: GlobalOption) =>
    arg === `--${name}` ||
    arg.startsWith(`--${name}=`) ||
    ('short' in option && arg === `-${option.short}`);
  const entries = Object.entries(GLOBAL_OPTIONS) as Array<[string, GlobalOption]>;
  return entries.find(([name, option]) => named(name, option))?.[1];
}

function findCommand(argv: string[]): Command | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return [...COMMANDS]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => argv[i] === w && words[i] === w));
}

function helpText(command: Command | undefined): string {
  if (command) return `usage: ordo ${command.usage}\n\n${command.summary}\n`;
  const lines = COMMANDS.map((c) => `  ordo ${c.usage}\n      ${c.summary}`);
  return [
    'Ordo: the resource-planning server.',
    '',
    'Every command takes --data DIR (default ./data; DATABASE_URL=postgres://... selects',
    'PostgreSQL instead) and --json for machine-readable output.',
    '',
    ...lines,
    '',
  ].join('\n');
}

function createOutput(io: MainIo, json: boolean): Output {
  return {
    say: (text) => {
      if (!json) io.stdout(`${text}\n`);
    },
    result: (value, human) => {
      if (json) io.stdout(`${JSON.stringify(value, null, 2)}\n`);
      else if (human) io.stdout(`${human(value as never)}\n`);
    },
    write: (text) => io.stdout(text),
    error: (text) => io.stderr(`${text}\n`),
  };
}

function reportError(out: Output, error: unknown, json: boolean): void {
  if (isOrdoError(error)) {
    if (json) out.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    out.error(`error ${error.code}: ${error.message}`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (json) out.write(`${JSON.stringify({ error: { code: 'INTERNAL', message } })}\n`);
  out.error(`error: ${message}`);
}

/** A command line that cannot be read: what parseArgs said, the option it names, the usage. */
function usageError(message: string, command?: Command): OrdoError {
  const field = /'--?([\w-]+)/.exec(message)?.[1];
  return new OrdoError('VALIDATION', {
    message,
    details: {
      ...(field ? { field } : {}),
      ...(command ? { usage: command.usage } : {}),
    },
  });
}

function reportUsageError(
  io: MainIo,
  report: { error: OrdoError; json: boolean; help: string },
): void {
  if (report.json) io.stdout(`${JSON.stringify({ error: report.error.toJSON() }, null, 2)}\n`);
  io.stderr(`${report.error.message}\n${report.help}`);
}
