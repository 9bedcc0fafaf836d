import { createHash } from 'node:crypto';

export const SESSION_COOKIE = 'custos_session';
export const CSRF_COOKIE = 'custos_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token bound to a session: derived one-way from the session token, so it needs no
 * storage, cannot be forged without the HttpOnly cookie, and dies with the session.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`custos-csrf:${sessionToken}`).digest('base64url');
}
