import type { AuditSource, Permission } from '@custos/shared';
import { AppError, forbidden, unauthenticated } from './errors';

/** The raw request headers a device fingerprint is made of (see platform/http/device.ts). */
export interface DeviceHeaders {
  userAgent: string | null;
  acceptLanguage: string | null;
  chUa: string | null;
  chUaPlatform: string | null;
  chUaMobile: string | null;
}

/** Facts about the request that every audit event carries. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  source: AuditSource;
  /** Absent outside HTTP requests (jobs, CLI). */
  device?: DeviceHeaders;
  /** The trusted-device token the browser (cookie) or host app (x-custos-device header) sent. */
  deviceToken?: string | null;
}

/** Whether a member must enrol a factor under the organization's MFA policy, and by when. */
export interface MfaEnrollment {
  required: boolean;
  deadline: string | null;
  blocking: boolean;
}

/** The super admin acting as this user, when the session is an impersonation. */
export interface Impersonator {
  userId: string;
  name: string;
  email: string;
  sessionId: string | null;
  reason: string;
}

export interface UserCaller {
  kind: 'user';
  userId: string;
  name: string;
  email: string;
  isSuperAdmin: boolean;
  userCreatedAt: string;
  sessionId: string;
  sessionExpiresAt: string;
  organizationId: string | null;
  roles: readonly string[];
  permissions: ReadonlySet<Permission>;
  /** The organization's access version the permissions were compiled at (rules apply at the same). */
  accessVersion: number;
  meta: RequestMeta;
  /** When the session last verified a password or factor (sign-in, MFA, step-up). */
  stepUpAt: string | null;
  /** The organization's step-up window. */
  stepUpMinutes: number;
  /** A threat response demanded a fresh verification: only step-up and sign-out work until then. */
  stepUpDemanded?: boolean;
  /** The user has at least one confirmed factor. */
  mfaEnabled: boolean;
  mfaEnrollment: MfaEnrollment;
  impersonator: Impersonator | null;
}

export interface ApiKeyCaller {
  kind: 'apiKey';
  apiKeyId: string;
  name: string;
  organizationId: string;
  permissions: ReadonlySet<Permission>;
  accessVersion: number;
  meta: RequestMeta;
}

export interface AnonymousCaller {
  kind: 'anonymous';
  meta: RequestMeta;
}

export type Caller = UserCaller | ApiKeyCaller | AnonymousCaller;
export type AuthenticatedCaller = UserCaller | ApiKeyCaller;
export type OrganizationCaller = AuthenticatedCaller & { organizationId: string };

export function systemMeta(): RequestMeta {
  return { ip: null, userAgent: null, requestId: null, source: 'system' };
}

/**
 * The first line of every service operation: the caller must hold `permission` in their current
 * organization. Answers 401 for anonymous callers and 403 otherwise.
 */
export function authorize(caller: Caller, permission: Permission): OrganizationCaller {
  if (caller.kind === 'anonymous') throw unauthenticated();
  if (caller.organizationId === null) {
    throw forbidden('NO_ORGANIZATION', 'Switch to an organization first.');
  }
  if (!caller.permissions.has(permission)) {
    throw forbidden('FORBIDDEN', `This needs the ${permission} permission.`, { permission });
  }
  return caller as OrganizationCaller;
}

/** The caller must be a signed-in user (not an API key). */
export function requireUser<C extends Caller>(caller: C): Extract<C, UserCaller> & UserCaller;
export function requireUser(caller: Caller): UserCaller {
  if (caller.kind === 'user') return caller;
  if (caller.kind === 'apiKey') throw forbidden('FORBIDDEN', 'This needs a signed-in user, not an API key.');
  throw unauthenticated();
}

export function requireSuperAdmin(caller: Caller): UserCaller {
  const user = requireUser(caller);
  if (!user.isSuperAdmin) throw forbidden('SUPER_ADMIN_REQUIRED', 'Only platform super admins can do this.');
  return user;
}

/** Until when the caller's last verification covers sensitive actions, or null when it does not. */
export function stepUpUntil(caller: UserCaller, now = Date.now()): string | null {
  if (!caller.stepUpAt) return null;
  const until = Date.parse(caller.stepUpAt) + caller.stepUpMinutes * 60_000;
  return until > now ? new Date(until).toISOString() : null;
}

/**
 * Sensitive actions (exports, API keys, role and policy changes, factor changes, erasure) need a
 * password or factor verification within the organization's step-up window. API keys are exempt:
 * they are non-interactive and their scope was fixed, under step-up, when they were created.
 */
export function requireStepUp(caller: Caller): void {
  if (caller.kind !== 'user' || stepUpUntil(caller) !== null) return;
  throw new AppError(
    403,
    'STEP_UP_REQUIRED',
    caller.mfaEnabled
      ? 'Confirm it is you with your second factor, then try again.'
      : 'Confirm it is you with your password, then try again.',
    { methods: caller.mfaEnabled ? ['totp', 'passkey', 'recovery_code'] : ['password'] },
  );
}

/** Credentials and factors belong to their owner: an impersonating super admin cannot change them. */
export function forbidDuringImpersonation(caller: UserCaller): void {
  if (caller.impersonator) {
    throw forbidden(
      'IMPERSONATION_FORBIDDEN',
      'Passwords, factors and sessions of an impersonated user cannot be changed. Stop impersonating first.',
    );
  }
}
