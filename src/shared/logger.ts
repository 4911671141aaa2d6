import pino, { type Logger } from 'pino';

export type { Logger };

/** Field paths whose values never reach a log line. */
const REDACTED = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(options: { level: string; pretty?: boolean }): Logger {
  return pino({ level: options.level, redact: { paths: REDACTED, censor: '[redacted]' } });
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
