import MailComposer from 'nodemailer/lib/mail-composer';
import { isValidAddress, type MailAddress } from '../mail/addresses.js';
import { OrdoError } from '../shared/errors.js';
import { gsm7Length, toGatewayText, truncateGsm, wrapLines } from './gsm-text.js';
import { gatewayLocalPart, type Operator } from './operators.js';

/** One SMS, in GSM 03.38 septets. */
export const SMS_MAX_LENGTH = 160;
/** RFC 2045 6.7 (5): quoted-printable lines are at most 76 characters; stay within them. */
export const GATEWAY_LINE_WIDTH = 76;
const SUBJECT_MAX_LENGTH = 20;

export interface ComposeGatewaySmsOptions {
  /** E.164, `+15551234567`. */
  mobile: string;
  operator: Pick<Operator, 'domain' | 'numberFormat'>;
  text: string;
  from: MailAddress;
  /** Most gateways put the subject in front of the text; empty (no Subject) by default. */
  subject?: string;
}

export interface GatewaySms {
  /** For SmtpSender.send: the message bytes and the envelope they travel with. */
  message: { envelope: { from: string; to: string[] }; raw: Buffer };
  /** The gateway address, `5551234567@vtext.com`. */
  to: string;
  /** The text as it goes out: ASCII, wrapped. */
  text: string;
  /** Septets of subject and text together, at most 160. */
  gsmLength: number;
  truncated: boolean;
}

/**
 * Writes an e-mail for an operator's SMS gateway: one `text/plain; charset=us-ascii` part in
 * 7bit, no HTML, no attachment; text and subject together within one SMS.
 *
 * nodemailer picks quoted-printable for any line over 76 characters, even when told 7bit, and a
 * soft line break (`=` + CRLF) is exactly what gateways show as garbage or cut a link at. Lines
 * are wrapped at 76; a longer URL stays whole on its own line, so the message is built with
 * that line held back and put in afterwards: 7bit allows 998 octets per line (RFC 5322 2.1.1).
 */
export async function composeGatewaySms(options: ComposeGatewaySmsOptions): Promise<GatewaySms> {
  const to = `${gatewayLocalPart(options.mobile, options.operator.numberFormat)}@${options.operator.domain}`;
  if (!isValidAddress(to) || !isValidAddress(options.from.address)) {
    throw new OrdoError('MAIL_ADDRESS_INVALID', { details: { to, from: options.from.address } });
  }
  const subject = toGatewayText(options.subject ?? '')
    .replace(/\n/g, ' ')
    .slice(0, SUBJECT_MAX_LENGTH)
    .trim();
  // Gateways join subject and text with a space or a line break: count one septet for it.
  const budget = SMS_MAX_LENGTH - (subject === '' ? 0 : gsm7Length(subject) + 1);
  const { text, truncated } = fitText(toGatewayText(options.text), budget);
  if (text === '') throw new OrdoError('VALIDATION', { message: 'The SMS text is empty' });

  const raw = await buildRaw({ from: options.from, to, subject, text });
  return {
    message: { envelope: { from: options.from.address, to: [to] }, raw },
    to,
    text,
    gsmLength: gsm7Length(text) + (subject === '' ? 0 : gsm7Length(subject) + 1),
    truncated,
  };
}

/** Wrapping can add line breaks (a long word cut), so shorten until the wrapped text fits. */
function fitText(text: string, budget: number): { text: string; truncated: boolean } {
  for (let limit = budget; limit > 0; limit -= 1) {
    const cut = truncateGsm(text, limit);
    const wrapped = wrapLines(cut.text, GATEWAY_LINE_WIDTH);
    if (gsm7Length(wrapped) <= budget) return { text: wrapped, truncated: cut.truncated };
  }
  return { text: '', truncated: true };
}

async function buildRaw(input: {
  from: MailAddress;
  to: string;
  subject: string;
  text: string;
}): Promise<Buffer> {
  const held = new Map<string, string>();
  const body = input.text
    .split('\n')
    .map((line) => {
      if (line.length <= GATEWAY_LINE_WIDTH) return line;
      const token = placeholder(held.size, input.text);
      held.set(token, line);
      return token;
    })
    .join('\n');

  const composer = new MailComposer({
    from: { name: toGatewayText(input.from.name).replace(/\n/g, ' '), address: input.from.address },
    to: input.to,
    ...(input.subject === '' ? {} : { subject: input.subject }),
    // Not `text`: nodemailer labels that part utf-8 whatever it holds.
    alternatives: [{ contentType: 'text/plain; charset=us-ascii', content: `${body}\n` }],
    newline: '\r\n',
  });
  let raw = (await composer.compile().build()).toString('ascii');
  for (const [token, line] of held) raw = raw.replace(token, line);
  return Buffer.from(raw, 'ascii');
}

function placeholder(index: number, text: string): string {
  let token = `ordo-held-line-${index}`;
  while (text.includes(token)) token += 'x';
  return token;
}
