/**
 * `ordo`: the server and the administrators' command line. Every command takes `--data DIR`
 * (or DATABASE_URL for PostgreSQL) and `--json` for machine-readable output.
 */
import { parseArgs } from 'node:util';
import { createOrdo } from '../app/ordo.js';
import { loadConfig } from '../config/config.js';
import { startReminders } from '../reminders/reminders.js';
import { isOrdoError } from '../shared/errors.js';
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
  const command = findCommand(argv);
  const asksHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
  if (!command && !asksHelp) {
    io.stderr(`Unknown command: ordo ${argv.join(' ')}\n\n${helpText(undefined)}`);
    return 2;
  }
  if (!command || asksHelp) {
    io.stdout(helpText(command));
    return 0;
  }

  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(command.words.length),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\nusage: ordo ${command.usage}\n`);
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
