import crypto from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { domainOf } from './addresses.js';

/**
 * A Message-ID under the sender's domain (RFC 5322 3.6.4): unique, and the same on every
 * attempt because the message is stored composed.
 */
export function newMessageId(fromAddress: string): string {
  return `<${crypto.randomUUID()}@${domainOf(fromAddress) ?? 'ordo.invalid'}>`;
}

/** The message's bytes, as the outbox stores and sends them. */
export async function buildRawMessage(
  message: SendMailOptions,
  options: { messageId: string; date: number },
): Promise<Buffer> {
  const composer = new MailComposer({
    ...message,
    messageId: options.messageId,
    date: new Date(options.date),
  });
  return composer.compile().build();
}

/** The stored form: latin1 maps each byte to one character, so any bytes come back exact. */
export function rawToText(raw: Buffer): string {
  return raw.toString('latin1');
}

export function textToRaw(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}
