import type { ResetMfaResult, UnlockResult } from '@custos/shared';
import type { Deps } from '../../deps';
import {
  authorize,
  type Caller,
  forbidDuringImpersonation,
  requireStepUp,
  requireUser,
} from '../../platform/http/caller';
import { conflict, forbidden, notFound } from '../../platform/http/errors';
import { type AccessPolicies, assertRolesGrantable } from '../access';
import { accountLockKeys } from '../auth';
import { identity } from '../identity';
import { factorSummaries, resetFactors } from '../mfa';
import { sessionPorts } from '../sessions/ports';

/** The progressive sign-in delay's store (threats), as far as an unlock needs it. */
export interface SignInDelays {
  clear(key: string): Promise<void>;
}

const memberNotFound = () => notFound('MEMBER_NOT_FOUND', 'No such member in this organization.');

/**
 * What an admin does about a member's security in place: reset their second factors, lift their
 * sign-in lockout. Ending their sessions is the sessions module's (POST /api/v1/sessions/revoke).
 */
export function createMemberSecurityActions(
  deps: Deps & { accessPolicies: AccessPolicies; signInDelays: SignInDelays },
) {
  const { db, audit, limiter, config, accessPolicies, signInDelays } = deps;

  return {
    /**
     * Removes every factor and recovery code of a member who lost them, and ends their sessions: they
     * sign in with the password and enrol again (the policy's grace period applies). A risky action:
     * a signed-in admin, verified recently, who holds every permission the member holds; never one's
     * own account; and only for an account no other organization (or the platform) relies on, since
     * the factors are the account's, not this organization's: that takes a platform admin.
     */
    async resetMfa(caller: Caller, userId: string): Promise<ResetMfaResult> {
      const c = requireUser(authorize(caller, 'members:manage'));
      forbidDuringImpersonation(c);
      requireStepUp(c);
      if (c.userId === userId) {
        throw forbidden(
          'CANNOT_RESET_OWN_MFA',
          'You cannot reset your own second factors here. Manage them under My security.',
        );
      }
      return db.transaction().execute(async (trx) => {
        const membership = await identity.findMembership(trx, c.organizationId, userId);
        if (!membership) throw memberNotFound();
        assertRolesGrantable(c, await accessPolicies.current(trx, c.organizationId), membership.roles);
        const user = await identity.findUserById(trx, userId);
        if (!user) throw memberNotFound();
        const organizations = await identity.listMembershipsOfUser(trx, userId);
        const elsewhere = organizations.filter((o) => o.id !== c.organizationId).length;
        if (!c.isSuperAdmin && (elsewhere > 0 || user.isSuperAdmin)) {
          throw conflict(
            'MFA_RESET_NEEDS_PLATFORM_ADMIN',
            user.isSuperAdmin
              ? 'This account is a platform admin: only another platform admin can reset its second factors.'
              : 'This account also belongs to other organizations, which rely on its second factors: ask a platform admin to reset them.',
            { otherOrganizations: elsewhere, platformAdmin: user.isSuperAdmin },
          );
        }
        // Serialises with the member's own factor changes (the MFA module locks the same row).
        await identity.lockUser(trx, userId);
        const before = (await factorSummaries(trx, [userId])).get(userId);
        const factorsRemoved = (before?.totp ?? 0) + (before?.passkey ?? 0);
        await resetFactors(trx, userId);
        const sessionsEnded = await sessionPorts.revokeUserSessions(trx, userId, 'factor_changed');
        await audit.record(trx, c, {
          action: 'member.mfa_reset',
          targets: [{ type: 'user', id: userId }],
          metadata: {
            totpRemoved: before?.totp ?? 0,
            passkeysRemoved: before?.passkey ?? 0,
            recoveryCodesRemoved: before?.recoveryCodes ?? false,
            sessionsEnded,
          },
        });
        return { factorsRemoved, sessionsEnded };
      });
    },

    /**
     * Lifts the account's sign-in lockout: the shared bucket strangers' failed attempts fill and the
     * progressive delay. The account is the member's everywhere, but this only gives back attempts
     * (the password still has to be right), so an admin of any of its organizations may do it.
     */
    async unlock(caller: Caller, userId: string): Promise<UnlockResult> {
      const c = authorize(caller, 'members:manage');
      const keys = accountLockKeys(userId);
      return db.transaction().execute(async (trx) => {
        const membership = await identity.findMembership(trx, c.organizationId, userId);
        if (!membership) throw memberNotFound();
        const [window] = await limiter.peek([keys.limit]);
        const wasLocked = !!window && window.count >= config.signInLimits.perAccount;
        await audit.record(trx, c, {
          action: 'member.unlocked',
          targets: [{ type: 'user', id: userId }],
          metadata: { wasLocked, ...(window ? { lockedUntil: new Date(window.resetAt).toISOString() } : {}) },
        });
        // The counters live outside the database: cleared after the audit row is written and before the
        // commit, so a failure to clear them (Redis unreachable) rolls the audit back with a 503.
        await limiter.reset(keys.limit);
        await signInDelays.clear(keys.delay);
        return { wasLocked };
      });
    },
  };
}
