import { isPermission, type MeResult, type SignInResult } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { isoAfter } from '../../platform/clock';
import { dummyPasswordHash, verifyPassword } from '../../platform/crypto/passwords';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import { parseJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';
import {
  type AnonymousCaller,
  type Caller,
  type RequestMeta,
  requireUser,
  type UserCaller,
} from '../../platform/http/caller';
import { forbidden, notFound, rateLimited, unauthenticated } from '../../platform/http/errors';
import {
  effectivePermissions,
  identityStore,
  type OrganizationRow,
  presentOrganization,
  presentUser,
  type UserRow,
} from '../identity';
import * as store from './store';

export interface IssuedSession {
  result: SignInResult;
  token: string;
}

/** Sessions last-seen time is written at most this often, keeping the session check read-only. */
const TOUCH_INTERVAL_MS = 60_000;

export function createAuthService(deps: Deps) {
  const { db, config, limiter, audit } = deps;

  async function enforceSignInLimits(meta: RequestMeta, email: string): Promise<void> {
    const { perIp, perAccount, windowMs } = config.signInLimits;
    const byIp = await limiter.consume(`signin:ip:${meta.ip ?? 'unknown'}`, perIp, windowMs);
    if (!byIp.allowed) throw rateLimited(byIp.retryAfterSeconds);
    const byAccount = await limiter.consume(`signin:account:${email}`, perAccount, windowMs);
    if (!byAccount.allowed) throw rateLimited(byAccount.retryAfterSeconds);
  }

  /**
   * Verifies e-mail and password. An unknown e-mail costs the same argon2 verification as a wrong
   * password and gets the same answer, so neither timing nor message reveals which accounts exist.
   */
  async function verifyCredentials(
    meta: RequestMeta,
    email: string,
    password: string,
    organizationHint?: string,
  ): Promise<UserRow> {
    await enforceSignInLimits(meta, email);
    const user = await identityStore.findUserByEmail(db, email);
    const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    if (user && valid && !user.disabledAt) return user;
    await recordFailure(meta, email, user, organizationHint);
    throw unauthenticated('The e-mail or password is incorrect.', 'INVALID_CREDENTIALS');
  }

  async function recordFailure(meta: RequestMeta, email: string, user: UserRow | undefined, hint?: string) {
    const memberships = user ? await identityStore.listMembershipsOfUser(db, user.id) : [];
    const org = memberships.find((m) => m.id === hint || m.slug === hint) ?? memberships[0];
    const caller: AnonymousCaller = { kind: 'anonymous', meta };
    await db.transaction().execute((trx) =>
      audit.record(trx, caller, {
        action: 'user.sign_in_failed',
        outcome: 'failure',
        organizationId: org?.id ?? null,
        // The address tried is personal data: it is sealed as the actor's e-mail, never a target name.
        actor: { type: user ? 'user' : 'anonymous', id: user?.id ?? null, name: user?.name ?? null, email },
        targets: user ? [{ type: 'user', id: user.id }] : [],
        metadata: { reason: user ? (user.disabledAt ? 'disabled' : 'bad_password') : 'unknown_user' },
      }),
    );
  }

  /** Picks the organization to sign in to: the one asked for, else the oldest membership. */
  async function chooseOrganization(user: UserRow, requested?: string) {
    const memberships = await identityStore.listMembershipsOfUser(db, user.id);
    if (requested) {
      const match = memberships.find((m) => m.id === requested || m.slug === requested.toLowerCase());
      if (!match) throw forbidden('NO_ORGANIZATION', 'You are not a member of that organization.');
      return match;
    }
    const first = memberships[0];
    if (!first && !user.isSuperAdmin) {
      throw forbidden(
        'NO_ORGANIZATION',
        'You are not a member of any organization. Ask an admin to invite you.',
      );
    }
    return first ?? null;
  }

  /** Creates a session inside `trx` and records `user.signed_in`. */
  async function issueSession(
    trx: Transaction<DB>,
    user: UserRow,
    organization: OrganizationRow | null,
    meta: RequestMeta,
  ): Promise<IssuedSession> {
    const token = randomToken(32);
    const expiresAt = isoAfter(config.sessionTtlMs);
    const session = await store.insertSession(trx, {
      tokenHash: hashToken(token),
      userId: user.id,
      organizationId: organization?.id ?? null,
      expiresAt,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    const caller = userCallerFor(
      user,
      { id: session.id, organizationId: organization?.id ?? null, expiresAt },
      [],
      meta,
    );
    await audit.record(trx, caller, {
      action: 'user.signed_in',
      targets: [{ type: 'session', id: session.id }],
    });
    return {
      token,
      result: {
        user: presentUser(user),
        organization: organization ? presentOrganization(organization) : null,
        expiresAt,
      },
    };
  }

  async function callerFromRow(
    row: store.SessionContextRow | undefined,
    meta: RequestMeta,
  ): Promise<UserCaller | null> {
    if (!row || row.revokedAt || row.disabledAt) return null;
    const now = new Date();
    if (row.expiresAt <= now.toISOString()) return null;
    // A session pointing at an organization the user has left is dead.
    if (row.organizationId && row.roles == null) return null;
    if (now.getTime() - Date.parse(row.lastSeenAt) > TOUCH_INTERVAL_MS) {
      await store.touchSession(db, row.sessionId, now.toISOString());
    }
    const roles = row.roles == null ? [] : parseJson<unknown>(row.roles);
    const user = {
      id: row.userId,
      email: row.email,
      name: row.name,
      isSuperAdmin: row.isSuperAdmin === 1,
      createdAt: row.userCreatedAt,
    };
    const session = { id: row.sessionId, organizationId: row.organizationId, expiresAt: row.expiresAt };
    return userCallerFor(user, session, Array.isArray(roles) ? roles.map(String) : [], meta);
  }

  return {
    verifyCredentials,
    issueSession,

    async signIn(meta: RequestMeta, input: { email: string; password: string; organization?: string }) {
      const user = await verifyCredentials(meta, input.email, input.password, input.organization);
      const organization = await chooseOrganization(user, input.organization);
      return db.transaction().execute((trx) => issueSession(trx, user, organization, meta));
    },

    async signOut(caller: Caller): Promise<void> {
      const user = requireUser(caller);
      await db.transaction().execute(async (trx) => {
        await store.revokeSession(trx, user.sessionId);
        await audit.record(trx, user, {
          action: 'user.signed_out',
          targets: [{ type: 'session', id: user.sessionId }],
        });
      });
    },

    /** Resolves a session token to its caller, or null when it is unknown, expired or revoked. */
    async authenticate(token: string, meta: RequestMeta): Promise<UserCaller | null> {
      return callerFromRow(await store.findSessionContext(db, { tokenHash: hashToken(token) }), meta);
    },

    /** The same session, read again (after a change to its organization or roles). */
    async reload(caller: Caller): Promise<UserCaller> {
      const user = requireUser(caller);
      const fresh = await callerFromRow(
        await store.findSessionContext(db, { sessionId: user.sessionId }),
        user.meta,
      );
      if (!fresh) throw unauthenticated();
      return fresh;
    },

    async switchOrganization(caller: Caller, organizationId: string): Promise<void> {
      const user = requireUser(caller);
      const membership = await identityStore.findMembership(db, organizationId, user.userId);
      // Another tenant's organization is not found, whether or not it exists.
      if (!membership) throw notFound('ORGANIZATION_NOT_FOUND', 'You have no organization with that id.');
      await db.transaction().execute(async (trx) => {
        await store.setSessionOrganization(trx, user.sessionId, organizationId);
        await audit.record(
          trx,
          { ...user, organizationId },
          {
            action: 'user.organization_switched',
            targets: [{ type: 'organization', id: organizationId }],
            changes: { organizationId: [user.organizationId, organizationId] },
          },
        );
      });
    },

    /** Everything the console needs about the caller: one query beyond the session check. */
    async me(caller: Caller): Promise<MeResult> {
      const user = requireUser(caller);
      const organizations = await identityStore.listMembershipsOfUser(db, user.userId);
      const current = organizations.find((o) => o.id === user.organizationId);
      return {
        user: {
          id: user.userId,
          email: user.email,
          name: user.name,
          isSuperAdmin: user.isSuperAdmin,
          createdAt: user.userCreatedAt,
        },
        organization: current ? presentOrganization(current) : null,
        roles: [...user.roles],
        permissions: [...user.permissions].sort(),
        organizations: organizations.map((o) => ({ ...presentOrganization(o), roles: o.roles })),
        session: { id: user.sessionId, expiresAt: user.sessionExpiresAt },
      };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

export function userCallerFor(
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'isSuperAdmin' | 'createdAt'>,
  session: { id: string; organizationId: string | null; expiresAt: string },
  roles: string[],
  meta: RequestMeta,
): UserCaller {
  const permissions = session.organizationId ? effectivePermissions(roles).filter(isPermission) : [];
  return {
    kind: 'user',
    userId: user.id,
    email: user.email,
    name: user.name,
    isSuperAdmin: user.isSuperAdmin,
    userCreatedAt: user.createdAt,
    sessionId: session.id,
    sessionExpiresAt: session.expiresAt,
    organizationId: session.organizationId,
    roles,
    permissions: new Set(permissions),
    meta,
  };
}
