import type { ErrorCode } from '@custos/sdk';
import { MIN_PASSWORD_LENGTH } from '@custos/shared';
import type { CodeFields } from '../app/errors';

/** The rule the server enforces (NIST SP 800-63B), said once for every password field that sets one. */
export const PASSWORD_RULE = `At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong passphrase; common passwords are refused.`;
export const PASSWORD_MIN_LENGTH = MIN_PASSWORD_LENGTH;

/** Error codes about a new password, placed beside the password field. */
export const PASSWORD_CODES = [
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'PASSWORD_TOO_COMMON',
] as const satisfies readonly ErrorCode[];

export function passwordCodeFields(field: string): CodeFields {
  return Object.fromEntries(PASSWORD_CODES.map((code) => [code, field]));
}
