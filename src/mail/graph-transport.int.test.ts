import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OrdoError } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { startGraphStandIn, type GraphStandIn } from '../sync/graph/graph-stand-in.js';
import { createGraphMailSender, isTemporary } from './graph-transport.js';
import { composeTaskMessage } from './task-message.js';
import { sampleIcs, sampleTaskMessage } from './test-helpers.js';

let standIn: GraphStandIn;

beforeAll(async () => {
  standIn = await startGraphStandIn();
});
afterAll(async () => {
  await standIn.close();
});

function sender(mailbox = 'planning@contoso.example') {
  const token = standIn.issueAccessToken();
  const waits: number[] = [];
  const graph = createGraphMailSender({
    baseUrl: standIn.graphUrl,
    getAccessToken: async () => token,
    mailbox,
    sleep: async (ms) => {
      waits.push(ms);
    },
    logger: silentLogger(),
  });
  return { graph, waits };
}

describe('Graph mail transport against the stand-in', () => {
  it('sends a task e-mail with its HTML body and the invitation as a text/calendar attachment', async () => {
    const ics = sampleIcs({ method: 'REQUEST', sequence: 0, summary: 'Réunion de chantier' });
    const message = composeTaskMessage(sampleTaskMessage({ icsText: ics }));
    const { graph } = sender();
    const result = await graph.send(message);
    expect(result.response).toBe('202 Accepted');
    expect(result.accepted).toEqual(message.to.map((to) => to.address));

    const sent = standIn.sentMail.at(-1)!;
    expect(sent.mailbox).toBe('planning@contoso.example');
    const body = sent.body['message'] as {
      subject: string;
      body: unknown;
      toRecipients: Array<{ emailAddress: { address: string } }>;
      attachments: Array<{ contentBytes: string }>;
    };
    expect(body.subject).toBe(message.subject);
    expect(body.body).toEqual({ contentType: 'HTML', content: message.html });
    expect(body.toRecipients[0]!.emailAddress.address).toBe(message.to[0]!.address);
    const invite = body.attachments[0]!;
    expect(invite).toMatchObject({
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'invite.ics',
      contentType: 'text/calendar; charset=utf-8; method=REQUEST',
    });
    expect(Buffer.from(invite.contentBytes, 'base64').toString('utf8')).toBe(ics);
  });

  it('classifies a refused recipient as permanent', async () => {
    const { graph } = sender();
    const error = await graph.send({ subject: 'x', text: 'y', to: [] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'MAIL_ADDRESS_INVALID', remote: { status: 400 } });
    expect(isTemporary(error)).toBe(false);
  });

  it('classifies lasting throttling as temporary, after honouring Retry-After once', async () => {
    const { graph, waits } = sender();
    standIn.throttle(2, 3);
    const error = await graph.send({ subject: 'x', text: 'y', to: 'zoe@example.org' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'GRAPH_UNAVAILABLE' });
    expect(isTemporary(error)).toBe(true);
    expect(waits).toEqual([3000]);
  });

  it('verifies by obtaining a token, and reports a lost consent', async () => {
    expect((await sender().graph.verify()).authenticated).toBe(true);
    const lost = createGraphMailSender({
      baseUrl: standIn.graphUrl,
      getAccessToken: async () => {
        throw new OrdoError('SYNC_RECONNECT');
      },
      logger: silentLogger(),
    });
    const error = await lost.verify().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'SYNC_RECONNECT' });
    expect(isTemporary(error)).toBe(false);
  });

  it('classifies a refused token as permanent', async () => {
    const graph = createGraphMailSender({
      baseUrl: standIn.graphUrl,
      getAccessToken: async () => 'not-a-token',
      logger: silentLogger(),
    });
    const error = await graph.send({ subject: 'x', text: 'y', to: 'zoe@example.org' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'GRAPH_AUTH' });
    expect(isTemporary(error)).toBe(false);
  });
});
