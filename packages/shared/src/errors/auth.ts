/** Passwords: the strength rules (set, change, reset) and a wrong current password (change, step-up). */
export const PASSWORD_ERROR_CODES = [
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'PASSWORD_TOO_COMMON',
  'PASSWORD_INCORRECT',
] as const;

/** A password-reset link that is unknown, used or expired. */
export const PASSWORD_RESET_ERROR_CODES = ['PASSWORD_RESET_INVALID'] as const;
