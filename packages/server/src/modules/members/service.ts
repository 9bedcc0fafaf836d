import type { MemberOut, MemberWithSecurity } from '@custos/shared';
import type { Deps } from '../../deps';
import { authorize, type Caller, requireStepUp } from '../../platform/http/caller';
import { conflict, forbidden, notFound } from '../../platform/http/errors';
import { type AccessPolicies, assertRolesExist, assertRolesGrantable } from '../access';
import { identity } from '../identity';
import { invitationPorts } from '../invitations/ports';
import type { SessionsService } from '../sessions';
import { createMemberSecurityActions, type SignInDelays } from './security-actions';
import { createMemberSecurityReader } from './security-state';

export function createMembersService(
  deps: Deps & { sessions: SessionsService; accessPolicies: AccessPolicies; signInDelays: SignInDelays },
) {
  const { db, audit, sessions, accessPolicies } = deps;
  const listWithSecurity = createMemberSecurityReader(deps);

  return {
    /** Members with their security state: factors, sign-ins and sessions here, lockout, privilege. */
    async list(caller: Caller): Promise<MemberWithSecurity[]> {
      const c = authorize(caller, 'members:read');
      return listWithSecurity(db, c.organizationId);
    },

    ...createMemberSecurityActions(deps),

    /**
     * Replaces a member's roles. Nobody changes their own roles, grants what they do not hold, or
     * takes away roles more powerful than their own; the last owner stays an owner.
     */
    async updateRoles(caller: Caller, userId: string, roles: string[]): Promise<MemberOut> {
      const c = authorize(caller, 'members:manage');
      requireStepUp(c);
      if (c.kind === 'user' && c.userId === userId) {
        throw forbidden('CANNOT_CHANGE_OWN_ROLES', 'You cannot change your own roles. Ask another admin.');
      }
      const next = [...new Set(roles)].sort();
      return db.transaction().execute(async (trx) => {
        await identity.lockOrganization(trx, c.organizationId);
        const membership = await identity.findMembership(trx, c.organizationId, userId);
        if (!membership) throw notFound('MEMBER_NOT_FOUND', 'No such member in this organization.');
        const access = await accessPolicies.current(trx, c.organizationId);
        assertRolesExist(access, next);
        assertRolesGrantable(c, access, [...membership.roles, ...next]);
        if (membership.roles.includes('owner') && !next.includes('owner')) {
          if ((await identity.countOwners(trx, c.organizationId)) <= 1) {
            throw conflict(
              'LAST_OWNER',
              'The organization needs at least one owner. Make someone else an owner first.',
            );
          }
        }
        await identity.updateMembershipRoles(trx, c.organizationId, userId, next);
        await audit.record(trx, c, {
          action: 'member.role_changed',
          targets: [{ type: 'user', id: userId }],
          changes: { roles: [membership.roles, next] },
        });
        const member = (await identity.listMembers(trx, c.organizationId)).find((m) => m.userId === userId);
        if (!member) throw notFound('MEMBER_NOT_FOUND', 'No such member in this organization.');
        const { disabledAt: _disabled, ...out } = member;
        return out;
      });
    },

    /** Removes a member and ends their sessions in this organization at once. */
    async remove(caller: Caller, userId: string): Promise<void> {
      const c = authorize(caller, 'members:manage');
      await db.transaction().execute(async (trx) => {
        await identity.lockOrganization(trx, c.organizationId);
        const membership = await identity.findMembership(trx, c.organizationId, userId);
        if (!membership) throw notFound('MEMBER_NOT_FOUND', 'No such member in this organization.');
        assertRolesGrantable(c, await accessPolicies.current(trx, c.organizationId), membership.roles);
        if (membership.roles.includes('owner') && (await identity.countOwners(trx, c.organizationId)) <= 1) {
          throw conflict('LAST_OWNER', 'The last owner cannot be removed. Make someone else an owner first.');
        }
        await identity.deleteMembership(trx, c.organizationId, userId);
        await sessions.revokeUserSessions(trx, userId, 'member_removed', {
          organizationId: c.organizationId,
        });
        // What they set in motion stops with them: their pending invitations die; their API keys stop
        // authenticating on their own (a key never exceeds its creator's current access).
        const revokedInvitations = await invitationPorts.revokeInvitationsBy(trx, c.organizationId, userId);
        await audit.record(trx, c, {
          action: 'member.removed',
          targets: [{ type: 'user', id: userId }],
          changes: { roles: [membership.roles, null] },
          metadata: { invitationsRevoked: revokedInvitations },
        });
      });
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
