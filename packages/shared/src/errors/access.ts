/** Who may grant what: a caller grants only roles and permissions they hold, and never to themselves. */
export const GRANT_ERROR_CODES = [
  'ROLE_NOT_GRANTABLE',
  'PERMISSION_NOT_GRANTABLE',
  'CANNOT_CHANGE_OWN_ROLES',
] as const;

/** Roles, host-app permissions and access rules (IP, country, time). */
export const ACCESS_ERROR_CODES = [
  'ROLE_NOT_FOUND',
  'ROLE_EXISTS',
  'ROLE_IN_USE',
  'ROLE_NOT_EDITABLE',
  'PERMISSION_UNKNOWN',
  'PERMISSION_RESERVED',
  'APP_PERMISSION_NOT_FOUND',
  'ACCESS_RULE_NOT_FOUND',
  'ACCESS_RULE_INVALID',
  'ACCESS_RULE_DENIED',
  'ACCESS_RULE_LOCKOUT',
  'OWNER_REQUIRED',
  'TIME_ZONE_INVALID',
] as const;
