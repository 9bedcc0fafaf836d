import { PRIVILEGED_PERMISSIONS } from '@custos/shared';
import type { OrgAccess } from '../access';

/**
 * Whether a member with these roles is privileged: their roles grant a permission that can change
 * who gets in, what they may do or how sign-in is protected (PRIVILEGED_PERMISSIONS in shared).
 * The one definition: the Members page's flag and the security score's `admins_mfa` both use it.
 */
export function isPrivileged(access: OrgAccess, roles: readonly string[]): boolean {
  const granted = access.grantsOf(roles).custos;
  return PRIVILEGED_PERMISSIONS.some((permission) => granted.has(permission));
}
