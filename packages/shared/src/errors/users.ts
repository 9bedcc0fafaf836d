/** An e-mail address belongs to one account. */
export const EMAIL_ERROR_CODES = ['EMAIL_TAKEN'] as const;

export const USER_ERROR_CODES = ['USER_NOT_FOUND'] as const;
