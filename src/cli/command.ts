/**
 * The shape every `ordo` command has: its words, its options, and a function that gets an
 * opened Ordo. Output goes through `out` so `--json` is handled the same everywhere.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Ordo } from '../app/ordo.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  ordo: Ordo;
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  json: boolean;
  out: Output;
  env: Record<string, string | undefined>;
}

export interface Output {
  /** A line for people; suppressed with --json. */
  say(text: string): void;
  /** The result: printed as JSON with --json, else through `human`. */
  result(value: unknown, human?: (value: never) => string): void;
  /** Raw text to standard output (an exported calendar). */
  write(text: string): void;
  error(text: string): void;
}

export interface Command {
  /** The words that select it: `['task', 'add']`. */
  words: string[];
  usage: string;
  summary: string;
  options?: OptionSpec;
  /** Commands that serve stay open; the others close Ordo when they return. */
  longRunning?: boolean;
  run(ctx: CommandContext): Promise<number | void>;
}

export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const value = ctx.values[name];
  return typeof value === 'string' ? value : undefined;
}
