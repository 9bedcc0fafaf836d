import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema';
import * as store from './store';

export { createAccountService } from './account';
export { clearSessionCookies, deliverSession } from './cookies';
export { authRoutes } from './routes';
export { type AuthService, createAuthService, type IssuedSession } from './service';
export { CSRF_COOKIE, CSRF_HEADER, csrfTokenFor, SESSION_COOKIE } from './tokens';

/** Ends a user's sessions in one organization (they were removed from it). */
export function endSessionsInOrganization(trx: Transaction<DB>, userId: string, organizationId: string) {
  return store.revokeUserSessions(trx, userId, { organizationId });
}

/** Ends every session of a user (their account was taken over by its rightful owner). */
export function endAllSessions(trx: Transaction<DB>, userId: string) {
  return store.revokeUserSessions(trx, userId);
}
