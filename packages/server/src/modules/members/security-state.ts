import type { MemberWithSecurity } from '@custos/shared';
import type { Deps } from '../../deps';
import type { Executor } from '../../platform/db/executor';
import type { AccessPolicies } from '../access';
import { accountLockKeys } from '../auth';
import { identity } from '../identity';
import { factorSummaries } from '../mfa';
import { createSecurityPolicyService } from '../security';
import { sessionPorts } from '../sessions/ports';
import { activeAccountLocks } from '../threats';
import { isPrivileged } from './privileged';

const MINUTE_MS = 60_000;

/** A security response's lock as the Members page shows it. */
function responseLockOf(
  lock: { id: string; expiresAt: string | null; scope: string | null } | undefined,
): MemberWithSecurity['responseLock'] {
  return lock
    ? { until: lock.expiresAt, unknownDevicesOnly: lock.scope === 'untrusted', responseId: lock.id }
    : null;
}

/**
 * The organization's members with their security state, read from the modules that own each part:
 * factors (mfa), sessions and sign-ins in this organization (sessions), the account's sign-in
 * lockout (the rate limiter's shared bucket for strangers' attempts), and the account row.
 */
export function createMemberSecurityReader(deps: Deps & { accessPolicies: AccessPolicies }) {
  const { limiter, config, accessPolicies } = deps;
  const policies = createSecurityPolicyService(deps);

  /** When the account's shared sign-in bucket is full: until its window ends (null: not locked). */
  async function lockouts(userIds: readonly string[]): Promise<Map<string, string>> {
    const windows = await limiter.peek(userIds.map((id) => accountLockKeys(id).limit));
    const locked = new Map<string, string>();
    userIds.forEach((id, i) => {
      const window = windows[i];
      if (window && window.count >= config.signInLimits.perAccount)
        locked.set(id, new Date(window.resetAt).toISOString());
    });
    return locked;
  }

  return async function listWithSecurity(
    db: Executor,
    organizationId: string,
  ): Promise<MemberWithSecurity[]> {
    const now = Date.now();
    const [members, access, policy] = await Promise.all([
      identity.listMembers(db, organizationId),
      accessPolicies.current(db, organizationId),
      policies.policyOf(db, organizationId),
    ]);
    const ids = members.map((m) => m.userId);
    const [factors, sessions, locked, responseLocks] = await Promise.all([
      factorSummaries(db, ids),
      sessionPorts.memberSessionFacts(db, organizationId, {
        now: new Date(now).toISOString(),
        idleSince: new Date(now - policy.idleTimeoutMinutes * MINUTE_MS).toISOString(),
      }),
      lockouts(ids),
      activeAccountLocks(db, organizationId, new Date(now).toISOString()),
    ]);
    return members.map(({ disabledAt, ...member }) => {
      const signIns = sessions.get(member.userId);
      return {
        ...member,
        mfa: factors.get(member.userId) ?? { totp: 0, passkey: 0, recoveryCodes: false },
        lastSignIn: signIns ? { at: signIns.lastSignInAt, country: signIns.lastSignInCountry } : null,
        activeSessions: signIns?.active ?? 0,
        lockedUntil: locked.get(member.userId) ?? null,
        responseLock: responseLockOf(responseLocks.get(member.userId)),
        disabled: disabledAt !== null,
        privileged: isPrivileged(access, member.roles),
      };
    });
  };
}
