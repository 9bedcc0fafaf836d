import type { SecurityPolicy, SessionList, SessionListQuery, SessionOut } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { isoAfter, nowIso } from '../../platform/clock';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import {
  authorize,
  type Caller,
  forbidDuringImpersonation,
  type RequestMeta,
  requireStepUp,
  requireUser,
  type UserCaller,
} from '../../platform/http/caller';
import { deviceInfo } from '../../platform/http/device';
import { conflict, notFound, unauthenticated } from '../../platform/http/errors';
import { type AccessPolicies, DEFAULT_ACCESS } from '../access';
import { identity, type OrganizationRow, type UserRow } from '../identity';
import { DEFAULT_IDLE_TIMEOUT_MINUTES, type SecurityPolicyService } from '../security';
import { callerFromContext, isLive } from './context';
import * as store from './store';

/** The session check writes last-seen at most this often, keeping it a read. */
const TOUCH_INTERVAL_MS = 60_000;
const NO_DEVICE = { userAgent: null, acceptLanguage: null, chUa: null, chUaPlatform: null, chUaMobile: null };

export type AuthMethod =
  | 'password'
  | 'password+totp'
  | 'password+passkey'
  | 'password+recovery_code'
  | 'passkey'
  | 'impersonation';

export interface OpenSessionInput {
  user: UserRow;
  organization: OrganizationRow | null;
  meta: RequestMeta;
  method: AuthMethod;
  impersonation?: { by: UserCaller; reason: string; minutes: number };
}

export interface OpenedSession {
  id: string;
  token: string;
  expiresAt: string;
  deviceLabel: string;
  country: string | null;
  newDevice: boolean;
  newCountry: boolean;
}

export function createSessionsService(
  deps: Deps & { policies: SecurityPolicyService; accessPolicies: AccessPolicies },
) {
  const { db, audit, geo, policies, accessPolicies } = deps;

  /** The row's caller, with the permissions of its roles under the organization's current policy. */
  async function callerOfRow(
    executor: Deps['db'] | Transaction<DB>,
    row: store.SessionContextRow,
    meta: RequestMeta,
    now: number,
  ): Promise<UserCaller> {
    const access = row.organizationId
      ? await accessPolicies.at(executor, row.organizationId, row.accessVersion ?? 0)
      : DEFAULT_ACCESS;
    return callerFromContext(row, meta, now, access);
  }

  const liveFilter = (now: number) => (row: store.SessionListRow) =>
    now - Date.parse(row.lastSeenAt) <= (row.idleTimeoutMinutes ?? DEFAULT_IDLE_TIMEOUT_MINUTES) * 60_000;

  function present(row: store.SessionListRow, currentSessionId: string | null): SessionOut {
    return {
      id: row.id,
      userId: row.userId,
      userName: row.userName,
      userEmail: row.userEmail,
      organizationId: row.organizationId,
      createdAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
      expiresAt: row.expiresAt,
      ip: row.ip,
      country: row.country,
      device: row.deviceLabel,
      newDevice: row.newDevice === 1,
      newCountry: row.newCountry === 1,
      current: row.id === currentSessionId,
      impersonatedBy: row.impersonatorName,
    };
  }

  /**
   * Live sessions, newest first. The idle timeout is each session's organization's, so it is applied
   * here; pages are read until `limit` live ones are found, or idle sessions would eat the limit and
   * hide active older ones.
   */
  async function list(
    currentSessionId: string | null,
    filter: { organizationId?: string; userId?: string; limit: number },
  ) {
    const now = Date.now();
    const live = liveFilter(now);
    const sessions: SessionOut[] = [];
    for (let offset = 0; sessions.length < filter.limit; offset += filter.limit) {
      const rows = await store.listLiveSessions(db, { ...filter, offset, now: new Date(now).toISOString() });
      for (const row of rows.filter(live)) sessions.push(present(row, currentSessionId));
      if (rows.length < filter.limit) break;
    }
    return { sessions: sessions.slice(0, filter.limit) };
  }

  async function recordRevoked(
    trx: Transaction<DB>,
    caller: UserCaller,
    session: { id: string; userId: string; organizationId: string | null },
  ) {
    await audit.record(trx, caller, {
      action: 'session.revoked',
      organizationId: session.organizationId ?? caller.organizationId,
      targets: [
        { type: 'session', id: session.id },
        { type: 'user', id: session.userId },
      ],
    });
  }

  return {
    /** Resolves a session token to its caller, or null when it is unknown, ended, expired or idle. */
    async authenticate(
      token: string,
      meta: RequestMeta,
      options: { touch?: boolean } = {},
    ): Promise<UserCaller | null> {
      const row = await store.findSessionContext(db, { tokenHash: hashToken(token) });
      const now = Date.now();
      if (!row || !isLive(row, now)) return null;
      // A look at the session by someone else (a host app asking about it) is not its holder's activity.
      if (options.touch !== false && now - Date.parse(row.lastSeenAt) > TOUCH_INTERVAL_MS) {
        await store.touchSession(db, row.sessionId, new Date(now).toISOString());
      }
      return callerOfRow(db, row, meta, now);
    },

    /** The same session read again (after a change to its organization, roles or verification). */
    async reload(caller: Caller, executor: Deps['db'] = db): Promise<UserCaller> {
      const user = requireUser(caller);
      const row = await store.findSessionContext(executor, { sessionId: user.sessionId });
      const now = Date.now();
      if (!row || !isLive(row, now)) throw unauthenticated();
      return callerOfRow(executor, row, user.meta, now);
    },

    /** The caller a session stands for, read inside a transaction (right after it was opened). */
    async callerOf(
      executor: Deps['db'] | Transaction<DB>,
      sessionId: string,
      meta: RequestMeta,
    ): Promise<UserCaller> {
      const row = await store.findSessionContext(executor as Deps['db'], { sessionId });
      if (!row) throw unauthenticated();
      return callerOfRow(executor, row, meta, Date.now());
    },

    /**
     * The concurrent-session limit, checked before the sign-in transaction: "deny new" refuses here
     * (and records why); "end oldest" makes room inside `open`.
     */
    async checkLimit(user: UserRow, organizationId: string | null, meta: RequestMeta): Promise<void> {
      const policy = await policies.policyOf(db, organizationId);
      if (policy.maxConcurrentSessions === 0 || policy.sessionLimitAction !== 'deny_new') return;
      const live = await liveSessionIds(db, user.id, organizationId, policy.idleTimeoutMinutes);
      if (live.length < policy.maxConcurrentSessions) return;
      await audit.recordAlone(
        { kind: 'anonymous', meta },
        {
          action: 'session.limit_reached',
          outcome: 'denied',
          organizationId,
          actor: { type: 'user', id: user.id, name: user.name },
          targets: [{ type: 'user', id: user.id }],
          metadata: { limit: policy.maxConcurrentSessions, action: 'deny_new' },
        },
      );
      throw conflict(
        'SESSION_LIMIT_REACHED',
        `You already have ${live.length} active sessions, the most this organization allows. Sign out on another device first.`,
        { limit: policy.maxConcurrentSessions },
      );
    },

    /** Creates a session inside `trx`: lifetime and limits from the policy, device and country noted. */
    async open(trx: Transaction<DB>, input: OpenSessionInput): Promise<OpenedSession> {
      const { user, organization, meta, impersonation } = input;
      const policy = await policies.policyOf(trx, organization?.id ?? null);
      const lifetimeMs = impersonation
        ? impersonation.minutes * 60_000
        : policy.absoluteLifetimeHours * 3_600_000;
      const device = deviceInfo(meta.device ?? NO_DEVICE);
      const country = geo.country(meta.ip);
      if (!impersonation) await makeRoom(trx, user, organization?.id ?? null, meta, null, policy);
      // A first sign-in is not "new": only a device or country unlike the user's history is.
      let newDevice = false;
      let newCountry = false;
      if (!impersonation) {
        const seenDevice = await store.rememberOrigin(
          trx,
          user.id,
          'device',
          device.fingerprint,
          device.label,
        );
        newDevice = seenDevice.isNew && seenDevice.hadHistory;
        if (country) {
          const seenCountry = await store.rememberOrigin(trx, user.id, 'country', country, null);
          newCountry = seenCountry.isNew && seenCountry.hadHistory;
        }
      }
      const token = randomToken(32);
      // An impersonation never outlives the super admin's own session.
      const expiresAt = impersonation
        ? new Date(
            Math.min(Date.now() + lifetimeMs, Date.parse(impersonation.by.sessionExpiresAt)),
          ).toISOString()
        : isoAfter(lifetimeMs);
      const session = await store.insertSession(trx, {
        tokenHash: hashToken(token),
        userId: user.id,
        organizationId: organization?.id ?? null,
        expiresAt,
        ip: meta.ip,
        userAgent: meta.userAgent,
        // Impersonation does not inherit the super admin's verification: sensitive actions ask again.
        stepUpAt: impersonation ? null : nowIso(),
        authMethod: input.method,
        deviceFingerprint: device.fingerprint,
        deviceLabel: device.label,
        country,
        newDevice: newDevice ? 1 : 0,
        newCountry: newCountry ? 1 : 0,
        impersonatorId: impersonation?.by.userId ?? null,
        impersonation: impersonation
          ? JSON.stringify({
              userId: impersonation.by.userId,
              sessionId: impersonation.by.sessionId,
              reason: impersonation.reason,
              name: impersonation.by.name,
              email: impersonation.by.email,
            })
          : null,
      });
      return { id: session.id, token, expiresAt, deviceLabel: device.label, country, newDevice, newCountry };
    },

    makeRoom,

    /** A fresh token for the session (re-authentication or privilege change). */
    async rotate(trx: Transaction<DB>, sessionId: string): Promise<string> {
      const token = randomToken(32);
      await store.replaceToken(trx, sessionId, hashToken(token));
      return token;
    },

    /**
     * After a password or factor change: every other session of the user ends; the current one gets
     * a new token if the user chose to stay signed in, and ends otherwise.
     */
    async afterCredentialChange(
      trx: Transaction<DB>,
      user: UserCaller,
      reason: store.RevokeReason,
      keepCurrentSession: boolean,
    ): Promise<{ token: string | null; ended: number }> {
      const own = await store.revokeUserSessions(trx, user.userId, reason, {
        exceptSessionId: user.sessionId,
      });
      // A super admin's impersonations are other users' sessions opened on this credential's authority.
      const ended = own + (await store.revokeSessionsImpersonatedBy(trx, user.userId, reason));
      if (!keepCurrentSession) {
        await store.revokeSession(trx, user.sessionId, reason);
        return { token: null, ended: ended + 1 };
      }
      const token = randomToken(32);
      await store.replaceToken(trx, user.sessionId, hashToken(token));
      return { token, ended };
    },

    markSteppedUp: (trx: Transaction<DB>, sessionId: string) => store.markSteppedUp(trx, sessionId, nowIso()),
    setOrganization: store.setSessionOrganization,
    revoke: store.revokeSession,
    revokeUserSessions: store.revokeUserSessions,
    /** The impersonation sessions a super admin opened: they act on the admin's authority. */
    revokeImpersonationsBy: store.revokeSessionsImpersonatedBy,
    findSession: store.findSession,

    // ---- the user's own sessions ----

    async listMine(caller: Caller): Promise<z.infer<typeof SessionList>> {
      const user = requireUser(caller);
      return list(user.sessionId, { userId: user.userId, limit: 200 });
    },

    async revokeMine(caller: Caller, sessionId: string): Promise<void> {
      const user = requireUser(caller);
      // Ending the user's sessions would sign the real user out from under an impersonator.
      forbidDuringImpersonation(user);
      // ASVS 7.5.2: ending sessions follows a fresh verification (the sign-in itself counts).
      requireStepUp(user);
      await db.transaction().execute(async (trx) => {
        const session = await store.findSession(trx, sessionId);
        if (!session || session.userId !== user.userId || session.revokedAt) {
          throw notFound('SESSION_NOT_FOUND', 'You have no active session with that id.');
        }
        await store.revokeSession(trx, sessionId, 'revoked_by_user');
        await recordRevoked(trx, user, session);
      });
    },

    /** "Sign out everywhere else". */
    async revokeMyOthers(caller: Caller): Promise<number> {
      const user = requireUser(caller);
      forbidDuringImpersonation(user);
      requireStepUp(user);
      return db.transaction().execute(async (trx) => {
        // "Everywhere else" includes the impersonations this user (a super admin) left running.
        const revoked =
          (await store.revokeUserSessions(trx, user.userId, 'revoked_by_user', {
            exceptSessionId: user.sessionId,
          })) + (await store.revokeSessionsImpersonatedBy(trx, user.userId, 'revoked_by_user'));
        await audit.record(trx, user, {
          action: 'session.revoked_all',
          targets: [{ type: 'user', id: user.userId }],
          metadata: { scope: 'own_other_sessions', revoked },
        });
        return revoked;
      });
    },

    // ---- admins ----

    async listForOrganization(caller: Caller, query: z.infer<typeof SessionListQuery>) {
      const admin = authorize(caller, 'sessions:read');
      if (query.userId) await requireMember(admin.organizationId, query.userId);
      // An API key with sessions:read may list too (a SIEM, say); it has no session to mark current.
      return list(admin.kind === 'user' ? admin.sessionId : null, {
        organizationId: admin.organizationId,
        limit: query.limit,
        ...(query.userId ? { userId: query.userId } : {}),
      });
    },

    async revokeForAdmin(caller: Caller, sessionId: string): Promise<void> {
      const admin = authorize(caller, 'sessions:revoke');
      await db.transaction().execute(async (trx) => {
        const session = await store.findSession(trx, sessionId);
        // Another organization's session is not found, whether or not it exists.
        if (!session || session.organizationId !== admin.organizationId || session.revokedAt) {
          throw notFound(
            'SESSION_NOT_FOUND',
            'There is no active session with that id in this organization.',
          );
        }
        await store.revokeSession(trx, sessionId, 'revoked_by_admin');
        await audit.record(trx, admin, {
          action: 'session.revoked',
          targets: [
            { type: 'session', id: session.id },
            { type: 'user', id: session.userId },
          ],
          metadata: { by: 'admin' },
        });
      });
    },

    /** Force logout: one member's sessions in this organization, or everyone's but the caller's. */
    async revokeManyForAdmin(caller: Caller, userId: string | undefined): Promise<number> {
      const admin = authorize(caller, 'sessions:revoke');
      if (userId) await requireMember(admin.organizationId, userId);
      const ownSession = admin.kind === 'user' ? admin.sessionId : null;
      return db.transaction().execute(async (trx) => {
        const revoked = userId
          ? await store.revokeUserSessions(trx, userId, 'revoked_by_admin', {
              organizationId: admin.organizationId,
              ...(ownSession ? { exceptSessionId: ownSession } : {}),
            })
          : await store.revokeOrganizationSessions(trx, admin.organizationId, ownSession);
        await audit.record(trx, admin, {
          action: 'session.revoked_all',
          targets: userId
            ? [{ type: 'user', id: userId }]
            : [{ type: 'organization', id: admin.organizationId }],
          metadata: { scope: userId ? 'member' : 'organization', revoked },
        });
        return revoked;
      });
    },
  };

  async function requireMember(organizationId: string, userId: string): Promise<void> {
    const membership = await identity.findMembership(db, organizationId, userId);
    if (!membership)
      throw notFound('MEMBER_NOT_FOUND', 'There is no member with that id in this organization.');
  }

  /**
   * "End oldest": ends the user's oldest sessions in the organization so that one more fits (sparing
   * `keep`, the session that is moving in). "Deny new" was decided before, by checkLimit.
   */
  async function makeRoom(
    trx: Transaction<DB>,
    user: Pick<UserRow, 'id' | 'name'>,
    organizationId: string | null,
    meta: RequestMeta,
    keep: string | null,
    /** The organization's policy when the caller has just read it in this transaction. */
    known?: SecurityPolicy,
  ): Promise<void> {
    const policy = known ?? (await policies.policyOf(trx, organizationId));
    if (policy.maxConcurrentSessions === 0) return;
    const live = (await liveSessionIds(trx, user.id, organizationId, policy.idleTimeoutMinutes)).filter(
      (id) => id !== keep,
    );
    const excess = live.length - policy.maxConcurrentSessions + 1;
    for (const id of live.slice(0, Math.max(0, excess))) {
      await store.revokeSession(trx, id, 'session_limit');
      await audit.record(
        trx,
        { kind: 'anonymous', meta },
        {
          action: 'session.revoked',
          organizationId,
          actor: { type: 'user', id: user.id, name: user.name },
          targets: [
            { type: 'session', id },
            { type: 'user', id: user.id },
          ],
          metadata: { reason: 'session_limit', limit: policy.maxConcurrentSessions },
        },
      );
    }
  }

  async function liveSessionIds(
    executor: Deps['db'] | Transaction<DB>,
    userId: string,
    organizationId: string | null,
    idleMinutes: number,
  ) {
    const now = Date.now();
    return store.liveSessionIdsOldestFirst(
      executor,
      userId,
      organizationId,
      new Date(now).toISOString(),
      new Date(now - idleMinutes * 60_000).toISOString(),
    );
  }
}

export type SessionsService = ReturnType<typeof createSessionsService>;
