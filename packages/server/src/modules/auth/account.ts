import type { Deps } from '../../deps';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '../../platform/crypto/passwords';
import { type Caller, requireUser } from '../../platform/http/caller';
import { badRequest, rateLimited, unauthenticated } from '../../platform/http/errors';
import { identityStore } from '../identity';
import * as store from './store';

/** A signed-in user's own account: name and password. */
export function createAccountService(deps: Deps) {
  const { db, limiter, config, audit } = deps;

  /** Guessing the current password through a stolen session is limited like sign-in. */
  async function limitPasswordChecks(userId: string): Promise<void> {
    const { perAccount, windowMs } = config.signInLimits;
    const result = await limiter.consume(`password-check:${userId}`, perAccount, windowMs);
    if (!result.allowed) throw rateLimited(result.retryAfterSeconds);
  }

  return {
    async updateProfile(caller: Caller, name: string): Promise<void> {
      const user = requireUser(caller);
      await db.transaction().execute(async (trx) => {
        const before = await identityStore.findUserById(trx, user.userId);
        if (!before) throw unauthenticated();
        await identityStore.updateUserName(trx, user.userId, name);
        await audit.record(trx, user, {
          action: 'user.updated',
          targets: [{ type: 'user', id: user.userId }],
          changes: { name: [before.name, name] },
          personal: ['changes.name'],
        });
      });
    },

    /** Needs the current password; ends every other session of the user. */
    async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<void> {
      const user = requireUser(caller);
      const row = await identityStore.findUserById(db, user.userId);
      if (!row) throw unauthenticated();
      await limitPasswordChecks(user.userId);
      if (!(await verifyPassword(row.passwordHash, currentPassword))) {
        throw badRequest('PASSWORD_INCORRECT', 'The current password is incorrect.');
      }
      assertAcceptablePassword(newPassword, { email: row.email });
      const passwordHash = await hashPassword(newPassword);
      await db.transaction().execute(async (trx) => {
        await identityStore.updateUserPassword(trx, user.userId, passwordHash);
        await store.revokeUserSessions(trx, user.userId, { exceptSessionId: user.sessionId });
        await audit.record(trx, user, {
          action: 'user.password_changed',
          targets: [{ type: 'user', id: user.userId }],
          metadata: { otherSessionsEnded: true },
        });
      });
    },
  };
}
