import type { AuthorizeReason } from '@custos/shared';
import type { Grants } from './policy';

export interface Decision {
  allowed: boolean;
  reason: AuthorizeReason;
  /** The role whose grant allowed it. */
  grantedBy: string | null;
  scope: 'all' | 'own' | null;
}

const NOT_GRANTED: Decision = Object.freeze({
  allowed: false,
  reason: 'not_granted',
  grantedBy: null,
  scope: null,
});

/**
 * The permission check itself, on a member's compiled grants: one map lookup for a grant on all
 * resources, a second for a grant on the member's own resources (then the owner must match).
 * This is the hot path of POST /api/v1/authorize and what bench/access.ts measures.
 */
export function decide(grants: Grants, userId: string, permission: string, ownerId?: string): Decision {
  const role = grants.all.get(permission);
  if (role !== undefined) return { allowed: true, reason: 'granted', grantedBy: role, scope: 'all' };
  const ownRole = grants.own.get(permission);
  if (ownRole === undefined) return NOT_GRANTED;
  if (ownerId === undefined)
    return { allowed: false, reason: 'owner_unknown', grantedBy: null, scope: 'own' };
  if (ownerId !== userId) return { allowed: false, reason: 'not_owner', grantedBy: null, scope: 'own' };
  return { allowed: true, reason: 'granted_own', grantedBy: ownRole, scope: 'own' };
}
