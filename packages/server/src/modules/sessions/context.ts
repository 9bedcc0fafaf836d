import type { Permission } from '@custos/shared';
import { parseJson } from '../../platform/db/json';
import type { Impersonator, MfaEnrollment, RequestMeta, UserCaller } from '../../platform/http/caller';
import type { OrgAccess } from '../access';
import type { UserRow } from '../identity';
import {
  DEFAULT_IDLE_TIMEOUT_MINUTES,
  DEFAULT_STEP_UP_MINUTES,
  mfaEnrollmentState,
  type PolicyOnSession,
} from '../security';
import type { SessionContextRow } from './store';

const NOT_REQUIRED: MfaEnrollment = Object.freeze({ required: false, deadline: null, blocking: false });

const NO_PERMISSIONS: ReadonlySet<Permission> = new Set();

const stringArray = (value: unknown): string[] => {
  const parsed = value == null ? [] : parseJson<unknown>(value);
  return Array.isArray(parsed) ? parsed.map(String) : [];
};

export function policyOnSession(row: SessionContextRow): PolicyOnSession {
  return {
    mfaRequirement: row.mfaRequirement,
    // Only a 'roles' requirement reads the list; the session check skips parsing it otherwise.
    mfaRoles: row.mfaRequirement === 'roles' ? stringArray(row.mfaRoles) : [],
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
  const idleMs = (row.idleTimeoutMinutes ?? DEFAULT_IDLE_TIMEOUT_MINUTES) * 60_000;
  if (now - Date.parse(row.lastSeenAt) > idleMs) return false;
  // A session pointing at an organization the user has left is dead.
  return !(row.organizationId && row.roles == null);
}

export function callerFromContext(
  row: SessionContextRow,
  meta: RequestMeta,
  now: number,
  access: OrgAccess,
): UserCaller {
  const roles = stringArray(row.roles);
  const mfaEnabled = row.mfaEnabledAt !== null;
  const impersonator = row.impersonatorId ? impersonatorOf(row.impersonatorId, row.impersonation) : null;
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
    access,
    meta,
    {
      mfaEnabled,
      stepUpMinutes: row.stepUpMinutes ?? DEFAULT_STEP_UP_MINUTES,
      // An impersonating super admin is never blocked by the user's enrolment state.
      mfaEnrollment:
        impersonator || mfaEnabled || !row.mfaRequirement || row.mfaRequirement === 'off'
          ? NOT_REQUIRED
          : mfaEnrollmentState({
              policy: policyOnSession(row),
              roles,
              mfaEnabled,
              joinedAt: row.joinedAt,
              now,
            }),
      impersonator,
      stepUpDemanded: stepUpDemanded(row.stepUpDemandedAt, row.stepUpAt),
    },
  );
}

/** A demand is met by any verification after it (step-up sets stepUpAt). */
function stepUpDemanded(demandedAt: string | null, stepUpAt: string | null): boolean {
  return demandedAt !== null && (stepUpAt === null || stepUpAt < demandedAt);
}

export interface CallerSecurity {
  /** A threat response demands a verification before anything else (see threats/step-up-gate.ts). */
  stepUpDemanded?: boolean;
  mfaEnabled: boolean;
  stepUpMinutes: number;
  mfaEnrollment: MfaEnrollment;
  impersonator: Impersonator | null;
}

export function userCallerFor(
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'isSuperAdmin' | 'createdAt'>,
  session: { id: string; organizationId: string | null; expiresAt: string; stepUpAt: string | null },
  roles: string[],
  access: OrgAccess,
  meta: RequestMeta,
  security: CallerSecurity,
): UserCaller {
  // Grants are compiled once per role list and access version, and shared read-only.
  const permissions = session.organizationId ? access.grantsOf(roles).custos : NO_PERMISSIONS;
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
    permissions,
    accessVersion: access.version,
    meta,
    stepUpAt: session.stepUpAt,
    ...security,
  };
}

function impersonatorOf(userId: string, snapshot: string | null): Impersonator {
  const parsed = snapshot
    ? parseJson<Partial<Record<'sessionId' | 'reason' | 'name' | 'email', unknown>>>(snapshot)
    : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    userId,
    name: text(parsed.name),
    email: text(parsed.email),
    sessionId: typeof parsed.sessionId === 'string' ? parsed.sessionId : null,
    reason: text(parsed.reason),
  };
}
