import type { AuditSource, Permission } from '@custos/shared';
import { forbidden, unauthenticated } from './errors';

/** Facts about the request that every audit event carries. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  source: AuditSource;
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
  meta: RequestMeta;
}

export interface ApiKeyCaller {
  kind: 'apiKey';
  apiKeyId: string;
  name: string;
  organizationId: string;
  permissions: ReadonlySet<Permission>;
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
