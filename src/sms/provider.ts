/**
 * The HTTP route for SMS: a provider's API, beside the operator gateways that carriers are
 * closing. An adapter throws OrdoError `SMS_PROVIDER_TEMPORARY` when sending again later may
 * work (rate limit, provider down, network), `SMS_PROVIDER_REJECTED` or `SMS_PROVIDER_AUTH`
 * when it will not; `isTemporary` from mail/smtp-transport tells them apart for the outbox.
 */
export interface SmsProvider {
  /** `to` in E.164; `text` as it should arrive. */
  send(message: { to: string; text: string }): Promise<{ providerMessageId: string }>;
}
