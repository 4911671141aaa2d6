/**
 * Memory at rest: builds Ordo (`npm run build`, skipped with BENCH_NO_BUILD=1), starts it as
 * `npm start` does (`node bin/ordo.js serve`, workers and first-run demo content included)
 * with a fresh data folder on a free port of 127.0.0.1, waits until /api/health answers and
 * then 5 s of rest, and reads the process's resident memory from /proc/PID/status.
 * Target: VmRSS <= 150 MB.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_DIR, printResult } from './helpers.js';

const TARGET_MB = 150;
const REST_MS = 5000;
const START_TIMEOUT_MS = 60_000;

function build(): void {
  if (process.env.BENCH_NO_BUILD === '1') return;
  console.log('npm run build ...');
  const result = spawnSync('npm', ['run', 'build'], { cwd: REPO_DIR, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status})`);
}

/** kB figures of /proc/PID/status, in MB. */
interface Memory {
  rssMB: number;
  peakRssMB: number;
  anonMB: number;
  fileMB: number;
}

function memoryOf(pid: number): Memory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : NaN;
  };
  return {
    rssMB: mb('VmRSS'),
    peakRssMB: mb('VmHWM'),
    anonMB: mb('RssAnon'),
    fileMB: mb('RssFile'),
  };
}

async function waitForHealth(base: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/api/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error('The server did not answer /api/health in time');
}

async function main(): Promise<void> {
  build();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-bench-memory-'));
  const child = spawn(
    process.execPath,
    ['bin/ordo.js', 'serve', '--data', dataDir, '--port', '0'],
    {
      cwd: REPO_DIR,
      env: { ...process.env, ORDO_HOST: '127.0.0.1', ORDO_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const started = Date.now();
    const deadline = started + START_TIMEOUT_MS;
    let port: number | null = null;
    while (port === null) {
      const match = /serving on https?:\/\/[^:\s]+:(\d+)/.exec(output);
      if (match) port = Number(match[1]);
      else if (child.exitCode !== null) throw new Error(`ordo serve exited:\n${output}`);
      else if (Date.now() > deadline) throw new Error(`ordo serve did not start:\n${output}`);
      else await sleep(50);
    }
    await waitForHealth(`http://127.0.0.1:${port}`, deadline);
    const readyMs = Date.now() - started;
    console.log(
      `ordo serve (pid ${child.pid}) answers /api/health on port ${port} after ${readyMs} ms`,
    );
    await sleep(REST_MS);
    const memory = memoryOf(child.pid as number);
    const met = memory.rssMB <= TARGET_MB;
    console.log(
      `After ${REST_MS / 1000} s at rest: VmRSS ${memory.rssMB} MB (peak ${memory.peakRssMB} MB;` +
        ` anonymous ${memory.anonMB} MB, files ${memory.fileMB} MB)` +
        ` -> target <= ${TARGET_MB} MB ${met ? 'met' : 'NOT met'}`,
    );
    printResult({ bench: 'memory', ...memory, readyMs, targetMB: TARGET_MB, targetMet: met });
  } finally {
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
