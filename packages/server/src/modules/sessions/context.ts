import { isPermission } from '@custos/shared';
import { parseJson } from '../../platform/db/json';
import type { Impersonator, MfaEnrollment, RequestMeta, UserCaller } from '../../platform/http/caller';
import { effectivePermissions, type UserRow } from '../identity';
import { mfaEnrollmentState, type PolicyOnSession } from '../security';
import type { SessionContextRow } from './store';

const DEFAULT_STEP_UP_MINUTES = 15;
const DEFAULT_IDLE_MINUTES = 30;

const stringArray = (value: unknown): string[] => {
  const parsed = value == null ? [] : parseJson<unknown>(value);
  return Array.isArray(parsed) ? parsed.map(String) : [];
};

export function policyOnSession(row: SessionContextRow): PolicyOnSession {
  return {
    mfaRequirement: row.mfaRequirement,
    mfaRoles: stringArray(row.mfaRoles),
    mfaGraceDays: row.mfaGraceDays,
    mfaRequiredSince: row.mfaRequiredSince,
    stepUpMinutes: row.stepUpMinutes,
    idleTimeoutMinutes: row.idleTimeoutMinutes,
  };
}

/**
 * Whether the session row still stands: not revoked, user not disabled, within its absolute
 * lifetime and the organization's idle timeout, and still a member of its organization.
 */
export function isLive(row: SessionContextRow, now: number): boolean {
  if (row.revokedAt || row.disabledAt) return false;
  if (Date.parse(row.expiresAt) <= now) return false;
  const idleMs = (row.idleTimeoutMinutes ?? DEFAULT_IDLE_MINUTES) * 60_000;
  if (now - Date.parse(row.lastSeenAt) > idleMs) return false;
  // A session pointing at an organization the user has left is dead.
  return !(row.organizationId && row.roles == null);
}

export function callerFromContext(row: SessionContextRow, meta: RequestMeta, now: number): UserCaller {
  const roles = stringArray(row.roles);
  const mfaEnabled = row.mfaEnabledAt !== null;
  const impersonator: Impersonator | null = row.impersonatorId
    ? {
        userId: row.impersonatorId,
        name: row.impersonatorName ?? '',
        email: row.impersonatorEmail ?? '',
        sessionId: row.impersonatorSessionId,
        reason: row.impersonationReason ?? '',
      }
    : null;
  return userCallerFor(
    {
      id: row.userId,
      email: row.email,
      name: row.name,
      isSuperAdmin: row.isSuperAdmin === 1,
      createdAt: row.userCreatedAt,
    },
    {
      id: row.sessionId,
      organizationId: row.organizationId,
      expiresAt: row.expiresAt,
      stepUpAt: row.stepUpAt,
    },
    roles,
    meta,
    {
      mfaEnabled,
      stepUpMinutes: row.stepUpMinutes ?? DEFAULT_STEP_UP_MINUTES,
      // An impersonating super admin is never blocked by the user's enrolment state.
      mfaEnrollment: impersonator
        ? { required: false, deadline: null, blocking: false }
        : mfaEnrollmentState({
            policy: policyOnSession(row),
            roles,
            mfaEnabled,
            joinedAt: row.joinedAt,
            now,
          }),
      impersonator,
    },
  );
}

export interface CallerSecurity {
  mfaEnabled: boolean;
  stepUpMinutes: number;
  mfaEnrollment: MfaEnrollment;
  impersonator: Impersonator | null;
}

export function userCallerFor(
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'isSuperAdmin' | 'createdAt'>,
  session: { id: string; organizationId: string | null; expiresAt: string; stepUpAt: string | null },
  roles: string[],
  meta: RequestMeta,
  security: CallerSecurity,
): UserCaller {
  const permissions = session.organizationId ? effectivePermissions(roles).filter(isPermission) : [];
  return {
    kind: 'user',
    userId: user.id,
    email: user.email,
    name: user.name,
    isSuperAdmin: user.isSuperAdmin,
    userCreatedAt: user.createdAt,
    sessionId: session.id,
    sessionExpiresAt: session.expiresAt,
    organizationId: session.organizationId,
    roles,
    permissions: new Set(permissions),
    meta,
    stepUpAt: session.stepUpAt,
    ...security,
  };
}
