import type { AuthorizeReason } from '@custos/shared';
import type { Grants } from './policy';

export interface Decision {
  readonly allowed: boolean;
  readonly reason: AuthorizeReason;
  /** The role whose grant allowed it. */
  readonly grantedBy: string | null;
  readonly scope: 'all' | 'own' | null;
}

const denied = (reason: AuthorizeReason, scope: 'own' | null): Decision =>
  Object.freeze({ allowed: false, reason, grantedBy: null, scope });
const NOT_GRANTED = denied('not_granted', null);
const OWNER_UNKNOWN = denied('owner_unknown', 'own');
const NOT_OWNER = denied('not_owner', 'own');

/**
 * The permission check itself, on a member's compiled grants: one map lookup for a grant on all
 * resources, a second for a grant on the member's own resources (then the owner must match).
 * Every answer is made ahead (frozen): this is the hot path of POST /api/v1/authorize and what
 * bench/access.ts measures.
 */
export function decide(grants: Grants, userId: string, permission: string, ownerId?: string): Decision {
  const granted = grants.allowed.get(permission);
  if (granted !== undefined) return granted;
  const own = grants.allowedOwn.get(permission);
  if (own === undefined) return NOT_GRANTED;
  if (ownerId === undefined) return OWNER_UNKNOWN;
  return ownerId === userId ? own : NOT_OWNER;
}
