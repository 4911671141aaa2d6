/**
 * Real CalDAV servers for integration tests: Debian's Radicale and Xandikos, each started on
 * a free loopback port with a temporary storage folder, with one empty calendar created.
 *
 * A missing binary skips the suite with a notice naming the Debian package, except in CI
 * (`CI=true`), where it fails: keep that decision in `describeWithServer`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { afterAll, beforeAll, describe, it } from 'vitest';

export interface CalDavServer {
  /** Name shown in test titles. */
  name: string;
  /** The calendar collection created at start, ending with `/`. */
  url: string;
  /** The server root, for discovery. */
  baseUrl: string;
  username: string | undefined;
  password: string | undefined;
  /** Creates another empty calendar and returns its URL (a fresh one per test). */
  createCalendar(name?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface CalDavServerStarter {
  /** `storage`: a prepared storage folder to serve (a benchmark's), else a fresh one. */
  (options?: { storage?: string }): Promise<CalDavServer>;
  /** The command that must be on PATH. */
  command: string;
  /** The Debian package that provides it. */
  debianPackage: string;
}

const START_TIMEOUT_MS = 15_000;

export const startRadicale: CalDavServerStarter = Object.assign(
  async (options?: { storage?: string }): Promise<CalDavServer> => {
    const storage = options?.storage ?? (await mkdtemp(join(tmpdir(), 'ordo-radicale-')));
    const username = 'ordo';
    const password = randomBytes(9).toString('base64url');
    // Debian's `radicale` script, not `python3 -m radicale`: the default python3 here is
    // another interpreter without the module. `--config ""` ignores /etc/radicale/config.
    // With auth "none" Radicale still wants Basic credentials; any password passes.
    const started = await startProcess({
      command: 'radicale',
      args: (port) => [
        '--config',
        '',
        '--server-hosts',
        `127.0.0.1:${port}`,
        '--storage-filesystem-folder',
        storage,
        '--auth-type',
        'none',
        '--rights-type',
        'owner_only',
        '--logging-level',
        'warning',
      ],
      storage,
      auth: { username, password },
    });
    return finishStart({
      name: 'Radicale',
      started,
      home: `${started.baseUrl}${username}/`,
      auth: { username, password },
    });
  },
  { command: 'radicale', debianPackage: 'radicale' },
);

export const startXandikos: CalDavServerStarter = Object.assign(
  async (options?: { storage?: string }): Promise<CalDavServer> => {
    const storage = options?.storage ?? (await mkdtemp(join(tmpdir(), 'ordo-xandikos-')));
    // --autocreate makes the principal /user/ and its home /user/calendars/.
    const started = await startProcess({
      command: 'xandikos',
      args: (port) => ['-d', storage, '--autocreate', '-l', '127.0.0.1', '-p', String(port)],
      storage,
      auth: null,
    });
    return finishStart({
      name: 'Xandikos',
      started,
      home: `${started.baseUrl}user/calendars/`,
      auth: null,
    });
  },
  { command: 'xandikos', debianPackage: 'xandikos' },
);

/**
 * `describe` with a running server: started before the suite, stopped after it. `server()`
 * gives it inside tests and hooks.
 */
export function describeWithServer(
  name: string,
  start: CalDavServerStarter,
  body: (server: () => CalDavServer) => void,
): void {
  if (!commandExists(start.command)) {
    const notice = `${name}: '${start.command}' not found; install the Debian package '${start.debianPackage}'`;
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('has its server installed', () => {
          throw new Error(notice);
        });
      });
      return;
    }
    console.warn(`Skipping: ${notice}`);
    describe.skip(name, () => body(() => unavailable(name)));
    return;
  }

  describe(name, () => {
    let running: CalDavServer | undefined;
    beforeAll(async () => {
      running = await start();
    });
    afterAll(async () => {
      await running?.stop();
    });
    body(() => running ?? unavailable(name));
  });
}

export function commandExists(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((folder) => {
    try {
      accessSync(join(folder, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

interface Auth {
  username: string;
  password: string;
}

interface Started {
  baseUrl: string;
  child: ChildProcess;
  storage: string;
  output: () => string;
}

async function startProcess(options: {
  command: string;
  args: (port: number) => string[];
  storage: string;
  auth: Auth | null;
}): Promise<Started> {
  // A port freed by the OS can be taken again before the server binds it: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const child = spawn(options.command, options.args(port), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const baseUrl = `http://127.0.0.1:${port}/`;
    try {
      await waitUntilAnswering({ url: baseUrl, child, auth: options.auth, output: () => output });
      return { baseUrl, child, storage: options.storage, output: () => output };
    } catch (error) {
      lastError = error;
      await stopChild(child);
    }
  }
  await rm(options.storage, { recursive: true, force: true });
  throw lastError;
}

async function finishStart(options: {
  name: string;
  started: Started;
  home: string;
  auth: Auth | null;
}): Promise<CalDavServer> {
  const { started, auth } = options;
  let count = 0;
  const createCalendar = async (name?: string) => {
    count += 1;
    const url = `${options.home}${name ?? `calendar-${count}-${randomBytes(4).toString('hex')}`}/`;
    await mkcalendar(url, auth);
    return url;
  };
  try {
    const url = await createCalendar('ordo');
    return {
      name: options.name,
      url,
      baseUrl: started.baseUrl,
      username: auth?.username,
      password: auth?.password,
      createCalendar,
      stop: async () => {
        await stopChild(started.child);
        await rm(started.storage, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(started.child);
    await rm(started.storage, { recursive: true, force: true });
    throw error;
  }
}

async function mkcalendar(url: string, auth: Auth | null): Promise<void> {
  const body =
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>' +
    '<D:displayname>Ordo test</D:displayname></D:prop></D:set></C:mkcalendar>';
  const response = await fetch(url, {
    method: 'MKCALENDAR',
    headers: { 'Content-Type': 'application/xml; charset=utf-8', ...authHeader(auth) },
    body,
  });
  if (response.status !== 201) {
    throw new Error(`MKCALENDAR ${url} answered ${response.status}: ${await response.text()}`);
  }
}

async function waitUntilAnswering(options: {
  url: string;
  child: ChildProcess;
  auth: Auth | null;
  output: () => string;
}): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (options.child.exitCode !== null || options.child.signalCode !== null) {
      throw new Error(`The server exited at start:\n${options.output()}`);
    }
    try {
      const response = await fetch(options.url, {
        method: 'OPTIONS',
        headers: authHeader(options.auth),
      });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  throw new Error(`The server did not answer within ${START_TIMEOUT_MS} ms:\n${options.output()}`);
}

function authHeader(auth: Auth | null): Record<string, string> {
  if (!auth) return {};
  const token = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return { Authorization: `Basic ${token}` };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function unavailable(name: string): never {
  throw new Error(`${name} is not running`);
}

/** The Authorization header of a server's test account (none when it has no account). */
export function basicAuth(server: CalDavServer): Record<string, string> {
  if (server.username === undefined) return {};
  const token = Buffer.from(`${server.username}:${server.password ?? ''}`).toString('base64');
  return { Authorization: `Basic ${token}` };
}

/** A server's test account, as a provider's or client's options take it. */
export function credentials(server: CalDavServer): { username?: string; password?: string } {
  return { username: server.username, password: server.password };
}
