import { MIN_PASSWORD_LENGTH, type SecurityPolicy } from '@custos/shared';
import type { MfaEnrollment } from '../../platform/http/caller';

/**
 * Defaults follow NIST SP 800-63B AAL2 for sessions (30 minutes idle, 12 hours at most) and ask for
 * a fresh verification every 15 minutes for sensitive actions; MFA is off until an admin requires it.
 */
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 30;
export const DEFAULT_STEP_UP_MINUTES = 15;

export function defaultPolicy(sessionTtlMs: number): SecurityPolicy {
  return {
    mfaRequirement: 'off',
    mfaRoles: [],
    mfaGraceDays: 7,
    stepUpMinutes: DEFAULT_STEP_UP_MINUTES,
    idleTimeoutMinutes: DEFAULT_IDLE_TIMEOUT_MINUTES,
    absoluteLifetimeHours: Math.max(1, Math.round(sessionTtlMs / 3_600_000)),
    maxConcurrentSessions: 0,
    sessionLimitAction: 'end_oldest',
    passwordMinLength: MIN_PASSWORD_LENGTH,
  };
}

/** The policy fields the session check reads with every request (null columns: no policy row). */
export interface PolicyOnSession {
  mfaRequirement: string | null;
  mfaRoles: readonly string[];
  mfaGraceDays: number | null;
  mfaRequiredSince: string | null;
  stepUpMinutes: number | null;
  idleTimeoutMinutes: number | null;
}

export function mfaRequiredFor(
  policy: Pick<PolicyOnSession, 'mfaRequirement' | 'mfaRoles'>,
  roles: readonly string[],
) {
  if (policy.mfaRequirement === 'all') return true;
  if (policy.mfaRequirement === 'roles') return roles.some((r) => policy.mfaRoles.includes(r));
  return false;
}

const DAY_MS = 86_400_000;

/**
 * A member the policy covers who has no factor must enrol; the grace period counts from when the
 * requirement started or from when they joined, whichever is later. After it, the session can only
 * enrol.
 */
export function mfaEnrollmentState(input: {
  policy: PolicyOnSession;
  roles: readonly string[];
  mfaEnabled: boolean;
  joinedAt: string | null;
  now?: number;
}): MfaEnrollment {
  const { policy, roles, mfaEnabled, joinedAt } = input;
  if (mfaEnabled || !mfaRequiredFor(policy, roles))
    return { required: false, deadline: null, blocking: false };
  const since = Math.max(Date.parse(policy.mfaRequiredSince ?? '') || 0, Date.parse(joinedAt ?? '') || 0);
  const deadline = since + (policy.mfaGraceDays ?? 0) * DAY_MS;
  return {
    required: true,
    deadline: new Date(deadline).toISOString(),
    blocking: (input.now ?? Date.now()) >= deadline,
  };
}
