/** First-run setup: the one-time token and the first owner's account. */
export const SETUP_ERROR_CODES = ['SETUP_ALREADY_DONE', 'SETUP_TOKEN_INVALID'] as const;
