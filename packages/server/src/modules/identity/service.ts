import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema';
import type { RevokeReason } from '../sessions';
import { sessionPorts } from '../sessions/ports';
import * as store from './store';

/**
 * Users, organizations and memberships. This module alone reads and writes their tables; every other
 * module goes through `identity`. Most operations are the store's own, named here so the store stays
 * private; the ones with a rule of their own (a password change) are written out below.
 */
export const identity = {
  countUsers: store.countUsers,
  findUserByEmail: store.findUserByEmail,
  findUserById: store.findUserById,
  insertUser: store.insertUser,
  updateUserName: store.updateUserName,
  setUserDisabled: store.setUserDisabled,
  markEmailVerified: store.markEmailVerified,
  setMfaEnabled: store.setMfaEnabled,
  lockUser: store.lockUser,
  searchUsers: store.searchUsers,
  setPassword,

  insertOrganization: store.insertOrganization,
  findOrganization: store.findOrganization,
  renameOrganization: store.renameOrganization,
  lockOrganization: store.lockOrganization,
  listOrganizationsWithCounts: store.listOrganizationsWithCounts,
  organizationsOfUsers: store.organizationsOfUsers,

  insertMembership: store.insertMembership,
  findMembership: store.findMembership,
  listMembershipsOfUser: store.listMembershipsOfUser,
  listMembers: store.listMembers,
  memberNames: store.memberNames,
  suggestMembers: store.suggestMembers,
  findMemberIds: store.findMemberIds,
  updateMembershipRoles: store.updateMembershipRoles,
  deleteMembership: store.deleteMembership,
  countOwners: store.countOwners,
  memberRoleLists: store.memberRoleLists,

  // What access control keeps on the organization row.
  findAccessHead: store.findAccessHead,
  bumpAccessVersion: store.bumpAccessVersion,
  setTimeZone: store.setTimeZone,
};

/**
 * The one way a password changes — the user's own change, a reset link, a mailbox owner reclaiming
 * an unconfirmed account. Every path ends the user's other sessions and the impersonations they
 * started (a super admin's impersonations run on this credential's authority), so none can forget
 * one. `keepSessionId` spares the session that made the change; the caller decides its fate.
 */
async function setPassword(
  trx: Transaction<DB>,
  userId: string,
  passwordHash: string,
  reason: RevokeReason,
  keepSessionId?: string,
): Promise<{ sessionsEnded: number; impersonationsEnded: number }> {
  await store.updateUserPassword(trx, userId, passwordHash);
  const sessionsEnded = await sessionPorts.revokeUserSessions(
    trx,
    userId,
    reason,
    keepSessionId ? { exceptSessionId: keepSessionId } : {},
  );
  const impersonationsEnded = await sessionPorts.revokeSessionsImpersonatedBy(trx, userId, reason);
  return { sessionsEnded, impersonationsEnded };
}

export type Identity = typeof identity;
