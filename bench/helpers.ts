/**
 * What the benchmarks share: a work folder, a seeded random source, percentiles, the result line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.dirname(BENCH_DIR);

/** bench/.work (gitignored): generated databases and files kept between runs. */
export function workDir(...parts: string[]): string {
  const dir = path.join(BENCH_DIR, '.work', ...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A small seeded generator (mulberry32): the same data on every run, and fast. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** The nearest-rank percentile of `values` (0 < p <= 100). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? NaN;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Times `fn`, after a full garbage collection when node runs with --expose-gc. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** The line a benchmark ends with: its figures, as one line of JSON. */
export function printResult(figures: Record<string, unknown>): void {
  console.log(JSON.stringify(figures));
}
