/**
 * The one list of Ordo's stable error codes. A code never changes meaning once released:
 * scripts and the web page match on it. Each has the HTTP status it answers with and a
 * message written for the person who will read it.
 */
export const ERRORS = {
  // Input and HTTP
  VALIDATION: { status: 400, message: 'The request is not valid' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'The change conflicts with the current state' },
  AUTH_REQUIRED: { status: 401, message: 'Log in first' },
  AUTH_INVALID: { status: 401, message: 'Wrong login or password' },
  TOKEN_INVALID: { status: 401, message: 'The API token is not valid' },
  FORBIDDEN: { status: 403, message: 'You do not have the right to do this' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  INTERNAL: { status: 500, message: 'Something went wrong on the server' },
  BODY_UNREADABLE: { status: 400, message: 'The request body cannot be read' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  MEDIA_TYPE_UNSUPPORTED: { status: 415, message: 'This content type is not accepted here' },
  CSRF_REQUIRED: {
    status: 403,
    message: 'A change made from a browser must carry the X-Ordo-CSRF header',
  },

  // Configuration and settings
  CONFIG_INVALID: { status: 400, message: 'The configuration is not valid' },
  SETTING_UNKNOWN: { status: 400, message: 'No such setting' },
  SETTING_INVALID: { status: 400, message: 'The value is not valid for this setting' },
  SECRET_KEY_MISSING: { status: 500, message: 'The key that encrypts secrets is missing' },
  SECRET_UNREADABLE: { status: 500, message: 'A stored secret cannot be decrypted with this key' },

  // Planning
  TASK_NOT_FOUND: { status: 404, message: 'No such task' },
  TASK_TIMING_INVALID: { status: 400, message: 'The task must end after it starts' },
  RESOURCE_NOT_FOUND: { status: 404, message: 'No such resource' },
  RESOURCE_EXISTS: { status: 409, message: 'A resource with this name already exists' },
  CLIENT_NOT_FOUND: { status: 404, message: 'No such client' },
  CLIENT_EXISTS: { status: 409, message: 'A client with this name already exists' },
  USER_NOT_FOUND: { status: 404, message: 'No such user' },
  USER_EXISTS: { status: 409, message: 'A user with this login already exists' },
  GROUP_NOT_FOUND: { status: 404, message: 'No such group' },
  DEPARTMENT_NOT_FOUND: { status: 404, message: 'No such department' },
  DEPARTMENT_EXISTS: { status: 409, message: 'A department with this name already exists' },
  PERIODIC_RULE_INVALID: { status: 400, message: 'The repetition rule is not valid' },
  PERIODIC_TASK_NOT_FOUND: { status: 404, message: 'No such periodic task' },
  UNAVAILABILITY_NOT_FOUND: { status: 404, message: 'No such unavailability' },

  // iCalendar
  ICS_UNREADABLE: { status: 400, message: 'The file is not an iCalendar file' },
  ICS_ITEM_INVALID: { status: 400, message: 'A calendar item cannot be read' },
  TIMEZONE_UNKNOWN: { status: 400, message: 'Unknown time zone' },
  FEED_NOT_FOUND: { status: 404, message: 'No such calendar feed' },

  // Synchronization
  SYNC_NOT_CONFIGURED: { status: 400, message: 'Calendar synchronization is not set up' },
  SYNC_ALREADY_RUNNING: { status: 409, message: 'A synchronization is already running' },
  SYNC_REMOTE_EXISTS: { status: 409, message: 'The calendar already holds this item' },
  SYNC_REMOTE_CHANGED: { status: 409, message: 'The item changed on the calendar meanwhile' },
  SYNC_REMOTE_REJECTED: { status: 502, message: 'The calendar server rejected the item' },
  SYNC_REMOTE_UNAVAILABLE: { status: 503, message: 'The calendar server is unavailable' },
  SYNC_REMOTE_AUTH: { status: 502, message: 'The calendar server refused the credentials' },
  SYNC_REMOTE_PROTOCOL: { status: 502, message: 'The calendar server answered unexpectedly' },
  SYNC_EMPTY_LISTING: {
    status: 502,
    message:
      'The calendar came back empty although it held items: nothing was deleted. If it was ' +
      'emptied on purpose, start over with it (Options → Calendar sync, or ' +
      "'ordo sync start-over LOGIN'): the planning's tasks are sent to it again",
  },
  SYNC_DUPLICATE_UID: { status: 502, message: 'The calendar holds several items with one UID' },
  SYNC_RECONNECT: { status: 401, message: 'The calendar account must be connected again' },
  SYNC_ADDRESS_REFUSED: {
    status: 400,
    message: 'Ordo does not fetch this address (link-local, multicast or not http)',
  },

  // Mail and SMS
  MAIL_NOT_CONFIGURED: { status: 400, message: 'E-mail sending is not set up' },
  MAIL_NO_RECIPIENT: { status: 400, message: 'Nobody to send to: no e-mail address on the card' },
  MAIL_ADDRESS_INVALID: { status: 400, message: 'The e-mail address is not valid' },
  MAIL_SMTP_CONNECT: { status: 502, message: 'The mail server cannot be reached' },
  MAIL_SMTP_AUTH: { status: 502, message: 'The mail server refused the login' },
  MAIL_SMTP_REJECTED: { status: 502, message: 'The mail server refused the message' },
  MAIL_SMTP_TEMPORARY: { status: 503, message: 'The mail server asked to try again later' },
  SMS_NOT_CONFIGURED: { status: 400, message: 'SMS sending is not set up' },
  SMS_NO_MOBILE: { status: 400, message: 'No mobile number on the card' },
  SMS_MOBILE_INVALID: { status: 400, message: 'The mobile number is not valid' },
  SMS_PROVIDER_REJECTED: { status: 502, message: 'The SMS provider refused the message' },
  SMS_PROVIDER_TEMPORARY: { status: 503, message: 'The SMS provider asked to try again later' },
  SMS_PROVIDER_AUTH: { status: 502, message: 'The SMS provider refused the credentials' },
  OUTBOX_MESSAGE_NOT_FOUND: { status: 404, message: 'No such message' },

  // Reminders
  REMINDER_NOT_FOUND: { status: 404, message: 'No such reminder' },
  REMINDER_NOT_DUE: { status: 409, message: 'The reminder is not due yet' },
  REMINDER_BY_DATE_OFF: {
    status: 400,
    message: 'Reminders at a date are turned off (Options → Task): choose a delay before the start',
  },

  // Microsoft 365
  GRAPH_NOT_CONFIGURED: { status: 400, message: 'Microsoft 365 is not set up' },
  GRAPH_AUTH: { status: 401, message: 'Microsoft 365 refused the credentials' },
  GRAPH_THROTTLED: { status: 503, message: 'Microsoft 365 asked to slow down' },
  GRAPH_MAIL_REJECTED: { status: 502, message: 'Microsoft 365 refused the message' },
  GRAPH_UNAVAILABLE: { status: 503, message: 'Microsoft 365 cannot be reached just now' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface OrdoErrorOptions {
  /** Overrides the code's standard message with one that names the specific problem. */
  message?: string;
  /** Machine-readable details: the field that is wrong, the UID of a bad item, ... */
  details?: Record<string, unknown>;
  /** What the remote side answered: SMTP reply, DAV href and status, Graph error code. */
  remote?: Record<string, unknown>;
  cause?: unknown;
}

export class OrdoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly remote: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: OrdoErrorOptions = {}) {
    super(options.message ?? ERRORS[code].message, { cause: options.cause });
    this.name = 'OrdoError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options.details;
    this.remote = options.remote;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
      ...(this.remote ? { remote: this.remote } : {}),
    };
  }
}

export function isOrdoError(error: unknown, code?: ErrorCode): error is OrdoError {
  return error instanceof OrdoError && (code === undefined || error.code === code);
}
