import type { SignedIn } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import type { DB } from '../../platform/db/schema';
import {
  type Caller,
  type RequestMeta,
  requireStepUp,
  requireSuperAdmin,
  requireUser,
  type UserCaller,
} from '../../platform/http/caller';
import { AppError, badRequest, forbidden, notFound, unauthenticated } from '../../platform/http/errors';
import { identity, presentOrganization, presentUser } from '../identity';
import type { SessionsService } from '../sessions';

export interface HandedSession {
  result: SignedIn;
  token: string;
}

/**
 * Super admins act as a user to help them: with a reason, for a limited time, in a session of its
 * own that names them on every audit event. The admin's own session stays and is handed back (with
 * a new token) when impersonation stops.
 */
export function createImpersonationService(deps: Deps & { sessions: SessionsService }) {
  const { db, audit, sessions } = deps;

  /** The caller of a session that still stands (not ended, idle, expired or disabled), else null. */
  async function liveSession(
    trx: Transaction<DB>,
    sessionId: string,
    meta: RequestMeta,
  ): Promise<UserCaller | null> {
    try {
      // callerOf reads the row as it is; reload also checks that it still stands.
      return await sessions.reload(await sessions.callerOf(trx, sessionId, meta), trx);
    } catch (error) {
      if (error instanceof AppError && error.status === 401) return null;
      throw error;
    }
  }

  return {
    async start(
      caller: Caller,
      input: { userId: string; organizationId?: string | undefined; reason: string; minutes: number },
    ): Promise<HandedSession> {
      const admin = requireSuperAdmin(caller);
      if (admin.impersonator)
        throw forbidden('IMPERSONATION_FORBIDDEN', 'Stop the current impersonation first.');
      requireStepUp(admin);
      if (input.userId === admin.userId) throw badRequest('BAD_REQUEST', 'You cannot impersonate yourself.');
      const user = await identity.findUserById(db, input.userId);
      if (!user || user.disabledAt) throw notFound('USER_NOT_FOUND', 'There is no active user with that id.');
      // One super admin may not borrow another's platform powers.
      if (user.isSuperAdmin)
        throw forbidden('IMPERSONATION_FORBIDDEN', 'Super admins cannot be impersonated.');
      const memberships = await identity.listMembershipsOfUser(db, user.id);
      const organization = input.organizationId
        ? memberships.find((m) => m.id === input.organizationId)
        : memberships[0];
      if (!organization)
        throw notFound('ORGANIZATION_NOT_FOUND', 'The user is not a member of that organization.');
      return db.transaction().execute(async (trx) => {
        const opened = await sessions.open(trx, {
          user,
          organization,
          meta: admin.meta,
          method: 'impersonation',
          impersonation: { by: admin, reason: input.reason, minutes: input.minutes },
        });
        const asUser = await sessions.callerOf(trx, opened.id, admin.meta);
        await audit.record(trx, asUser, {
          action: 'impersonation.started',
          targets: [
            { type: 'user', id: user.id },
            { type: 'session', id: opened.id },
          ],
          metadata: { reason: input.reason, minutes: input.minutes, expiresAt: opened.expiresAt },
        });
        return {
          token: opened.token,
          result: {
            user: presentUser(user),
            organization: presentOrganization(organization),
            expiresAt: opened.expiresAt,
            mfaEnrollment: { required: false, deadline: null, blocking: false },
          },
        };
      });
    },

    /** Ends the impersonation session and hands the super admin their own session back. */
    async stop(caller: Caller): Promise<HandedSession> {
      const asUser = requireUser(caller);
      const impersonator = asUser.impersonator;
      if (!impersonator)
        throw badRequest('IMPERSONATION_NOT_ACTIVE', 'This session is not an impersonation.');
      await db.transaction().execute(async (trx) => {
        await sessions.revoke(trx, asUser.sessionId, 'impersonation_ended');
        await audit.record(trx, asUser, {
          action: 'impersonation.ended',
          targets: [
            { type: 'user', id: asUser.userId },
            { type: 'session', id: asUser.sessionId },
          ],
        });
      });
      const ownSessionId = impersonator.sessionId;
      const over = () => unauthenticated('Impersonation ended. Your own session is over too: sign in again.');
      if (!ownSessionId) throw over();
      return db.transaction().execute(async (trx) => {
        // Not just "not revoked": while the admin acted as the user, their own session may have passed
        // its idle timeout or lifetime (or the admin was disabled). A token for it would be dead on
        // arrival, so the admin signs in again instead.
        const adminCaller = await liveSession(trx, ownSessionId, asUser.meta);
        if (!adminCaller || adminCaller.userId !== impersonator.userId) throw over();
        const token = await sessions.rotate(trx, ownSessionId);
        const [admin, organization] = await Promise.all([
          identity.findUserById(trx, adminCaller.userId),
          adminCaller.organizationId ? identity.findOrganization(trx, adminCaller.organizationId) : undefined,
        ]);
        if (!admin) throw unauthenticated();
        return {
          token,
          result: {
            user: presentUser(admin),
            organization: organization ? presentOrganization(organization) : null,
            expiresAt: adminCaller.sessionExpiresAt,
            mfaEnrollment: adminCaller.mfaEnrollment,
          },
        };
      });
    },
  };
}

export type ImpersonationService = ReturnType<typeof createImpersonationService>;
