/**
 * The fetch Ordo uses for addresses a user typed (a CalDAV server, a calendar) and the
 * addresses those servers send back (redirects, hrefs). Without it, a user could make the
 * server fetch its cloud's metadata service (169.254.169.254) or follow a redirect there, or
 * fill its memory with an endless answer.
 *
 * Loopback and private LAN addresses stay allowed on purpose: a company's own Radicale or
 * Nextcloud usually lives on its LAN or on the same machine as Ordo, and refusing them would
 * refuse the main use of CalDAV sync. What is refused is what no calendar server is: link-local
 * (the metadata services live there), unspecified, multicast and broadcast addresses.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import net from 'node:net';

import { OrdoError } from '../shared/errors.js';

export type LookupAddress = { address: string; family: number };
export type Lookup = (hostname: string) => Promise<LookupAddress[]>;

export interface GuardedFetchOptions {
  /** The fetch that really sends; `globalThis.fetch` by default. */
  fetch?: typeof fetch;
  /** Per call, redirects and body included. */
  timeoutMs: number;
  /** The largest answer body read, in bytes. */
  maxBytes: number;
  /** Resolves a host name to all its addresses; node:dns by default. */
  lookup?: Lookup;
}

/** Discovery asks a few small questions of an address the user just typed. */
export const DISCOVERY_LIMITS = { timeoutMs: 15_000, maxBytes: 4 * 1024 * 1024 } as const;
/**
 * Sync requests keep the DAV client's own, shorter timeout; this one only bounds a request
 * whose caller set none. A listing of thousands of events is a few MiB; 64 MiB is far above.
 */
export const SYNC_LIMITS = { timeoutMs: 120_000, maxBytes: 64 * 1024 * 1024 } as const;

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Fetch standard, "null body status": a Response cannot be built with a body for these.
const NULL_BODY = new Set([101, 204, 205, 304]);

/** Errors the guard raised (not the network's), so callers can find them inside a wrapper. */
const guardErrors = new WeakSet<Error>();

const defaultLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

// TODO(when a custom undici dispatcher can be passed to fetch): connect to the address that
// was checked. The real fetch resolves the name again, so a name whose DNS answer changes
// between the check and the connection (DNS rebinding, short TTL) can still reach a refused
// address.
export function createGuardedFetch(options: GuardedFetchOptions): typeof fetch {
  const send = options.fetch ?? globalThis.fetch;
  const lookup = options.lookup ?? defaultLookup;

  return async (input, init) => {
    const request = input instanceof Request ? input : null;
    // A Request's body is a stream that could not be sent again after a redirect.
    if (request?.body) throw new TypeError('The guarded fetch takes the body in init');
    const first = new URL(request ? request.url : input.toString());
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    let body = init?.body ?? null;
    const headers = new Headers(init?.headers ?? request?.headers);
    let url = first;

    try {
      for (let hop = 0; ; hop += 1) {
        await checkAddress(url, lookup);
        const hopHeaders = new Headers(headers);
        // The user's credentials are for the server they named, not for where it sends us.
        if (url.origin !== first.origin) hopHeaders.delete('authorization');
        const response = await send(url.toString(), {
          method,
          headers: hopHeaders,
          body,
          redirect: 'manual',
          signal,
        });
        const location = response.headers.get('location');
        if (!REDIRECTS.has(response.status) || location === null) {
          return await capped(response, { url, maxBytes: options.maxBytes });
        }
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw tooManyRedirects(first);
        url = new URL(location, url);
        // RFC 9110 section 15.4: 303 turns any method but HEAD into GET; 301 and 302 do so
        // for POST only (what browsers and the fetch standard do). DAV methods are kept.
        if (
          (response.status === 303 && method !== 'HEAD') ||
          (response.status < 303 && method === 'POST')
        ) {
          method = 'GET';
          body = null;
          headers.delete('content-type');
        }
      }
    } catch (error) {
      if (timeout.aborted && !init?.signal?.aborted) throw timedOut(first, options, error);
      throw error;
    }
  };
}

/**
 * The guard's refusal (address, size, redirects) when `error` is one or wraps one in its
 * `cause` chain (the DAV client reports a failed fetch as `SYNC_REMOTE_UNAVAILABLE` with the
 * fetch's error as cause); `null` otherwise.
 */
export function guardRefusalOf(error: unknown): OrdoError | null {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof OrdoError && guardErrors.has(current)) return current;
    current = current instanceof Error ? current.cause : null;
  }
  return null;
}

/**
 * Runs `work` and answers a guard refusal found inside its error as itself (the DAV client
 * already fails at once on a refusal; other callers may still wrap it).
 */
export async function surfacingRefusal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw guardRefusalOf(error) ?? error;
  }
}

/**
 * Refuses at once an address the guarded fetch would refuse: the DAV client retries a failed
 * fetch before reporting it, so a typed address is checked first for a quick, plain answer.
 */
export async function checkFetchable(
  address: string,
  lookup: Lookup = defaultLookup,
): Promise<void> {
  await checkAddress(new URL(address), lookup);
}

async function checkAddress(url: URL, lookup: Lookup): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refused(url, `Only http and https addresses are fetched, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw refused(url, 'An address may not carry a user name or password');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = net.isIP(host)
    ? [{ address: host, family: net.isIP(host) }]
    : await resolve(host, lookup);
  const bad = addresses.find((entry) => refusedAddress(entry.address));
  if (bad) {
    throw refused(url, `The address of ${host} (${bad.address}) is not one Ordo fetches`, {
      address: bad.address,
    });
  }
}

async function resolve(host: string, lookup: Lookup): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(host);
  } catch (error) {
    throw unresolved(host, error);
  }
  if (addresses.length === 0) throw unresolved(host, null);
  return addresses;
}

/** Resolver answers saying the name has no address at all (not that no answer came). */
const NAME_NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * A host name the resolver could not turn into an address is `SYNC_REMOTE_UNAVAILABLE`, as any
 * server that cannot be reached, whether the name does not exist (ENOTFOUND: most often a typo)
 * or no name server answered (EAI_AGAIN): a resolver or a network that is down gives either, and
 * a scheduled run must try again later in both cases. The message tells a person which it was;
 * `details.reason` is `dns`, `details.dnsCode` the resolver's code, and `details.exists` false
 * when the resolver said the name has no address. Not a guard refusal: the DAV client retries it
 * like a refused connection.
 */
function unresolved(host: string, error: unknown): OrdoError {
  const dnsCode = error === null ? 'ENODATA' : errnoCodeOf(error);
  const message = NAME_NOT_FOUND.has(dnsCode)
    ? `The name ${host} does not exist (DNS ${dnsCode}): check the address`
    : `The name ${host} cannot be resolved just now (DNS ${dnsCode}): try again later`;
  return new OrdoError('SYNC_REMOTE_UNAVAILABLE', {
    message,
    details: { host, reason: 'dns', dnsCode, exists: !NAME_NOT_FOUND.has(dnsCode) },
    cause: error ?? undefined,
  });
}

function errnoCodeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

/** Link-local, unspecified, multicast and broadcast; loopback and private LAN are allowed. */
export function refusedAddress(address: string): boolean {
  const v4 = net.isIPv4(address) ? address : mappedIpv4(address);
  if (v4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 0 || (a === 169 && b === 254) || a >= 224;
  }
  const list = new net.BlockList();
  list.addAddress('::', 'ipv6');
  list.addSubnet('fe80::', 10, 'ipv6');
  list.addSubnet('ff00::', 8, 'ipv6');
  return list.check(address, 'ipv6');
}

/**
 * `::ffff:169.254.169.254` reaches the IPv4 address: judge it as that. The URL parser writes
 * it in hex (`::ffff:a9fe:a9fe`), so both spellings are read.
 */
function mappedIpv4(address: string): string | null {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1] as string;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const [high, low] = [parseInt(hex[1] as string, 16), parseInt(hex[2] as string, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

async function capped(
  response: Response,
  { url, maxBytes }: { url: URL; maxBytes: number },
): Promise<Response> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(url, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body && !NULL_BODY.has(response.status)) {
    const reader = response.body.getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      size += part.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge(url, maxBytes);
      }
      chunks.push(part.value);
    }
  }
  const copy = new Response(NULL_BODY.has(response.status) ? null : Buffer.concat(chunks), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // Callers resolve hrefs against the address that answered (after redirects).
  Object.defineProperty(copy, 'url', { value: url.toString() });
  return copy;
}

function guard(error: OrdoError): OrdoError {
  guardErrors.add(error);
  return error;
}

function refused(url: URL, message: string, details: Record<string, unknown> = {}): OrdoError {
  return guard(
    new OrdoError('SYNC_ADDRESS_REFUSED', { message, details: { host: url.hostname, ...details } }),
  );
}

function tooLarge(url: URL, maxBytes: number): OrdoError {
  return guard(
    new OrdoError('SYNC_REMOTE_PROTOCOL', {
      message: `The answer of ${url.hostname} is larger than ${maxBytes} bytes`,
      details: { host: url.hostname, maxBytes, reason: 'too-large' },
    }),
  );
}

function tooManyRedirects(first: URL): OrdoError {
  return guard(
    new OrdoError('SYNC_REMOTE_PROTOCOL', {
      message: `${first.hostname} redirected more than ${MAX_REDIRECTS} times`,
      details: { host: first.hostname, reason: 'redirects' },
    }),
  );
}

function timedOut(first: URL, options: GuardedFetchOptions, cause: unknown): OrdoError {
  // Not a guard refusal: a slow server is a transient failure the DAV client may retry.
  return new OrdoError('SYNC_REMOTE_UNAVAILABLE', {
    message: `${first.hostname} did not answer within ${options.timeoutMs} ms`,
    details: { host: first.hostname, timeoutMs: options.timeoutMs },
    cause,
  });
}
