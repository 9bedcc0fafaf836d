import type { Deps } from '../../deps';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '../../platform/crypto/passwords';
import { type Caller, forbidDuringImpersonation, requireUser } from '../../platform/http/caller';
import { badRequest, rateLimited, unauthenticated } from '../../platform/http/errors';
import { identity } from '../identity';
import type { SecurityPolicyService } from '../security';
import type { SessionsService } from '../sessions';

/** The longest minimum any of the user's organizations asks for. */
export async function passwordMinLengthFor(
  deps: { db: Deps['db']; policies: SecurityPolicyService },
  userId: string,
) {
  const memberships = await identity.listMembershipsOfUser(deps.db, userId);
  let min = 0;
  for (const m of memberships)
    min = Math.max(min, (await deps.policies.policyOf(deps.db, m.id)).passwordMinLength);
  return min;
}

/** Guessing a password through a stolen session is limited like sign-in (change and step-up share it). */
export async function limitPasswordChecks(
  deps: Pick<Deps, 'limiter' | 'config'>,
  userId: string,
): Promise<void> {
  const { perAccount, windowMs } = deps.config.signInLimits;
  const result = await deps.limiter.consume(`password-check:${userId}`, perAccount, windowMs);
  if (!result.allowed) throw rateLimited(result.retryAfterSeconds);
}

/** A signed-in user's own account: name and password. */
export function createAccountService(
  deps: Deps & { sessions: SessionsService; policies: SecurityPolicyService },
) {
  const { db, audit, sessions } = deps;

  return {
    async updateProfile(caller: Caller, name: string): Promise<void> {
      const user = requireUser(caller);
      await db.transaction().execute(async (trx) => {
        const before = await identity.findUserById(trx, user.userId);
        if (!before) throw unauthenticated();
        await identity.updateUserName(trx, user.userId, name);
        await audit.record(trx, user, {
          action: 'user.updated',
          targets: [{ type: 'user', id: user.userId }],
          changes: { name: [before.name, name] },
          personal: ['changes.name'],
        });
      });
    },

    /**
     * Needs the current password; ends every other session of the user, and this one too unless the
     * user keeps it (it then gets a new token, returned here).
     */
    async changePassword(
      caller: Caller,
      input: { currentPassword: string; newPassword: string; keepCurrentSession: boolean },
    ): Promise<{ token: string | null }> {
      const user = requireUser(caller);
      forbidDuringImpersonation(user);
      const row = await identity.findUserById(db, user.userId);
      if (!row) throw unauthenticated();
      await limitPasswordChecks(deps, user.userId);
      if (!(await verifyPassword(row.passwordHash, input.currentPassword))) {
        throw badRequest('PASSWORD_INCORRECT', 'The current password is incorrect.');
      }
      assertAcceptablePassword(input.newPassword, {
        email: row.email,
        minLength: await passwordMinLengthFor(deps, user.userId),
      });
      const passwordHash = await hashPassword(input.newPassword);
      return db.transaction().execute(async (trx) => {
        const changed = await identity.setPassword(
          trx,
          user.userId,
          passwordHash,
          'password_changed',
          user.sessionId,
        );
        // The other sessions and the impersonations are over; the session that made the change is
        // renewed (a new token) or ended as the user chose.
        const { token, ended } = await sessions.afterCredentialChange(
          trx,
          user,
          'password_changed',
          input.keepCurrentSession,
        );
        const otherSessionsEnded = changed.sessionsEnded + changed.impersonationsEnded + ended;
        await audit.record(trx, user, {
          action: 'user.password_changed',
          targets: [{ type: 'user', id: user.userId }],
          metadata: { otherSessionsEnded, keptCurrentSession: input.keepCurrentSession },
        });
        return { token };
      });
    },
  };
}
