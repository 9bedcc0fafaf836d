/**
 * Codes any route may answer with: the request's shape, the caller's credentials and rights, and the
 * platform's limits (the HTTP layer, rate limits, the database).
 */
export const REQUEST_ERROR_CODES = [
  'VALIDATION_FAILED',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'CSRF_TOKEN_INVALID',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL',
  'SERVICE_UNAVAILABLE',
  'QUERY_TIMEOUT',
] as const;

/** The operator's routes (`/api/v1/admin/…`) refuse everyone else with this. */
export const SUPER_ADMIN_ERROR_CODES = ['SUPER_ADMIN_REQUIRED'] as const;
