/**
 * Runs the benchmarks: `npm run bench` runs every bench/<name>.ts in turn, `npm run bench --
 * NAME [NAME...]` only those. Each runs in a process of its own (a fresh heap, nothing one
 * leaves behind weighs on the next) and ends with one line of JSON holding its figures.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Files in bench/ that are not benchmarks. */
const NOT_BENCHES = new Set(['run', 'helpers', 'sync-calendar']);

function available(): string[] {
  return fs
    .readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .filter((name) => !NOT_BENCHES.has(name) && !name.endsWith('-helpers'))
    .sort();
}

function main(args: string[]): number {
  const all = available();
  const wanted = args.length > 0 ? args : all;
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${all.join(', ')}`);
    return 2;
  }
  let failed = 0;
  for (const name of wanted) {
    console.log(`\n=== bench/${name}.ts ===`);
    // --expose-gc: benchmarks collect garbage before each timed operation, so that one
    // measurement does not pay for the garbage the previous one left.
    const args = ['--expose-gc', '--import', 'tsx', path.join(here, `${name}.ts`)];
    const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: process.env });
    if (result.status !== 0) {
      console.error(`bench/${name}.ts exited with ${result.status ?? result.signal}`);
      failed += 1;
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
