export const MEMBER_ERROR_CODES = ['MEMBER_NOT_FOUND', 'MEMBER_ALREADY_EXISTS'] as const;

/** An organization always keeps an owner: the last one can be neither removed nor demoted. */
export const LAST_OWNER_ERROR_CODES = ['LAST_OWNER'] as const;
