import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isOrdoError, OrdoError } from '../shared/errors.js';
import {
  checkFetchable,
  createGuardedFetch,
  guardRefusalOf,
  refusedAddress,
  type Lookup,
} from './guarded-fetch.js';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

interface TestServer {
  origin: string;
  port: number;
  seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function serve(handler: Handler): Promise<TestServer> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    seen.push(request.headers);
    handler(request, response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Names the tests use; anything else is an error, so no test reaches real DNS. */
const lookup: Lookup = async (hostname) => {
  const table: Record<string, string> = {
    'metadata.test': '169.254.169.254',
    'calendar.test': '127.0.0.1',
  };
  const address = table[hostname];
  if (!address) throw new Error(`unknown test host ${hostname}`);
  return [{ address, family: 4 }];
};

const limits = { timeoutMs: 2_000, maxBytes: 1024, lookup };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('guarded fetch', () => {
  let target: TestServer;
  let redirector: TestServer;

  beforeAll(async () => {
    target = await serve((request, response) => {
      if (request.url === '/big') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        // No content-length: the cap must hold while streaming.
        response.write('x'.repeat(800));
        response.end('y'.repeat(800));
        return;
      }
      if (request.url === '/silent') return; // never answers
      if (request.url === '/hop') {
        response.writeHead(307, { location: '/ok' });
        response.end();
        return;
      }
      response.writeHead(207, { 'content-type': 'application/xml' });
      response.end('<multistatus/>');
    });
    redirector = await serve((request, response) => {
      const to: Record<string, string> = {
        '/to-metadata': 'http://metadata.test/latest/meta-data/',
        '/to-other-origin': `${target.origin}/ok`,
        '/to-same-origin': '/same',
        '/to-ipv6-link-local': 'http://[fe80::1]/',
        '/loop': '/loop',
      };
      const location = to[request.url ?? ''];
      if (location) {
        response.writeHead(302, { location });
        response.end();
        return;
      }
      response.writeHead(200);
      response.end('same origin');
    });
  });

  afterAll(async () => {
    await target.close();
    await redirector.close();
  });

  it('fetches a plain loopback address and keeps the answer and its address', async () => {
    const guarded = createGuardedFetch(limits);
    const response = await guarded(`${target.origin}/calendars/`, { method: 'PROPFIND' });
    expect(response.status).toBe(207);
    expect(await response.text()).toBe('<multistatus/>');
    expect(response.url).toBe(`${target.origin}/calendars/`);
  });

  it('refuses the cloud metadata address, typed or resolved', async () => {
    const guarded = createGuardedFetch(limits);
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.test/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      const error = await failure(guarded(url));
      expect(isOrdoError(error, 'SYNC_ADDRESS_REFUSED'), url).toBe(true);
      expect((error as OrdoError).status).toBe(400);
      expect((error as OrdoError).message).toMatch(/169\.254\.169\.254|a9fe:a9fe/);
    }
  });

  it('refuses a redirect to a refused address', async () => {
    const guarded = createGuardedFetch(limits);
    for (const path of ['/to-metadata', '/to-ipv6-link-local']) {
      const error = await failure(guarded(`${redirector.origin}${path}`));
      expect(isOrdoError(error, 'SYNC_ADDRESS_REFUSED'), path).toBe(true);
    }
  });

  it('sends Authorization to the first origin only', async () => {
    const guarded = createGuardedFetch(limits);
    const headers = { authorization: 'Basic dXNlcjpzZWNyZXQ=' };
    target.seen.length = 0;
    redirector.seen.length = 0;

    const same = await guarded(`${redirector.origin}/to-same-origin`, { headers });
    expect(await same.text()).toBe('same origin');
    expect(redirector.seen.map((h) => h.authorization)).toEqual([
      headers.authorization,
      headers.authorization,
    ]);

    const other = await guarded(`${redirector.origin}/to-other-origin`, { headers });
    expect(other.status).toBe(207);
    expect(other.url).toBe(`${target.origin}/ok`);
    expect(target.seen).toHaveLength(1);
    expect(target.seen[0]?.authorization).toBeUndefined();
  });

  it('keeps a DAV method and its body across a 307', async () => {
    const guarded = createGuardedFetch(limits);
    const response = await guarded(`${target.origin}/hop`, { method: 'PROPFIND', body: '<x/>' });
    expect(response.status).toBe(207);
  });

  it('stops after five redirects', async () => {
    const error = await failure(createGuardedFetch(limits)(`${redirector.origin}/loop`));
    expect(isOrdoError(error, 'SYNC_REMOTE_PROTOCOL')).toBe(true);
    expect((error as OrdoError).details).toMatchObject({ reason: 'redirects' });
  });

  it('refuses an answer larger than the cap', async () => {
    const error = await failure(createGuardedFetch(limits)(`${target.origin}/big`));
    expect(isOrdoError(error, 'SYNC_REMOTE_PROTOCOL')).toBe(true);
    expect((error as OrdoError).message).toMatch(/larger than 1024 bytes/);
  });

  it('gives up on a server that does not answer', async () => {
    const started = Date.now();
    const guarded = createGuardedFetch({ ...limits, timeoutMs: 200 });
    const error = await failure(guarded(`${target.origin}/silent`));
    expect(isOrdoError(error, 'SYNC_REMOTE_UNAVAILABLE')).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('refuses credentials in the address and other schemes', async () => {
    const guarded = createGuardedFetch(limits);
    const inUrl = await failure(guarded(`http://user:secret@127.0.0.1:${target.port}/`));
    expect(isOrdoError(inUrl, 'SYNC_ADDRESS_REFUSED')).toBe(true);
    expect((inUrl as Error).message).not.toContain('secret');
    expect(isOrdoError(await failure(guarded('file:///etc/passwd')), 'SYNC_ADDRESS_REFUSED')).toBe(
      true,
    );
  });

  it('answers a name the resolver cannot find as an unreachable server, saying which', async () => {
    const failingLookup = (code: string): Lookup => {
      return async (hostname) => {
        throw Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code });
      };
    };
    const unknown = await failure(
      createGuardedFetch({ ...limits, lookup: failingLookup('ENOTFOUND') })('http://nope.test/'),
    );
    expect(isOrdoError(unknown, 'SYNC_REMOTE_UNAVAILABLE')).toBe(true);
    expect((unknown as OrdoError).message).toBe(
      'The name nope.test does not exist (DNS ENOTFOUND): check the address',
    );
    expect((unknown as OrdoError).details).toEqual({
      host: 'nope.test',
      reason: 'dns',
      dnsCode: 'ENOTFOUND',
      exists: false,
    });
    expect(guardRefusalOf(unknown)).toBeNull();

    const noAnswer = await failure(
      checkFetchable('https://cloud.test/cal/', failingLookup('EAI_AGAIN')),
    );
    expect(isOrdoError(noAnswer, 'SYNC_REMOTE_UNAVAILABLE')).toBe(true);
    expect((noAnswer as OrdoError).message).toBe(
      'The name cloud.test cannot be resolved just now (DNS EAI_AGAIN): try again later',
    );

    const empty = await failure(checkFetchable('https://cloud.test/', async () => []));
    expect((empty as OrdoError).details).toEqual({
      host: 'cloud.test',
      reason: 'dns',
      dnsCode: 'ENODATA',
      exists: false,
    });
  });

  it('finds its refusal inside a wrapping error', async () => {
    const refusal = await failure(createGuardedFetch(limits)('http://169.254.169.254/'));
    const wrapped = new OrdoError('SYNC_REMOTE_UNAVAILABLE', { cause: refusal });
    expect(guardRefusalOf(wrapped)).toBe(refusal);
    expect(guardRefusalOf(new OrdoError('SYNC_ADDRESS_REFUSED'))).toBeNull();
  });
});

describe('refusedAddress', () => {
  it('refuses link-local, unspecified, multicast and broadcast', () => {
    for (const address of [
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      'fe80::1',
      'ff02::1',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
    ]) {
      expect(refusedAddress(address), address).toBe(true);
    }
  });

  it('allows loopback, private LAN and public addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.5',
      '192.168.1.20',
      '172.16.0.1',
      '::1',
      'fd00::1',
      '93.184.216.34',
    ]) {
      expect(refusedAddress(address), address).toBe(false);
    }
  });
});
