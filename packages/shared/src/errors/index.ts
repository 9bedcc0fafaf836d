import { ACCESS_ERROR_CODES, GRANT_ERROR_CODES } from './access';
import { ALERT_ERROR_CODES } from './alerts';
import { API_KEY_ERROR_CODES } from './apikeys';
import { AUDIT_ERROR_CODES } from './audit';
import { PASSWORD_ERROR_CODES, PASSWORD_RESET_ERROR_CODES } from './auth';
import { REQUEST_ERROR_CODES, SUPER_ADMIN_ERROR_CODES } from './common';
import { IMPERSONATION_ERROR_CODES } from './impersonation';
import { INVITATION_ERROR_CODES } from './invitations';
import { LAST_OWNER_ERROR_CODES, MEMBER_ERROR_CODES, MEMBER_SECURITY_ERROR_CODES } from './members';
import { MFA_ERROR_CODES } from './mfa';
import { ORGANIZATION_ERROR_CODES } from './organizations';
import { PRIVACY_ERROR_CODES } from './privacy';
import { SESSION_ERROR_CODES } from './sessions';
import { SETUP_ERROR_CODES } from './setup';
import { GUARD_ERROR_CODES, THREAT_ERROR_CODES } from './threats';
import { EMAIL_ERROR_CODES, USER_ERROR_CODES } from './users';

/**
 * Stable error codes shared by the server, the SDK and the console. Each module declares its own
 * beside it (`errors/<module>.ts`); the list keeps the order the codes were introduced in, which is
 * why some modules contribute more than one group.
 */
export const ERROR_CODES = [
  ...REQUEST_ERROR_CODES,
  ...SETUP_ERROR_CODES,
  ...PASSWORD_ERROR_CODES,
  ...ORGANIZATION_ERROR_CODES,
  ...MEMBER_ERROR_CODES,
  ...INVITATION_ERROR_CODES,
  ...API_KEY_ERROR_CODES,
  ...GRANT_ERROR_CODES,
  ...LAST_OWNER_ERROR_CODES,
  ...EMAIL_ERROR_CODES,
  ...SUPER_ADMIN_ERROR_CODES,
  ...AUDIT_ERROR_CODES,
  ...MFA_ERROR_CODES,
  ...SESSION_ERROR_CODES,
  ...PASSWORD_RESET_ERROR_CODES,
  ...USER_ERROR_CODES,
  ...IMPERSONATION_ERROR_CODES,
  ...ACCESS_ERROR_CODES,
  ...THREAT_ERROR_CODES,
  ...ALERT_ERROR_CODES,
  ...GUARD_ERROR_CODES,
  ...MEMBER_SECURITY_ERROR_CODES,
  ...PRIVACY_ERROR_CODES,
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  error: { code: ErrorCode | string; message: string; details?: unknown };
}
