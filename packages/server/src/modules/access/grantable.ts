import { isPermission } from '@custos/shared';
import type { OrganizationCaller } from '../../platform/http/caller';
import { badRequest, forbidden } from '../../platform/http/errors';
import type { OrgAccess } from './policy';

interface Held {
  /** Held on every resource. */
  onEverything(permission: string): boolean;
  /** Held at all: on every resource or on the caller's own. */
  inSomeScope(permission: string): boolean;
}

/** What the caller holds under `access`: a user their roles' grants, an API key its permissions. */
function heldBy(caller: OrganizationCaller, access: OrgAccess): Held {
  if (caller.kind === 'user') {
    const grants = access.grantsOf(caller.roles);
    return {
      onEverything: (p) => grants.all.has(p),
      inSomeScope: (p) => grants.all.has(p) || grants.own.has(p),
    };
  }
  const has = (p: string) => isPermission(p) && caller.permissions.has(p);
  return { onEverything: has, inSomeScope: has };
}

/**
 * Nobody grants what they do not hold: a grant on every resource needs the caller to hold it on
 * every resource, an "own resources" grant needs the caller to hold it at all.
 */
export function assertGrantable(
  caller: OrganizationCaller,
  access: OrgAccess,
  grants: { permissions: readonly string[]; ownPermissions: readonly string[] },
): void {
  const held = heldBy(caller, access);
  const missing = [
    ...grants.permissions.filter((p) => !held.onEverything(p)),
    ...grants.ownPermissions.filter((p) => !held.inSomeScope(p)),
  ];
  if (missing.length > 0) {
    throw forbidden('PERMISSION_NOT_GRANTABLE', 'You cannot grant permissions you do not hold yourself.', {
      missing: [...new Set(missing)].sort(),
    });
  }
}

/**
 * Assigning or taking away roles: every permission of `roles` must be the caller's, and the owner
 * role can only be handed out (or taken away) by an owner.
 */
export function assertRolesGrantable(
  caller: OrganizationCaller,
  access: OrgAccess,
  roles: readonly string[],
): void {
  const callerRoles = caller.kind === 'user' ? caller.roles : [];
  if (roles.includes('owner') && !callerRoles.includes('owner')) {
    throw forbidden('ROLE_NOT_GRANTABLE', 'Only an owner can grant or remove the owner role.', {
      role: 'owner',
    });
  }
  const grants = access.grantsOf(roles);
  const held = heldBy(caller, access);
  const missing = [
    ...[...grants.all.keys()].filter((p) => !held.onEverything(p)),
    ...[...grants.own.keys()].filter((p) => !held.inSomeScope(p)),
  ];
  if (missing.length > 0) {
    throw forbidden('ROLE_NOT_GRANTABLE', 'You cannot grant permissions you do not hold yourself.', {
      missing: [...new Set(missing)].sort(),
    });
  }
}

/** Roles given to a member must exist in the organization (built-in or custom). */
export function assertRolesExist(access: OrgAccess, roles: readonly string[]): void {
  const unknown = roles.filter((r) => !access.hasRole(r));
  if (unknown.length > 0) {
    throw badRequest('ROLE_NOT_FOUND', 'These roles do not exist in this organization.', { unknown });
  }
}
