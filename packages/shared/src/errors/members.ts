export const MEMBER_ERROR_CODES = ['MEMBER_NOT_FOUND', 'MEMBER_ALREADY_EXISTS'] as const;

/** An organization always keeps an owner: the last one can be neither removed nor demoted. */
export const LAST_OWNER_ERROR_CODES = ['LAST_OWNER'] as const;

/**
 * An admin's reset of a member's second factors: never one's own, and never an account that other
 * organizations (or the platform) rely on, which only a platform admin may weaken.
 */
export const MEMBER_SECURITY_ERROR_CODES = [
  'CANNOT_RESET_OWN_MFA',
  'MFA_RESET_NEEDS_PLATFORM_ADMIN',
] as const;
