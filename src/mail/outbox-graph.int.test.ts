/**
 * The outbox with Microsoft 365 as the transport, end to end: settings, the application token
 * (client credentials, through MSAL against the identity stand-in), Graph's MIME sendMail, and
 * what the message log and the settings API show.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../http/server.js';
import { SYSTEM } from '../planning/actor.js';
import { createFetchNetworkClient } from '../sync/graph/auth.js';
import { startGraphStandIn, type GraphStandIn } from '../sync/graph/graph-stand-in.js';
import { createMailFixture, invitationOf, parse, type MailFixture } from './outbox-fixture.js';

/** MSAL refuses http authorities: it is told this one, and its requests go to the stand-in. */
const LOGIN = 'https://login.ordo.test';
const CLIENT_ID = '6731de76-14a6-49ae-97bc-6eba6914391e';
const SECRET = 'qW8~stand-in-secret-value-never-shown';
const MAILBOX = 'planning@contoso.example';

let f: MailFixture;
let graph: GraphStandIn;
let logLines: string[];

beforeEach(async () => {
  f = await createMailFixture('sqlite');
  graph = await startGraphStandIn({ loginOrigin: LOGIN });
  graph.registerApp(CLIENT_ID, SECRET);
  f.mail.graphNetwork = {
    baseUrl: graph.graphUrl,
    networkClient: createFetchNetworkClient({ mapUrl: (url) => url.replace(LOGIN, graph.url) }),
  };
  await f.ordo.settings.set('mail.transport', 'graph');
  await f.ordo.settings.set('graph.clientId', CLIENT_ID);
  await f.ordo.settings.set('graph.clientSecret', SECRET);
  await f.ordo.settings.set('graph.tenant', 'contoso.example');
  await f.ordo.settings.set('graph.authorityHost', LOGIN);
  await f.ordo.settings.set('graph.mailbox', MAILBOX);
  await f.ordo.settings.set('mail.from.address', MAILBOX);
  logLines = [];
});

afterEach(async () => {
  await f.close();
  await graph.close();
});

/** A worker whose every log line, at every level, is kept for the test to read. */
function loggedWorker() {
  const logger = pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) });
  return f.mail.createWorker({ concurrency: 2, logger });
}

async function mailTask() {
  const task = await f.addTask();
  const result = await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id });
  return { task, result };
}

describe('the outbox through Microsoft 365', () => {
  it('delivers a task e-mail: recipients, subject and the invitation as queued', async () => {
    await f.ordo.settings.set('mail.recipients', 'both');
    await f.ordo.settings.set('mail.cc', 'bureau@ordo.example');
    const { task, result } = await mailTask();
    const worker = loggedWorker();

    expect(await worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(graph.sentMail).toHaveLength(1);
    const sent = graph.sentMail[0]!;
    expect(sent.mailbox).toBe(MAILBOX);
    const queued = (await f.mail.outbox.get(result.messages[0]!.id)).payload;
    // The stored bytes went out as they are: same Message-ID, same invitation.
    expect(sent.mime).toBe(queued);
    const raw = Buffer.from(sent.mime!, 'utf8');
    const parsed = await parse(raw);
    const addresses = (field: typeof parsed.to) =>
      (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) =>
        a.value.map((v) => v.address),
      );
    expect(addresses(parsed.to)).toEqual(['zoe@example.org', 'contact@dupont.example']);
    expect(addresses(parsed.cc)).toEqual(['bureau@ordo.example']);
    expect(parsed.subject).toBe(result.messages[0]!.subject);
    expect(parsed.messageId).toBe(result.messages[0]!.messageId);

    const invitation = await invitationOf(raw);
    expect(invitation.contentType).toMatch(/method=REQUEST/);
    const stored = await invitationOf(Buffer.from(queued, 'latin1'));
    expect(invitation.text).toBe(stored.text);
    expect(invitation.text).toContain('METHOD:REQUEST');
    expect(invitation.text).toContain(`UID:${task.uid}`);

    const [entry] = await f.mail.outbox.list();
    expect(entry).toMatchObject({ status: 'sent', attempts: 1, lastResponse: '202 Accepted' });

    // A second message reuses the token MSAL cached: one grant for both.
    await mailTask();
    expect(await worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(graph.stats.tokenGrants['client_credentials']).toBe(1);
    expect(logLines.join('\n')).not.toContain(SECRET);
    await worker.stop();
  });

  it('429 with Retry-After, then success: delivered once', async () => {
    await mailTask();
    graph.throttle(1, 1);
    const worker = loggedWorker();
    const started = Date.now();

    expect(await worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(graph.stats.byRoute['sendMail']).toBe(1);
    expect(graph.sentMail).toHaveLength(1);
    expect(logLines.some((line) => line.includes('graph request retried'))).toBe(true);
    const [entry] = await f.mail.outbox.list();
    expect(entry).toMatchObject({ status: 'sent', attempts: 1 });
    await worker.stop();
  });

  it('400 ErrorInvalidRecipients: failed at once, with Graph words in the log', async () => {
    await mailTask();
    graph.failSendMail({
      status: 400,
      code: 'ErrorInvalidRecipients',
      message: 'At least one recipient is not valid.',
    });
    const worker = loggedWorker();

    expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const [entry] = await f.mail.outbox.list();
    expect(entry).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastErrorCode: 'MAIL_ADDRESS_INVALID',
      lastResponse: '400 ErrorInvalidRecipients: At least one recipient is not valid.',
    });
    expect(graph.sentMail).toHaveLength(0);
    await worker.stop();
  });

  it('a wrong client secret: failed as GRAPH_AUTH with the identity platform answer', async () => {
    await f.ordo.settings.set('graph.clientSecret', 'not-the-secret');
    await mailTask();
    const worker = loggedWorker();

    expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const [entry] = await f.mail.outbox.list();
    expect(entry?.status).toBe('failed');
    expect(entry?.lastErrorCode).toBe('GRAPH_AUTH');
    expect(entry?.lastResponse).toMatch(/AADSTS7000215: Invalid client secret provided/);
    expect(graph.stats.byRoute['sendMail']).toBeUndefined();

    // Fixed, then sent again from the log: it goes.
    await f.ordo.settings.set('graph.clientSecret', SECRET);
    await f.mail.outbox.resend(entry!.id);
    expect(await worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const log = logLines.join('\n');
    expect(log).not.toContain('not-the-secret');
    expect(log).not.toContain(SECRET);
    await worker.stop();
  });

  it('the identity platform unreachable: the message waits and is tried again', async () => {
    await mailTask();
    const closed = http.createServer();
    await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    f.mail.graphNetwork = {
      ...f.mail.graphNetwork,
      networkClient: createFetchNetworkClient({
        mapUrl: (url) => url.replace(LOGIN, `http://127.0.0.1:${port}`),
      }),
    };
    const worker = loggedWorker();

    expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    const [entry] = await f.mail.outbox.list();
    expect(entry).toMatchObject({ status: 'queued', lastErrorCode: 'GRAPH_UNAVAILABLE' });
    await worker.stop();
  });

  it('missing settings: MAIL_NOT_CONFIGURED at the click, naming them; nothing queued', async () => {
    await f.ordo.settings.set('graph.clientSecret', '');
    await f.ordo.settings.set('graph.mailbox', '');
    const task = await f.addTask();
    const error = await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id }).then(
      () => null,
      (e: unknown) => e as { code: string; message: string; details: unknown },
    );
    expect(error).toMatchObject({
      code: 'MAIL_NOT_CONFIGURED',
      details: { field: 'graph.clientSecret', fields: ['graph.clientSecret', 'graph.mailbox'] },
    });
    expect(error?.message).toMatch(/client secret, the sending mailbox/);

    await f.ordo.settings.set('graph.clientSecret', SECRET);
    await f.ordo.settings.set('graph.mailbox', MAILBOX);
    await f.ordo.settings.set('graph.tenant', 'common');
    const tenant = await f.mail.messaging.mailTask({ actor: SYSTEM, taskId: task.id }).then(
      () => null,
      (e: unknown) => e as { code: string; details: unknown },
    );
    expect(tenant).toMatchObject({
      code: 'MAIL_NOT_CONFIGURED',
      details: { field: 'graph.tenant' },
    });
    expect(await f.mail.outbox.list()).toEqual([]);
  });
});

describe('Microsoft 365 through the messaging API', () => {
  let app: FastifyInstance;
  let cookie: string;

  beforeEach(async () => {
    await f.ordo.users.create({ login: 'admin', password: 'admin-password-1', isAdmin: true });
    app = await buildServer(f.ordo, { webRoot: null });
    const res = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: 'admin', password: 'admin-password-1' },
    });
    cookie = `ordo_session=${res.cookies.find((c) => c.name === 'ordo_session')!.value}`;
  });
  afterEach(async () => {
    await app.close();
  });

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, body?: object) =>
    app.inject({
      method,
      url,
      headers: { cookie, 'x-ordo-csrf': '1' },
      ...(body ? { payload: body } : {}),
    });

  it('the test e-mail goes through Graph and reports its answer', async () => {
    const ok = await api('POST', '/api/messages/test', { to: 'me@ordo.example' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      to: 'me@ordo.example',
      transport: 'graph',
      response: '202 Accepted',
    });
    const message = graph.sentMail.at(-1)!.body['message'] as {
      subject: string;
      toRecipients: Array<{ emailAddress: { address: string } }>;
    };
    expect(message.toRecipients).toEqual([{ emailAddress: { address: 'me@ordo.example' } }]);
    expect(message.subject).toMatch(/test/);

    graph.failSendMail({
      status: 403,
      code: 'ErrorSendAsDenied',
      message:
        'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.',
    });
    const refused = await api('POST', '/api/messages/test', { to: 'me@ordo.example' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('GRAPH_AUTH');
    expect(refused.json().error.message).toMatch(/403 ErrorSendAsDenied: The user account/);

    await f.ordo.settings.set('graph.clientSecret', 'not-the-secret');
    const badSecret = await api('POST', '/api/messages/test', { to: 'me@ordo.example' });
    expect(badSecret.json().error.code).toBe('GRAPH_AUTH');
    expect(badSecret.json().error.message).toMatch(/AADSTS7000215/);
    expect(badSecret.body).not.toContain('not-the-secret');
  });

  it('the settings API shows the Graph settings, and never the secret', async () => {
    const res = await api('GET', '/api/messages/settings');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(SECRET);
    const views = res.json().settings as Array<{ key: string; value: unknown; isSet?: boolean }>;
    expect(views.find((s) => s.key === 'graph.clientSecret')).toMatchObject({
      value: null,
      secret: true,
      isSet: true,
    });
    expect(views.find((s) => s.key === 'graph.mailbox')?.value).toBe(MAILBOX);

    const changed = await api('PUT', '/api/messages/settings', {
      'graph.clientSecret': 'a-new-secret-value',
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).not.toContain('a-new-secret-value');
    const log = await api('GET', '/api/messages');
    expect(log.body).not.toContain('a-new-secret-value');
  });
});
