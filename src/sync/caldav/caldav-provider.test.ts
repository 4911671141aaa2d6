import pino from 'pino';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../../shared/clock.js';
import { isOrdoError, OrdoError } from '../../shared/errors.js';
import { contractFields, CONTRACT_WINDOW } from '../provider-contract.js';
import { decodeCursor, encodeCursor } from './caldav-cursor.js';
import { createCalDavProvider } from './caldav-provider.js';
import { toICalendar } from './ical-mapping.js';

const CALENDAR = 'https://dav.example.test/cal/work/';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal | null;
}

/** `'hang'`: no answer, until the request's signal aborts it. */
type Answer = { status: number; body?: string; headers?: Record<string, string> } | Error | 'hang';

/** A fetch that answers from a script, in order, and records what it was asked. */
function scriptedFetch(answers: Answer[]) {
  const seen: Seen[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    seen.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers,
      body: String(init?.body ?? ''),
      signal: init?.signal ?? null,
    });
    const answer = answers.shift();
    if (!answer) throw new Error(`No scripted answer for ${init?.method} ${String(input)}`);
    if (answer instanceof Error) throw answer;
    if (answer === 'hang') {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers });
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

function providerWith(answers: Answer[], clock = new ManualClock(Date.UTC(2030, 0, 1))) {
  const scripted = scriptedFetch(answers);
  const waits: number[] = [];
  const provider = createCalDavProvider({
    calendarUrl: CALENDAR,
    username: 'alice',
    password: 'secret-password',
    timeZone: 'Europe/Paris',
    fetch: scripted.fetch,
    clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
    retry: { attempts: 4, baseDelayMs: 100 },
  });
  return { provider, seen: scripted.seen, waits };
}

/** The GET answer of the object an update replaces (read first, to keep what it holds). */
function stored(etag: string, extra: string[] = []): Answer {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    'BEGIN:VEVENT',
    'UID:u',
    'DTSTAMP:20300101T000000Z',
    'DTSTART:20300107T090000Z',
    'DTEND:20300107T100000Z',
    'SUMMARY:Before',
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ];
  return { status: 200, headers: { ETag: etag }, body: lines.join('\r\n') };
}

function multistatus(inner: string, syncToken?: string): Answer {
  const token = syncToken ? `<d:sync-token>${syncToken}</d:sync-token>` : '';
  return {
    status: 207,
    headers: { 'Content-Type': 'application/xml' },
    body: `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">${inner}${token}</d:multistatus>`,
  };
}

function member(href: string, props: string): string {
  return `<d:response><d:href>${href}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
}

function gone(href: string): string {
  return `<d:response><d:href>${href}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>`;
}

function truncated(): string {
  return `<d:response><d:href>/cal/work/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>`;
}

function withData(href: string, uid: string, etag: string): string {
  const ics = toICalendar(contractFields({ uid }), { timeZone: 'UTC', now: 0 });
  const escaped = ics.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\r/g, '&#13;');
  return member(
    href,
    `<d:getetag>"${etag}"</d:getetag><c:calendar-data>${escaped}</c:calendar-data>`,
  );
}

const collectionInfo = (token: string, components = ['VEVENT']) =>
  multistatus(
    member(
      '/cal/work/',
      `<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:sync-token>${token}</d:sync-token>` +
        '<d:supported-report-set><d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report></d:supported-report-set>' +
        '<c:supported-calendar-component-set>' +
        components.map((c) => `<c:comp name="${c}"/>`).join('') +
        '</c:supported-calendar-component-set>',
    ),
  );

const cursorFor = (token: string, count = 10) =>
  encodeCursor({ token, ctag: null, window: CONTRACT_WINDOW, count });

async function thrown(promise: Promise<unknown>): Promise<OrdoError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isOrdoError(error)) throw new Error(`Expected an OrdoError, got ${String(error)}`);
  return error;
}

describe('CalDAV provider listing', () => {
  it('continues a truncated (507) sync-collection answer with the new token', async () => {
    const { provider, seen } = providerWith([
      multistatus(member('/cal/work/a.ics', '<d:getetag>"1"</d:getetag>') + truncated(), 'tok-2'),
      multistatus(gone('/cal/work/b.ics'), 'tok-3'),
      multistatus(withData('/cal/work/a.ics', 'a', '1')),
    ]);

    const changes = await provider.listChanges(cursorFor('tok-1'), CONTRACT_WINDOW);

    expect(seen.map((s) => /<d:sync-token>([^<]*)/i.exec(s.body)?.[1] ?? 'multiget')).toEqual([
      'tok-1',
      'tok-2',
      'multiget',
    ]);
    expect(changes).toMatchObject({ complete: false, deleted: ['/cal/work/b.ics'] });
    expect(changes.changed.map((item) => item.ref)).toEqual(['/cal/work/a.ics']);
    expect(decodeCursor(changes.cursor)?.token).toBe('tok-3');
  });

  it.each([
    [403, '<d:error xmlns:d="DAV:"><d:valid-sync-token/></d:error>'],
    [400, '<d:error xmlns:d="DAV:"><d:valid-sync-token/></d:error>'],
    [500, '500 Internal Server Error'],
  ])('falls back to a complete listing when the token is refused with %i', async (status, body) => {
    const { provider, seen } = providerWith([
      { status, body },
      collectionInfo('tok-new'),
      multistatus(withData('/cal/work/a.ics', 'a', '1')),
    ]);

    const changes = await provider.listChanges(cursorFor('tok-old'), CONTRACT_WINDOW);

    expect(changes.complete).toBe(true);
    expect(changes.changed.map((item) => item.fields.uid)).toEqual(['a']);
    expect(decodeCursor(changes.cursor)?.token).toBe('tok-new');
    expect(seen[2]?.body).toContain('time-range start="20300101T000000Z"');
  });

  it('reads an answer listing every item and no deletion as a silently full one', async () => {
    const everything = ['a', 'b'].map((n) =>
      member(`/cal/work/${n}.ics`, '<d:getetag>"1"</d:getetag>'),
    );
    const { provider } = providerWith([
      multistatus(everything.join(''), 'tok-2'),
      collectionInfo('tok-3'),
      multistatus(withData('/cal/work/a.ics', 'a', '1')),
    ]);

    const changes = await provider.listChanges(cursorFor('tok-1', 2), CONTRACT_WINDOW);
    expect(changes.complete).toBe(true);
  });

  it('a first sync reads the collection (no ctag), then each kind in its window', async () => {
    const { provider, seen } = providerWith([
      collectionInfo('t1', ['VEVENT', 'VTODO']),
      multistatus(withData('/cal/work/a.ics', 'a', '1')),
      multistatus(''),
    ]);
    const changes = await provider.listChanges(null, CONTRACT_WINDOW);
    expect(seen.map((s) => [s.method, s.body.includes('getctag')])).toEqual([
      ['PROPFIND', false],
      ['REPORT', false],
      ['REPORT', false],
    ]);
    expect(seen[1]?.body).toContain('<C:time-range');
    expect(changes.changed.map((item) => item.ref)).toEqual(['/cal/work/a.ics']);
    expect(decodeCursor(changes.cursor)).toMatchObject({ token: 't1' });
  });

  it('sends the next query before reading an answer; a bad answer calls it off', async () => {
    const { provider, seen } = providerWith([
      collectionInfo('t1', ['VEVENT', 'VTODO']),
      { status: 207, body: '<d:multistatus xmlns:d="DAV:"><d:response>' },
      'hang',
      { status: 207, body: '' },
    ]);
    const error = await thrown(provider.listChanges(null, CONTRACT_WINDOW));
    expect(error.code).toBe('SYNC_REMOTE_PROTOCOL');
    // The to-do query went out before the event answer was read. Once that failed, the to-do
    // query is called off: not retried, not reported instead, not left failing unhandled.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.map((request) => request.body.includes('name="VTODO"'))).toEqual([
      false,
      false,
      true,
    ]);
    expect(seen[2]?.signal?.aborted).toBe(true);
  });

  it('sends the next query while the last answer is still being read', async () => {
    const happened: string[] = [];
    const broken = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:b1', 'END:VEVENT', 'END:VCALENDAR'];
    const events = Array.from({ length: 600 }, (_, i) =>
      withData(`/cal/work/${i}.ics`, `${i}`, 'e'),
    );
    const scripted = scriptedFetch([
      collectionInfo('t1', ['VEVENT', 'VTODO']),
      // The unreadable object comes last: its warning is logged at the end of the reading.
      multistatus(
        events.join('') +
          member('/cal/work/b.ics', `<c:calendar-data>${broken.join('&#13;\n')}</c:calendar-data>`),
      ),
      multistatus(''),
    ]);
    const provider = createCalDavProvider({
      calendarUrl: CALENDAR,
      timeZone: 'Europe/Paris',
      // Node's fetch puts a request on the wire only once the event loop runs again.
      fetch: (async (input, init) => {
        await new Promise((resolve) => setImmediate(resolve));
        happened.push(`${init?.method} ${String(init?.body).includes('VTODO') ? 'VTODO' : ''}`);
        return scripted.fetch(input, init);
      }) as typeof fetch,
      logger: pino(
        { level: 'warn' },
        { write: (line: string) => happened.push(JSON.parse(line).msg) },
      ),
    });
    const changes = await provider.listChanges(null, CONTRACT_WINDOW);
    expect(changes.changed).toHaveLength(600);
    expect(happened).toEqual(['PROPFIND ', 'REPORT ', 'REPORT VTODO', 'calendar item unreadable']);
  });

  it('answers no change in one request', async () => {
    const { provider, seen } = providerWith([multistatus('', 'tok-1')]);
    const changes = await provider.listChanges(cursorFor('tok-1'), CONTRACT_WINDOW);
    expect(changes).toMatchObject({ complete: false, changed: [], deleted: [] });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.depth).toBe('0');
  });

  const both = encodeCursor({ token: 'tok-1', ctag: 'c1', window: CONTRACT_WINDOW, count: 10 });

  it('with a token in the cursor, asks sync-collection alone, whatever its ctag', async () => {
    const { provider, seen } = providerWith([multistatus(gone('/cal/work/a.ics'), 'tok-2')]);
    const changes = await provider.listChanges(both, CONTRACT_WINDOW);
    expect(changes).toMatchObject({ complete: false, deleted: ['/cal/work/a.ics'] });
    expect(seen.map((s) => [s.method, s.headers.depth])).toEqual([['REPORT', '0']]);
    expect(decodeCursor(changes.cursor)).toMatchObject({ token: 'tok-2' });
  });

  it('does not fetch changed items whose ETag the engine already holds', async () => {
    const withEtag = (href: string, etag: string) =>
      member(href, `<d:getetag>"${etag}"</d:getetag>`);
    const { provider, seen } = providerWith([
      multistatus(
        withEtag('/cal/work/ours.ics', 'e1') +
          withEtag('/cal/work/edited.ics', 'e9') +
          withEtag('/cal/work/new.ics', 'n1'),
        'tok-2',
      ),
      multistatus(
        withData('/cal/work/edited.ics', 'edited', 'e9') +
          withData('/cal/work/new.ics', 'new', 'n1'),
      ),
    ]);
    const asked: string[][] = [];
    const known = {
      etags: async (refs: readonly string[]) => {
        asked.push([...refs]);
        return new Map([
          ['/cal/work/ours.ics', '"e1"'],
          ['/cal/work/edited.ics', '"e2"'],
        ]);
      },
    };
    const changes = await provider.listChanges(cursorFor('tok-1'), CONTRACT_WINDOW, known);
    expect(changes.unchanged).toEqual(['/cal/work/ours.ics']);
    expect(changes.changed.map((item) => item.ref).sort()).toEqual([
      '/cal/work/edited.ics',
      '/cal/work/new.ics',
    ]);
    expect(asked).toEqual([['/cal/work/ours.ics', '/cal/work/edited.ics', '/cal/work/new.ics']]);
    expect(seen[1]?.body).not.toContain('ours.ics');
  });

  it('leaves out objects without event or todo, reports unreadable ones', async () => {
    const journal = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VJOURNAL', 'UID:j1', 'END:VJOURNAL'];
    const broken = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:b1', 'END:VEVENT'];
    const object = (href: string, lines: string[]) =>
      member(
        href,
        '<d:getetag>"x"</d:getetag><c:calendar-data>' +
          [...lines, 'END:VCALENDAR'].join('&#13;\n') +
          '</c:calendar-data>',
      );
    const etagOnly = (href: string) => member(href, '<d:getetag>"x"</d:getetag>');
    // A sync-collection answer names every kind of object; the multiget returns them.
    const { provider } = providerWith([
      multistatus(
        etagOnly('/cal/work/j.ics') + etagOnly('/cal/work/b.ics') + etagOnly('/cal/work/a.ics'),
        'tok-2',
      ),
      multistatus(
        object('/cal/work/j.ics', journal) +
          object('/cal/work/b.ics', broken) +
          withData('/cal/work/a.ics', 'a', '1'),
      ),
    ]);
    const changes = await provider.listChanges(cursorFor('tok-1'), CONTRACT_WINDOW);
    expect(changes.changed.map((item) => item.ref)).toEqual(['/cal/work/a.ics']);
    expect(changes.unreadable.map((item) => item.ref)).toEqual(['/cal/work/b.ics']);
  });
});

describe('CalDAV provider on a server with only getctag', () => {
  const ctagInfo = (ctag: string) =>
    multistatus(
      member(
        '/cal/work/',
        '<d:resourcetype><d:collection/><c:calendar/></d:resourcetype>' +
          `<cs:getctag xmlns:cs="http://calendarserver.org/ns/">${ctag}</cs:getctag>`,
      ),
    );
  const ctagCursor = encodeCursor({ token: null, ctag: 'c1', window: CONTRACT_WINDOW, count: 1 });

  it('refuses to synchronize with an address that is not a calendar, or is not there', async () => {
    const addressBook = multistatus(
      member(
        '/cal/work/',
        '<d:resourcetype><d:collection/>' +
          '<cr:addressbook xmlns:cr="urn:ietf:params:xml:ns:carddav"/></d:resourcetype>',
      ),
    );
    for (const answer of [addressBook, { status: 404, body: 'Not Found' }]) {
      const { provider, seen } = providerWith([answer]);
      const error = await thrown(provider.listChanges(null, CONTRACT_WINDOW));
      expect(error.code).toBe('SYNC_NOT_CONFIGURED');
      expect(seen).toHaveLength(1);
    }
  });

  it('answers an unchanged ctag with no change in one request', async () => {
    const { provider, seen } = providerWith([ctagInfo('c1')]);
    const changes = await provider.listChanges(ctagCursor, CONTRACT_WINDOW);
    expect(changes).toMatchObject({ complete: false, changed: [], deleted: [] });
    expect(seen).toHaveLength(1);
  });

  it('a first sync on a server without sync-collection keeps the ctag', async () => {
    const { provider, seen } = providerWith([
      multistatus(
        member('/cal/work/', '<d:resourcetype><d:collection/><c:calendar/></d:resourcetype>'),
      ),
      ctagInfo('c1'),
      multistatus(withData('/cal/work/a.ics', 'a', '1')),
      multistatus(''),
    ]);
    const changes = await provider.listChanges(null, CONTRACT_WINDOW);
    expect(seen.map((s) => [s.method, s.body.includes('getctag')])).toEqual([
      ['PROPFIND', false],
      ['PROPFIND', true],
      ['REPORT', false],
      ['REPORT', false],
    ]);
    expect(decodeCursor(changes.cursor)).toMatchObject({ token: null, ctag: 'c1' });
  });

  it('answers a changed ctag with a complete listing', async () => {
    const { provider } = providerWith([
      ctagInfo('c2'),
      multistatus(withData('/cal/work/a.ics', 'a', '1')),
      multistatus(''),
    ]);
    const changes = await provider.listChanges(ctagCursor, CONTRACT_WINDOW);
    expect(changes.complete).toBe(true);
    expect(decodeCursor(changes.cursor)).toMatchObject({ token: null, ctag: 'c2' });
  });
});

describe('CalDAV provider retries', () => {
  it('waits as long as Retry-After asks on 429, then succeeds', async () => {
    const { provider, waits } = providerWith([
      { status: 429, headers: { 'Retry-After': '7' } },
      multistatus('', 'tok-1'),
    ]);
    await provider.listChanges(cursorFor('tok-1'), CONTRACT_WINDOW);
    expect(waits).toEqual([7000]);
  });

  it('retries 5xx and connection errors with exponential backoff, then succeeds', async () => {
    const { provider, waits } = providerWith([
      { status: 503 },
      new TypeError('fetch failed'),
      { status: 502 },
      multistatus('', 'tok-1'),
    ]);
    await provider.listChanges(cursorFor('tok-1'), CONTRACT_WINDOW);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('gives up with SYNC_REMOTE_UNAVAILABLE carrying the last answer', async () => {
    const { provider } = providerWith(
      Array.from({ length: 4 }, () => ({ status: 503, body: 'down' })),
    );
    const error = await thrown(provider.get('/cal/work/a.ics'));
    expect(error.code).toBe('SYNC_REMOTE_UNAVAILABLE');
    expect(error.remote).toEqual({ href: '/cal/work/a.ics', status: 503, body: 'down' });
  });

  it('does not wait for a Retry-After beyond its bound', async () => {
    const { provider, waits } = providerWith([{ status: 503, headers: { 'Retry-After': '3600' } }]);
    const error = await thrown(provider.get('/cal/work/a.ics'));
    expect(error.code).toBe('SYNC_REMOTE_UNAVAILABLE');
    expect(waits).toEqual([]);
  });

  it.each([
    ['an address the guarded fetch refuses', 'SYNC_ADDRESS_REFUSED', { host: '10.0.0.1' }],
    ['an answer over its size limit', 'SYNC_REMOTE_PROTOCOL', { reason: 'too-large' }],
  ] as const)('fails at once, with its code, on %s', async (_, code, details) => {
    const refusal = new OrdoError(code, { details: { ...details } });
    const { provider, seen, waits } = providerWith([refusal, multistatus('', 'tok-1')]);
    expect(await thrown(provider.get('/cal/work/a.ics'))).toBe(refusal);
    expect(seen).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('says a server name does not exist, once retries end', async () => {
    const dns = (dnsCode: string, exists: boolean) =>
      new OrdoError('SYNC_REMOTE_UNAVAILABLE', {
        message: `The name cal.example does not resolve (${dnsCode})`,
        details: { host: 'cal.example', reason: 'dns', dnsCode, exists },
      });
    const missing = providerWith(Array.from({ length: 4 }, () => dns('ENOTFOUND', false)));
    const error = await thrown(missing.provider.get('/cal/work/a.ics'));
    expect(error).toMatchObject({
      code: 'SYNC_REMOTE_UNAVAILABLE',
      message: 'The name cal.example does not resolve (ENOTFOUND)',
      details: { dnsCode: 'ENOTFOUND', attempts: 4 },
    });

    const silent = providerWith([dns('EAI_AGAIN', true), { status: 404 }]);
    expect(await silent.provider.get('/cal/work/a.ics')).toBeNull();
    expect(silent.waits).toEqual([100]);
  });

  it('finds a refusal wrapped by the body read, and still retries other protocol errors', async () => {
    const refusal = new OrdoError('SYNC_ADDRESS_REFUSED', { details: { host: 'localhost' } });
    const wrapped = providerWith([new TypeError('terminated', { cause: refusal })]);
    expect(await thrown(wrapped.provider.get('/cal/work/a.ics'))).toBe(refusal);
    expect(wrapped.waits).toEqual([]);

    const other = new OrdoError('SYNC_REMOTE_PROTOCOL', { details: { reason: 'redirects' } });
    const retried = providerWith([other, { status: 404 }]);
    expect(await retried.provider.get('/cal/work/a.ics')).toBeNull();
    expect(retried.waits).toEqual([100]);
  });
});

describe('CalDAV provider writes', () => {
  it('creates with If-None-Match at the UID href and maps 412 to SYNC_REMOTE_EXISTS', async () => {
    const { provider, seen } = providerWith([{ status: 412 }]);
    const error = await thrown(provider.create(contractFields({ uid: 'x y@ordo' })));
    expect(error.code).toBe('SYNC_REMOTE_EXISTS');
    expect(error.details).toEqual({ ref: '/cal/work/x%20y%40ordo.ics' });
    expect(seen[0]).toMatchObject({ method: 'PUT', url: `${CALENDAR}x%20y%40ordo.ics` });
    expect(seen[0]?.headers['if-none-match']).toBe('*');
  });

  it('reads the ETag with a PROPFIND when the PUT answer has none', async () => {
    const { provider } = providerWith([
      { status: 201 },
      multistatus(member('/cal/work/u.ics', '<d:getetag>"e1"</d:getetag>')),
    ]);
    // Marked as read back: it serves If-Match, but is never taken for the ETag of our write.
    expect(await provider.create(contractFields({ uid: 'u' }))).toEqual({
      ref: '/cal/work/u.ics',
      etag: 'read-back "e1"',
    });
  });

  // An ETag read by PROPFIND after a PUT that gave none may be of another client's write
  // landing in between (or of what the server made of ours, RFC 4791 §5.3.4): the next
  // sync-collection answer naming the item with it must not be taken for our own write.
  it('reads back an item whose ETag came from a PROPFIND after our PUT', async () => {
    const { provider } = providerWith([
      stored('"e1"'),
      { status: 204 },
      // Another client's write landed between our PUT and the PROPFIND.
      multistatus(member('/cal/work/u.ics', '<d:getetag>"theirs"</d:getetag>')),
      multistatus(member('/cal/work/u.ics', '<d:getetag>"theirs"</d:getetag>'), 'tok-2'),
      multistatus(withData('/cal/work/u.ics', 'u', 'theirs')),
    ]);
    const written = await provider.update('/cal/work/u.ics', '"e1"', contractFields({ uid: 'u' }));
    // What the engine's push saves on the pair, and offers to the next run.
    const known = { etags: async () => new Map([['/cal/work/u.ics', written.etag ?? '']]) };
    const changes = await provider.listChanges(cursorFor('tok-1'), CONTRACT_WINDOW, known);
    expect(changes.changed.map((item) => item.ref)).toEqual(['/cal/work/u.ics']);
    // The read-back ETag still serves If-Match as the server gave it.
    expect(written.etag).not.toBe('"theirs"');
    const { provider: next, seen } = providerWith([
      stored('"theirs"'),
      { status: 204, headers: { ETag: '"e3"' } },
    ]);
    await next.update('/cal/work/u.ics', written.etag, contractFields({ uid: 'u' }));
    expect(seen[1]?.headers['if-match']).toBe('"theirs"');
  });

  it('updates with If-Match and maps 412 to SYNC_REMOTE_CHANGED', async () => {
    const { provider, seen } = providerWith([stored('"e1"'), { status: 412, body: 'changed' }]);
    const error = await thrown(provider.update('/cal/work/u.ics', '"e1"', contractFields()));
    expect(error.code).toBe('SYNC_REMOTE_CHANGED');
    expect(error.remote).toMatchObject({ href: '/cal/work/u.ics', status: 412 });
    expect(seen[1]?.headers['if-match']).toBe('"e1"');
  });

  it('keeps in an update what the object held besides the synchronized fields', async () => {
    const { provider, seen } = providerWith([
      stored('"e1"', [
        'LOCATION:Salle 2',
        'ATTENDEE;CN="Bob, Jr.":mailto:bob@example.org',
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        'TRIGGER:-PT10M',
        'DESCRIPTION:first',
        'END:VALARM',
        'BEGIN:VALARM',
        'ACTION:AUDIO',
        'TRIGGER:-PT1H',
        'END:VALARM',
      ]),
      { status: 204, headers: { ETag: '"e2"' } },
    ]);
    const reminder = { kind: 'before' as const, minutes: 30 };
    const fields = contractFields({ uid: 'u', label: 'After', reminder });
    await provider.update('/cal/work/u.ics', '"e1"', fields);
    const body = seen[1]?.body ?? '';
    expect(body).toContain('SUMMARY:After');
    expect(body).not.toContain('SUMMARY:Before');
    expect(body).toContain('LOCATION:Salle 2');
    expect(body).toContain('ATTENDEE;CN="Bob, Jr.":mailto:bob@example.org');
    // RFC 5545 §3.6.1: properties before alarms.
    expect(body.indexOf('LOCATION')).toBeLessThan(body.indexOf('BEGIN:VALARM'));
    // The display alarm was the reminder: Ordo's replaces it; the other alarm stays.
    expect(body).toContain('TRIGGER:-PT30M');
    expect(body).not.toContain('TRIGGER:-PT10M');
    expect(body).toContain('ACTION:AUDIO');
  });

  it('keeps nothing that would change what the item reads as (a recurrence rule)', async () => {
    const { provider, seen } = providerWith([
      stored('"e1"', ['RRULE:FREQ=WEEKLY', 'LOCATION:Salle 2']),
      { status: 204, headers: { ETag: '"e2"' } },
    ]);
    await provider.update('/cal/work/u.ics', '"e1"', contractFields({ uid: 'u' }));
    const body = seen[1]?.body ?? '';
    expect(body).not.toContain('RRULE');
    expect(body).toContain('SUMMARY:');
  });

  it('gives an update back to the engine when the object changed since it was read', async () => {
    const { provider, seen } = providerWith([stored('"e2"')]);
    const error = await thrown(provider.update('/cal/work/u.ics', '"e1"', contractFields()));
    expect(error.code).toBe('SYNC_REMOTE_CHANGED');
    expect(seen.map((request) => request.method)).toEqual(['GET']);
  });

  it.each([403, 405, 423])('maps %i on DELETE to SYNC_REMOTE_REJECTED', async (status) => {
    const { provider } = providerWith([{ status, body: 'not here' }]);
    const error = await thrown(provider.delete('/cal/work/u.ics', '"e1"'));
    expect(error.code).toBe('SYNC_REMOTE_REJECTED');
  });

  it('counts a 404 on delete as success', async () => {
    const { provider, seen } = providerWith([{ status: 404 }]);
    await provider.delete('/cal/work/u.ics', '"e1"');
    expect(seen[0]).toMatchObject({ method: 'DELETE', headers: { 'if-match': '"e1"' } });
  });

  it.each([400, 403, 405, 415, 422, 423])(
    'maps %i on PUT to SYNC_REMOTE_REJECTED',
    async (status) => {
      const { provider } = providerWith([stored('"e1"'), { status, body: 'bad data' }]);
      const error = await thrown(provider.update('/cal/work/u.ics', '"e1"', contractFields()));
      expect(error.code).toBe('SYNC_REMOTE_REJECTED');
      expect(error.remote).toEqual({ href: '/cal/work/u.ics', status, body: 'bad data' });
    },
  );

  it('maps 401 to SYNC_REMOTE_AUTH without retrying, and never shows the password', async () => {
    const { provider, seen } = providerWith([{ status: 401, body: 'who are you' }]);
    const error = await thrown(provider.get('/cal/work/u.ics'));
    expect(error.code).toBe('SYNC_REMOTE_AUTH');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.authorization).toMatch(/^Basic /);
    expect(JSON.stringify(error.toJSON())).not.toContain('secret-password');
  });
});
