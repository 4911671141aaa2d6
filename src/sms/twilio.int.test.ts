import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTemporary } from '../mail/smtp-transport.js';
import { OrdoError } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { startTwilioStandIn, type TwilioStandIn } from './twilio-stand-in.js';
import { createTwilioProvider, type TwilioProviderOptions } from './twilio.js';

let twilio: TwilioStandIn;

beforeEach(async () => {
  twilio = await startTwilioStandIn();
});

afterEach(async () => {
  await twilio.stop();
});

function provider(overrides: Partial<TwilioProviderOptions> = {}) {
  return createTwilioProvider({
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    from: '+15005550006',
    baseUrl: twilio.baseUrl,
    timeoutMs: 2_000,
    logger: silentLogger(),
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<OrdoError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrdoError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('Twilio provider against the stand-in', () => {
  it('sends and returns the message sid', async () => {
    const result = await provider().send({ to: '+33612345678', text: 'Réunion 08:15 ✓' });
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(twilio.messages).toEqual([
      { To: '+33612345678', Body: 'Réunion 08:15 ✓', From: '+15005550006' },
    ]);
  });

  it('sends through a messaging service instead of a number', async () => {
    await provider({ from: undefined, messagingServiceSid: 'MG0123' }).send({
      to: '+12015550123',
      text: 'x',
    });
    expect(twilio.messages[0]).toEqual({
      To: '+12015550123',
      Body: 'x',
      MessagingServiceSid: 'MG0123',
    });
  });

  it('a wrong token is a permanent auth error carrying Twilio code 20003', async () => {
    const error = await rejection(
      provider({ authToken: 'wrong' }).send({ to: '+12015550123', text: 'x' }),
    );
    expect(error.code).toBe('SMS_PROVIDER_AUTH');
    expect(error.remote).toMatchObject({ status: 401, code: 20003, message: 'Authenticate' });
    expect(isTemporary(error)).toBe(false);
    expect(JSON.stringify(error.toJSON())).not.toContain(twilio.authToken);
  });

  it('21211 (invalid To) is permanent, with Twilio’s message and link', async () => {
    twilio.failNext.push({
      status: 400,
      code: 21211,
      message: "The 'To' number +15551234567 is not a valid phone number.",
    });
    const error = await rejection(provider().send({ to: '+15551234567', text: 'x' }));
    expect(error.code).toBe('SMS_PROVIDER_REJECTED');
    expect(error.remote).toMatchObject({
      status: 400,
      code: 21211,
      moreInfo: 'https://www.twilio.com/docs/errors/21211',
    });
    expect(isTemporary(error)).toBe(false);
  });

  it('an empty body is refused by Twilio (21602) and is permanent', async () => {
    const error = await rejection(provider().send({ to: '+12015550123', text: '' }));
    expect(error.code).toBe('SMS_PROVIDER_REJECTED');
    expect(error.remote).toMatchObject({ code: 21602 });
  });

  it('429 and 5xx are temporary; Retry-After is kept', async () => {
    twilio.failNext.push(
      { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '5' },
      { status: 503, code: 20503, message: 'Service unavailable' },
    );
    const limited = await rejection(provider().send({ to: '+12015550123', text: 'x' }));
    expect(limited.code).toBe('SMS_PROVIDER_TEMPORARY');
    expect(limited.remote).toMatchObject({ status: 429, code: 20429, retryAfter: '5' });
    expect(isTemporary(limited)).toBe(true);

    const down = await rejection(provider().send({ to: '+12015550123', text: 'x' }));
    expect(down.code).toBe('SMS_PROVIDER_TEMPORARY');
    expect(isTemporary(down)).toBe(true);
  });

  it('a provider that cannot be reached is temporary', async () => {
    await twilio.stop();
    const error = await rejection(provider().send({ to: '+12015550123', text: 'x' }));
    expect(error.code).toBe('SMS_PROVIDER_TEMPORARY');
    expect(isTemporary(error)).toBe(true);
    twilio = await startTwilioStandIn();
  });

  it('refuses a number that is not E.164 before calling Twilio', async () => {
    const error = await rejection(provider().send({ to: '0612345678', text: 'x' }));
    expect(error.code).toBe('SMS_MOBILE_INVALID');
    expect(twilio.messages).toEqual([]);
  });

  it('the stand-in itself checks To the way Twilio documents it (21211, 21604)', async () => {
    const post = (form: Record<string, string>) =>
      fetch(`${twilio.baseUrl}/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(form).toString(),
      });
    const invalid = await post({ To: '555-1234', From: '+15005550006', Body: 'x' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      code: 21211,
      message: "The 'To' number 555-1234 is not a valid phone number.",
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
    const missing = await post({ From: '+15005550006', Body: 'x' });
    expect(await missing.json()).toMatchObject({ code: 21604, status: 400 });
  });

  it('refuses to start without a sender', () => {
    expect(() => provider({ from: undefined })).toThrow(/sender number/);
  });
});
