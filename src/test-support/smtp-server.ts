import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the server received it. */
export interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  /** The exact bytes after DATA (dot-unstuffed), headers and body. */
  raw: Buffer;
  /** The user name the client logged in with, if any. */
  user: string | null;
}

/**
 * How the server answers. Each switch can be changed between sends:
 * - `greeting`: `421` closes every connection at once with "421 service not available";
 * - `rcpt`: `450` (mailbox busy, try later) or `550` (no such user) for every recipient;
 * - `data`: `451` or `554` after the message was transferred;
 * - `auth`: `reject` answers 535 to any login, `unsupported` offers no AUTH at all.
 */
export interface SmtpBehaviour {
  greeting: 'ok' | 421;
  rcpt: 'ok' | 450 | 550;
  data: 'ok' | 451 | 554;
  auth: 'accept' | 'reject' | 'unsupported';
}

export interface TestSmtpServer {
  host: string;
  port: number;
  messages: ReceivedMessage[];
  behaviour: SmtpBehaviour;
  /** The login and password the server accepts when `auth` is `accept`. */
  credentials: { user: string; password: string };
  /** Stops listening; connections are then refused, as with a server that is down. */
  stop(): Promise<void>;
}

const REPLIES = {
  421: 'Service not available, closing transmission channel',
  450: 'Requested mail action not taken: mailbox unavailable',
  451: 'Requested action aborted: local error in processing',
  535: 'Authentication credentials invalid',
  550: 'No such user here',
  554: 'Transaction failed: message refused',
} as const;

function smtpError(code: keyof typeof REPLIES): Error {
  return Object.assign(new Error(REPLIES[code]), { responseCode: code });
}

/** Starts a real SMTP server on 127.0.0.1 and a free port; plain TCP, login allowed without TLS. */
export async function startTestSmtpServer(
  behaviour: Partial<SmtpBehaviour> = {},
): Promise<TestSmtpServer> {
  const state: TestSmtpServer = {
    host: '127.0.0.1',
    port: 0,
    messages: [],
    behaviour: { greeting: 'ok', rcpt: 'ok', data: 'ok', auth: 'accept', ...behaviour },
    credentials: { user: 'ordo', password: 'secret-password' },
    stop: () => Promise.resolve(),
  };
  const server = createServer(state);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  state.port = (server.server.address() as AddressInfo).port;
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

function createServer(state: TestSmtpServer): SMTPServer {
  return new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onConnect(session, callback) {
      if (state.behaviour.auth === 'unsupported') session.disabledCommands = ['STARTTLS', 'AUTH'];
      callback(state.behaviour.greeting === 421 ? smtpError(421) : null);
    },
    onAuth(auth, _session, callback) {
      const { user, password } = state.credentials;
      if (
        state.behaviour.auth !== 'accept' ||
        auth.username !== user ||
        auth.password !== password
      ) {
        callback(smtpError(535));
        return;
      }
      callback(null, { user: auth.username });
    },
    onRcptTo(_address, _session, callback) {
      callback(state.behaviour.rcpt === 'ok' ? null : smtpError(state.behaviour.rcpt));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.behaviour.data !== 'ok') {
          callback(smtpError(state.behaviour.data));
          return;
        }
        state.messages.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks),
          user: typeof session.user === 'string' ? session.user : null,
        });
        callback(null);
      });
    },
  });
}
