/**
 * The outbox's tables. `outbox` holds every task e-mail and SMS from the moment the action
 * that caused it commits until it is sent or given up: the composed bytes are stored, so a
 * retry sends the very same message (same Message-ID). `mail_invitations` remembers who was
 * invited to each task and at which SEQUENCE, so a moved task updates the same people and a
 * deleted one cancels for them.
 */
export type OutboxKind = 'smtp' | 'sms-http';
export type OutboxPurpose = 'task' | 'update' | 'cancel' | 'sms';
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface OutboxTable {
  id: string;
  /** `smtp`: `payload` is the raw RFC 5322 message; `sms-http`: JSON `{ to, text }`. */
  kind: OutboxKind;
  purpose: OutboxPurpose;
  task_id: string | null;
  /** Resource 1 of the task when queued: its user sees the message in the log. */
  resource_id: string | null;
  requested_by: string | null;
  /** JSON array of the addresses or numbers it goes to, for people (`to` and `cc`). */
  recipients: string;
  /** JSON `{ from, to[] }`: the SMTP envelope (smtp kind only). */
  envelope: string | null;
  subject: string;
  payload: string;
  message_id: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  /** While `sending`: when the claim runs out and another worker may take the message. */
  lease_until: number | null;
  /** Set by each claim: only the worker holding it may record the outcome. */
  claim_token: string | null;
  last_response: string | null;
  last_error_code: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

export interface InvitationRecipient {
  name: string;
  address: string;
  language: 'fr' | 'en';
  /** A copy (mail.cc): on the message's Cc line, not an attendee. */
  cc?: boolean;
}

export interface MailInvitationsTable {
  task_id: string;
  uid: string;
  /** JSON array of InvitationRecipient. */
  recipients: string;
  sequence: number;
  updated_at: number;
}

declare module '../store/schema.js' {
  interface OrdoTables {
    outbox: OutboxTable;
    mail_invitations: MailInvitationsTable;
  }
}
