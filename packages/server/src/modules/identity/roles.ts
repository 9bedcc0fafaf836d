import { isRoleName, type Permission, permissionsOfRoles } from '@custos/shared';
import type { OrganizationCaller } from '../../platform/http/caller';
import { forbidden } from '../../platform/http/errors';

/** Known roles only; unknown names (e.g. from an older version) grant nothing. */
export function effectivePermissions(roles: readonly string[]): Permission[] {
  return permissionsOfRoles(roles.filter(isRoleName));
}

/**
 * Nobody grants what they do not hold: every permission of `roles` must be the caller's, and the
 * owner role can only be handed out (or taken away) by an owner.
 */
export function assertRolesGrantable(caller: OrganizationCaller, roles: readonly string[]): void {
  const callerRoles = caller.kind === 'user' ? caller.roles : [];
  if (roles.includes('owner') && !callerRoles.includes('owner')) {
    throw forbidden('ROLE_NOT_GRANTABLE', 'Only an owner can grant or remove the owner role.', {
      role: 'owner',
    });
  }
  const missing = effectivePermissions(roles).filter((p) => !caller.permissions.has(p));
  if (missing.length > 0) {
    throw forbidden('ROLE_NOT_GRANTABLE', 'You cannot grant permissions you do not hold yourself.', {
      missing,
    });
  }
}
