import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { OrdoError } from '../shared/errors.js';

/**
 * A phone operator's e-mail-to-SMS gateway: mail to `<number>@<domain>` arrives as an SMS.
 * `numberFormat` says how the number is written in the local part: `national` digits
 * (`5551234567` in the US, `0612345678` in France) or `international` digits without `+`.
 */
export interface Operator {
  id: string;
  name: string;
  domain: string;
  numberFormat: 'national' | 'international';
}

export const operatorSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
  domain: z
    .string()
    .toLowerCase()
    .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain name'),
  numberFormat: z.enum(['national', 'international']),
});

/**
 * Starting data for the operator list, which the administrator edits. Carriers are closing these
 * gateways (T-Mobile US in 2024, AT&T in 2025; Verizon announced for 2027), so entries go
 * stale: the list is data, never logic, and the SMS provider route exists beside it.
 */
export const DEFAULT_OPERATORS: readonly Operator[] = [
  { id: 'verizon-us', name: 'Verizon (US)', domain: 'vtext.com', numberFormat: 'national' },
  {
    id: 'google-fi-us',
    name: 'Google Fi (US)',
    domain: 'msg.fi.google.com',
    numberFormat: 'national',
  },
  { id: 'bell-ca', name: 'Bell (Canada)', domain: 'txt.bell.ca', numberFormat: 'national' },
  { id: 'telus-ca', name: 'Telus (Canada)', domain: 'msg.telus.com', numberFormat: 'national' },
  { id: 'rogers-ca', name: 'Rogers (Canada)', domain: 'pcs.rogers.com', numberFormat: 'national' },
];

/**
 * The digits-only local part for a mobile in E.164 (`+15551234567`). National digits keep the
 * trunk prefix the country dials (`0` in France), as a caller in that country would type them.
 */
export function gatewayLocalPart(mobile: string, numberFormat: Operator['numberFormat']): string {
  const phone = parsePhoneNumberFromString(mobile);
  if (!mobile.startsWith('+') || !phone || !phone.isValid()) {
    throw new OrdoError('SMS_MOBILE_INVALID', { details: { mobile } });
  }
  const digits =
    numberFormat === 'national' ? phone.formatNational() : phone.number.toString().slice(1);
  return digits.replace(/\D/g, '');
}
