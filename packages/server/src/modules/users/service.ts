import type { AdminUserOut } from '@custos/shared';
import type { Deps } from '../../deps';
import { type Caller, requireStepUp, requireSuperAdmin } from '../../platform/http/caller';
import { conflict, forbidden, notFound } from '../../platform/http/errors';
import { identity, type UserRow } from '../identity';
import type { SessionsService } from '../sessions';

/** The platform's user directory: super admins find, disable and enable accounts. */
export function createUsersService(deps: Deps & { sessions: SessionsService }) {
  const { db, audit, sessions } = deps;

  async function present(users: UserRow[]): Promise<AdminUserOut[]> {
    const organizations = await identity.organizationsOfUsers(
      db,
      users.map((u) => u.id),
    );
    return users.map((u) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      isSuperAdmin: u.isSuperAdmin,
      createdAt: u.createdAt,
      disabledAt: u.disabledAt,
      mfaEnabled: u.mfaEnabledAt !== null,
      organizations: organizations.get(u.id) ?? [],
    }));
  }

  async function one(userId: string): Promise<AdminUserOut> {
    const user = await identity.findUserById(db, userId);
    if (!user) throw notFound('USER_NOT_FOUND', 'There is no user with that id.');
    const [out] = await present([user]);
    if (!out) throw notFound('USER_NOT_FOUND', 'There is no user with that id.');
    return out;
  }

  return {
    async list(caller: Caller, query: { q?: string | undefined; limit: number }): Promise<AdminUserOut[]> {
      requireSuperAdmin(caller);
      return present(await identity.searchUsers(db, query.q, query.limit));
    },

    /** Disabling ends every session of the account at once; sign-in then fails like a wrong password. */
    async disable(caller: Caller, userId: string, reason: string): Promise<AdminUserOut> {
      const admin = requireSuperAdmin(caller);
      requireStepUp(admin);
      if (admin.userId === userId) throw forbidden('FORBIDDEN', 'You cannot disable your own account.');
      await db.transaction().execute(async (trx) => {
        const user = await identity.findUserById(trx, userId);
        if (!user) throw notFound('USER_NOT_FOUND', 'There is no user with that id.');
        if (user.disabledAt) throw conflict('CONFLICT', 'This account is already disabled.');
        await identity.setUserDisabled(trx, userId, true);
        const ended = await sessions.revokeUserSessions(trx, userId, 'user_disabled');
        // A disabled super admin's impersonations are sessions of other users: end them by name.
        const impersonationsEnded = await sessions.revokeImpersonationsBy(trx, userId, 'user_disabled');
        await audit.record(trx, admin, {
          action: 'user.disabled',
          organizationId: null,
          targets: [{ type: 'user', id: userId }],
          metadata: { reason, sessionsEnded: ended, impersonationsEnded },
        });
      });
      return one(userId);
    },

    async enable(caller: Caller, userId: string): Promise<AdminUserOut> {
      const admin = requireSuperAdmin(caller);
      await db.transaction().execute(async (trx) => {
        const user = await identity.findUserById(trx, userId);
        if (!user) throw notFound('USER_NOT_FOUND', 'There is no user with that id.');
        if (!user.disabledAt) throw conflict('CONFLICT', 'This account is not disabled.');
        await identity.setUserDisabled(trx, userId, false);
        await audit.record(trx, admin, {
          action: 'user.enabled',
          organizationId: null,
          targets: [{ type: 'user', id: userId }],
        });
      });
      return one(userId);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
