import type { MeResult, MfaChallenge, MfaProof, SignedIn } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { isoAfter } from '../../platform/clock';
import { dummyPasswordHash, verifyPassword } from '../../platform/crypto/passwords';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import {
  type AnonymousCaller,
  type Caller,
  forbidDuringImpersonation,
  type RequestMeta,
  requireUser,
  stepUpUntil,
} from '../../platform/http/caller';
import {
  AppError,
  badRequest,
  forbidden,
  notFound,
  rateLimited,
  unauthenticated,
} from '../../platform/http/errors';
import { sourceOf } from '../../platform/http/ip-source';
import type { RuleEnforcer } from '../access';
import { identity, type OrganizationRow, presentOrganization, presentUser, type UserRow } from '../identity';
import { authChallenges, type MfaVerifier, type VerifiedFactor, type WebAuthn } from '../mfa';
import type { AuthMethod, SessionsService } from '../sessions';
import {
  hashedEmail,
  type SignInAttempt,
  type SignInClearance,
  type SignInGuardPort,
  type SignInTrust,
} from './guard-port';
import { recordRecoveryCodeUse } from './step-up';
import type { ThrottleSummaries } from './throttled';

export interface IssuedSession {
  result: SignedIn;
  token: string;
  sessionId: string;
  /** A new trusted-device token for the browser's cookie (null when it already had one). */
  deviceToken?: string | null;
}

/** A sign-in either opens a session or, for a user with a factor, asks for it first. */
export type SignInOutcome =
  | { kind: 'session'; issued: IssuedSession }
  | { kind: 'challenge'; challenge: MfaChallenge };

const CHALLENGE_TTL_MS = 5 * 60_000;
/** Expired challenges are swept every this many passwordless options, once an hour past expiry. */
const SWEEP_EVERY = 100;
const STALE_AFTER_MS = 3_600_000;
const MAX_CHALLENGE_ATTEMPTS = 5;

/** Joins the organization of an invitation accepted with the password, once the factor is given. */
export type JoinAfterMfa = (
  trx: Transaction<DB>,
  invitationId: string,
  user: UserRow,
  meta: RequestMeta,
) => Promise<OrganizationRow>;

export interface AuthServiceDeps extends Deps {
  sessions: SessionsService;
  joinAfterMfa: JoinAfterMfa;
  /** The organization and roles a pending invitation joins (null when it is gone). */
  invitationTarget: (invitationId: string) => Promise<{ id: string; roles: string[] } | null>;
  verifier: MfaVerifier;
  webauthn: WebAuthn;
  /** The organization's access rules, applied before a session is opened in it. */
  ruleEnforcer: Pick<RuleEnforcer, 'checkSignIn'>;
  /** Threat responses (locks, IP blocks), the progressive delay and trusted origins. */
  signInGuard: SignInGuardPort;
  /** Where refusals before the password check are counted (one summary per account, source, window). */
  throttled: ThrottleSummaries;
}

/** Refusals before the password check that are still failed attempts (a 503 is not one). */
const REFUSAL_REASONS: Partial<Record<string, string>> = {
  RATE_LIMITED: 'rate_limited',
  SIGN_IN_DELAYED: 'delayed',
  IP_BLOCKED: 'ip_blocked',
};

/** Why an attempt was refused before its password was checked; undefined for other errors. */
function refusalReasonOf(error: AppError): string | undefined {
  const general = REFUSAL_REASONS[error.code];
  if (!general) return undefined;
  const detail = error.details as { reason?: unknown } | undefined;
  return typeof detail?.reason === 'string' ? detail.reason : general;
}

const challengeInvalid = () =>
  unauthenticated('The sign-in step expired or was already used. Sign in again.', 'MFA_CHALLENGE_INVALID');

export function createAuthService(deps: AuthServiceDeps) {
  const {
    db,
    config,
    limiter,
    audit,
    sessions,
    verifier,
    webauthn,
    joinAfterMfa,
    ruleEnforcer,
    signInGuard,
    throttled,
  } = deps;
  let challengesIssued = 0;

  /**
   * Fixed-window limits, counted before the password is checked and given back when it proves
   * right (the owner's sign-ins never count against them). Each trust level has buckets nobody
   * with less trust can fill: the account's own browser (device token) one per token and no per-IP
   * limit, so a flood from the owner's network, or from everywhere, never refuses it; a familiar IP
   * one per account and address; everyone else the account's shared one. Answers the keys counted.
   */
  async function enforceSignInLimits(attempt: SignInAttempt): Promise<string[]> {
    const { perIp, perAccount, windowMs } = config.signInLimits;
    // Keys name the account by id or by the address' hash (no e-mail kept in the limiter), and the
    // source by its IPv4 address or IPv6 /64 (one subscriber's /64 is one source).
    const source = sourceOf(attempt.ip);
    const buckets: Array<[string, number]> =
      attempt.trust === 'device'
        ? // Per token and account: a browser shared by two people is two buckets.
          [[`signin:device:${attempt.deviceTokenHash}:${attempt.accountKey}`, perAccount]]
        : [
            [`signin:ip:${source}`, perIp],
            [
              attempt.trust === 'familiar_ip'
                ? `signin:account:ip:${source}:${attempt.accountKey}`
                : `signin:account:${attempt.accountKey}`,
              perAccount,
            ],
          ];
    const counted: string[] = [];
    for (const [key, limit] of buckets) {
      const result = await limiter.consume(key, limit, windowMs);
      if (!result.allowed) throw rateLimited(result.retryAfterSeconds);
      counted.push(key);
    }
    return counted;
  }

  /** The attempt as the guard sees it: which account, whose organizations, how well known an origin? */
  async function attemptOf(
    meta: RequestMeta,
    email: string,
    user: UserRow | undefined,
    memberships: readonly { id: string; slug: string }[],
    hint?: string | null,
  ): Promise<SignInAttempt> {
    const target = memberships.find((m) => m.id === hint || m.slug === hint?.toLowerCase()) ?? memberships[0];
    const known = user
      ? await signInGuard.trustOf(user.id, meta)
      : { trust: 'none' as const, deviceTokenHash: null };
    return {
      userId: user?.id ?? null,
      organizationIds: memberships.map((m) => m.id),
      organizationId: target?.id ?? null,
      accountKey: user ? `user:${user.id}` : `email:${hashedEmail(email)}`,
      ip: meta.ip,
      ...known,
    };
  }

  /** A refusal before the password check: counted into its account's summary, not stored alone. */
  function noteThrottled(
    meta: RequestMeta,
    email: string,
    user: UserRow | undefined,
    attempt: SignInAttempt,
    reason: string,
  ): void {
    throttled.note({
      organizationId: attempt.organizationId,
      user: user ? { id: user.id, name: user.name } : null,
      email,
      accountKey: attempt.accountKey,
      ip: meta.ip,
      userAgent: meta.userAgent,
      trust: attempt.trust,
      reason,
    });
  }

  /**
   * Verifies e-mail and password. An unknown e-mail costs the same argon2 verification as a wrong
   * password and gets the same answer, so neither timing nor message reveals which accounts exist.
   * Before the password is looked at, the limits and the guard (locks, IP blocks, the progressive
   * delay, the cap on accounts per IP) may refuse the attempt: those refusals are summarised;
   * attempts that reach the password check are each recorded, so detection sees the attack.
   */
  async function verifyCredentials(
    meta: RequestMeta,
    email: string,
    password: string,
    organizationHint?: string,
  ): Promise<UserRow> {
    return (await checkCredentials(meta, email, password, organizationHint)).user;
  }

  async function checkCredentials(
    meta: RequestMeta,
    email: string,
    password: string,
    organizationHint?: string,
  ) {
    const user = await identity.findUserByEmail(db, email);
    const memberships = user ? await identity.listMembershipsOfUser(db, user.id) : [];
    const attempt = await attemptOf(meta, email, user, memberships, organizationHint);
    const failure = (reason: string) =>
      recordFailure(meta, email, user, organizationHint, reason, attempt.trust, memberships);
    let clearance: SignInClearance;
    let counted: string[] = [];
    try {
      counted = await enforceSignInLimits(attempt);
      clearance = await signInGuard.check(attempt);
    } catch (error) {
      const reason = error instanceof AppError ? refusalReasonOf(error) : undefined;
      if (reason) noteThrottled(meta, email, user, attempt, reason);
      throw error;
    }
    const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    if (user && valid && !user.disabledAt) {
      try {
        clearance.assertNotLocked();
      } catch (error) {
        await failure('locked');
        throw error;
      }
      await Promise.all([signInGuard.succeeded(attempt), ...counted.map((key) => limiter.release(key))]);
      return { user, memberships };
    }
    await failure(user ? (user.disabledAt ? 'disabled' : 'bad_password') : 'unknown_user');
    await signInGuard.failed(attempt);
    throw unauthenticated('The e-mail or password is incorrect.', 'INVALID_CREDENTIALS');
  }

  async function recordFailure(
    meta: RequestMeta,
    email: string | null,
    user: UserRow | undefined,
    hint: string | undefined,
    reason: string,
    trust: SignInTrust = 'none',
    knownMemberships?: readonly { id: string; slug: string }[],
  ) {
    const memberships = knownMemberships ?? (user ? await identity.listMembershipsOfUser(db, user.id) : []);
    const org = memberships.find((m) => m.id === hint || m.slug === hint) ?? memberships[0];
    const caller: AnonymousCaller = { kind: 'anonymous', meta };
    await audit.recordAlone(caller, {
      action: 'user.sign_in_failed',
      outcome: 'failure',
      organizationId: org?.id ?? null,
      // The address tried is personal data: it is sealed as the actor's e-mail, never a target name.
      actor: {
        type: user ? 'user' : 'anonymous',
        id: user?.id ?? null,
        name: user?.name ?? null,
        ...(email ? { email } : {}),
      },
      targets: user ? [{ type: 'user', id: user.id }] : [],
      // trustedOrigin stays for readers of older events: true only for the user's own browser now.
      metadata: { reason, trust, trustedOrigin: trust === 'device' },
    });
  }

  /**
   * Picks the organization to sign in to: the one asked for, else the oldest membership. The
   * password step already read the memberships; it hands them over rather than read them again.
   */
  async function chooseOrganization(
    user: UserRow,
    requested?: string | null,
    known?: Awaited<ReturnType<typeof identity.listMembershipsOfUser>>,
  ) {
    const memberships = known ?? (await identity.listMembershipsOfUser(db, user.id));
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

  /** The access rules of the organization the new session lands in; super admins are not exempt. */
  async function checkAccessRules(
    user: UserRow,
    organization: { id: string; roles: string[] } | null,
    meta: RequestMeta,
  ): Promise<void> {
    if (!organization) return;
    await ruleEnforcer.checkSignIn({
      user,
      organizationId: organization.id,
      roles: organization.roles,
      meta,
    });
  }

  /** Opens a session inside `trx` and records `user.signed_in` (and a new device or country). */
  async function issueSession(
    trx: Transaction<DB>,
    user: UserRow,
    organization: OrganizationRow | null,
    meta: RequestMeta,
    method: AuthMethod = 'password',
  ): Promise<IssuedSession> {
    const opened = await sessions.open(trx, { user, organization, meta, method });
    const caller = await sessions.callerOf(trx, opened.id, meta);
    const deviceToken = await signInGuard.rememberDevice(trx, user.id, meta);
    const device = { device: opened.deviceLabel, country: opened.country };
    await audit.record(trx, caller, {
      action: 'user.signed_in',
      targets: [{ type: 'session', id: opened.id }],
      metadata: { method, ...device, newDevice: opened.newDevice, newCountry: opened.newCountry },
    });
    if (opened.newDevice || opened.newCountry) {
      await audit.record(trx, caller, {
        action: 'user.new_device_signed_in',
        targets: [
          { type: 'session', id: opened.id },
          { type: 'user', id: user.id },
        ],
        metadata: { ...device, newDevice: opened.newDevice, newCountry: opened.newCountry },
      });
    }
    return {
      token: opened.token,
      sessionId: opened.id,
      deviceToken,
      result: {
        user: presentUser(user),
        organization: organization ? presentOrganization(organization) : null,
        expiresAt: opened.expiresAt,
        mfaEnrollment: caller.mfaEnrollment,
      },
    };
  }

  /** After the password (or an invitation): a session, or the MFA step when the user has a factor. */
  async function completeSignIn(
    trx: Transaction<DB>,
    user: UserRow,
    organization: OrganizationRow | null,
    meta: RequestMeta,
    invitationId: string | null = null,
  ): Promise<SignInOutcome> {
    if (!user.mfaEnabledAt)
      return { kind: 'session', issued: await issueSession(trx, user, organization, meta) };
    const methods = await verifier.methodsOf(user.id, trx);
    const challenge = randomToken(32);
    const expiresAt = isoAfter(CHALLENGE_TTL_MS);
    await authChallenges.insertChallenge(trx, {
      tokenHash: hashToken(challenge),
      kind: 'sign_in_mfa',
      userId: user.id,
      sessionId: null,
      organizationId: organization?.id ?? null,
      webauthnChallenge: null,
      invitationId,
      expiresAt,
    });
    await audit.record(
      trx,
      { kind: 'anonymous', meta },
      {
        action: 'user.mfa_challenged',
        organizationId: organization?.id ?? null,
        actor: { type: 'user', id: user.id, name: user.name },
        targets: [{ type: 'user', id: user.id }],
        metadata: { methods },
      },
    );
    return { kind: 'challenge', challenge: { mfaRequired: true, challenge, methods, expiresAt } };
  }

  async function openChallenge(token: string) {
    const challenge = await authChallenges.findChallenge(db, hashToken(token), 'sign_in_mfa');
    if (!challenge?.userId || challenge.attempts >= MAX_CHALLENGE_ATTEMPTS) throw challengeInvalid();
    const user = await identity.findUserById(db, challenge.userId);
    if (!user || user.disabledAt) throw challengeInvalid();
    // A password change ends every session; a sign-in half done with the old password ends with them.
    if (Date.parse(user.passwordChangedAt) > Date.parse(challenge.createdAt)) throw challengeInvalid();
    return { challenge, user };
  }

  return {
    verifyCredentials,
    issueSession,
    completeSignIn,

    async signIn(meta: RequestMeta, input: { email: string; password: string; organization?: string }) {
      const { user, memberships } = await checkCredentials(
        meta,
        input.email,
        input.password,
        input.organization,
      );
      const organization = await chooseOrganization(user, input.organization, memberships);
      await checkAccessRules(user, organization, meta);
      if (!user.mfaEnabledAt) await sessions.checkLimit(user, organization?.id ?? null, meta);
      return db.transaction().execute((trx) => completeSignIn(trx, user, organization, meta));
    },

    /** The second step of sign-in: a TOTP code, a recovery code or a passkey for the challenge. */
    async verifyMfa(meta: RequestMeta, input: { challenge: string } & MfaProof): Promise<IssuedSession> {
      const { challenge, user } = await openChallenge(input.challenge);
      // A lock or block placed since the password step applies here too.
      const memberships = await identity.listMembershipsOfUser(db, user.id);
      const attempt = await attemptOf(meta, user.email, user, memberships, challenge.organizationId);
      // The password step already counted this attempt for the delay.
      (await signInGuard.check(attempt, { count: false })).assertNotLocked();
      // The attempt is taken before the answer is checked: answers sent in parallel cannot all slip
      // past the limit, as they could if each read the count and added to it after failing.
      if (!(await authChallenges.takeAttempt(db, challenge.id, MAX_CHALLENGE_ATTEMPTS))) {
        throw challengeInvalid();
      }
      let verified: VerifiedFactor;
      try {
        verified = await verifier.verify(user.id, input, challenge.webauthnChallenge);
      } catch (error) {
        if (error instanceof AppError && error.status === 400) {
          await audit.recordAlone(
            { kind: 'anonymous', meta },
            {
              action: 'user.mfa_failed',
              outcome: 'failure',
              organizationId: challenge.organizationId,
              actor: { type: 'user', id: user.id, name: user.name },
              targets: [{ type: 'user', id: user.id }],
              metadata: { method: input.method, reason: error.code },
            },
          );
        }
        throw error;
      }
      if (!(await authChallenges.consumeChallenge(db, challenge.id))) throw challengeInvalid();
      const { invitationId } = challenge;
      // Joining through an invitation happens now, with the session, not on the password alone.
      const organization = invitationId ? null : await chooseOrganization(user, challenge.organizationId);
      // Joining is a sign-in into the invitation's organization, with the invitation's roles.
      await checkAccessRules(
        user,
        invitationId ? await deps.invitationTarget(invitationId) : organization,
        meta,
      );
      if (!invitationId) await sessions.checkLimit(user, organization?.id ?? null, meta);
      return db.transaction().execute(async (trx) => {
        const joined = invitationId ? await joinAfterMfa(trx, invitationId, user, meta) : organization;
        const issued = await issueSession(trx, user, joined, meta, `password+${verified.method}`);
        const caller = await sessions.callerOf(trx, issued.sessionId, meta);
        await recordRecoveryCodeUse(audit, trx, caller, verified);
        return issued;
      });
    },

    async mfaPasskeyOptions(token: string) {
      const { challenge, user } = await openChallenge(token);
      const options = await verifier.passkeyOptions(user.id);
      await authChallenges.setChallengeWebauthn(db, challenge.id, options.challenge);
      return { options: { ...options } };
    },

    /** Options for passwordless sign-in with whichever discoverable passkey of this site. */
    async passkeySignInOptions(meta: RequestMeta) {
      // Anyone may ask, so asking is limited per IP like sign-in, and old ceremonies are swept.
      const byIp = await limiter.consume(
        `passkey-options:ip:${meta.ip ?? 'unknown'}`,
        config.signInLimits.perIp,
        config.signInLimits.windowMs,
      );
      if (!byIp.allowed) throw rateLimited(byIp.retryAfterSeconds);
      challengesIssued += 1;
      if (challengesIssued % SWEEP_EVERY === 0) {
        await authChallenges.deleteStaleChallenges(db, new Date(Date.now() - STALE_AFTER_MS).toISOString());
      }
      const options = await webauthn.authenticationOptions(null, 'required');
      const ceremony = randomToken(32);
      await authChallenges.insertChallenge(db, {
        tokenHash: hashToken(ceremony),
        kind: 'passkey_sign_in',
        userId: null,
        sessionId: null,
        organizationId: null,
        webauthnChallenge: options.challenge,
        expiresAt: isoAfter(CHALLENGE_TTL_MS),
      });
      return { options: { ...options }, ceremony };
    },

    async passkeySignIn(
      meta: RequestMeta,
      input: {
        ceremony: string;
        response: Extract<MfaProof, { method: 'passkey' }>['response'];
        organization?: string;
      },
    ): Promise<IssuedSession> {
      const ceremony = await authChallenges.findChallenge(db, hashToken(input.ceremony), 'passkey_sign_in');
      if (!ceremony?.webauthnChallenge || !(await authChallenges.consumeChallenge(db, ceremony.id))) {
        throw badRequest('PASSKEY_CEREMONY_INVALID', 'The passkey request expired or was used. Try again.');
      }
      let userId: string;
      try {
        ({ userId } = await verifier.verifyPasswordless(
          { method: 'passkey', response: input.response },
          ceremony.webauthnChallenge,
        ));
      } catch (error) {
        if (error instanceof AppError && error.status === 400)
          await recordFailure(meta, null, undefined, undefined, 'passkey_rejected');
        throw error;
      }
      const user = await identity.findUserById(db, userId);
      if (!user || user.disabledAt) {
        await recordFailure(meta, null, user, input.organization, 'disabled');
        throw unauthenticated('This account cannot sign in.', 'INVALID_CREDENTIALS');
      }
      // A passkey is the user's own device: only "everywhere" locks and blocks stop it.
      const memberships = await identity.listMembershipsOfUser(db, user.id);
      const attempt = await attemptOf(meta, user.email, user, memberships, input.organization);
      (await signInGuard.check({ ...attempt, trust: 'device' })).assertNotLocked();
      const organization = await chooseOrganization(user, input.organization);
      await checkAccessRules(user, organization, meta);
      await sessions.checkLimit(user, organization?.id ?? null, meta);
      return db.transaction().execute((trx) => issueSession(trx, user, organization, meta, 'passkey'));
    },

    async signOut(caller: Caller): Promise<void> {
      const user = requireUser(caller);
      await db.transaction().execute(async (trx) => {
        await sessions.revoke(trx, user.sessionId, 'signed_out');
        // A super admin signing out ends the impersonations they started too.
        if (user.isSuperAdmin && !user.impersonator) {
          await sessions.revokeImpersonationsBy(trx, user.userId, 'signed_out');
        }
        await audit.record(trx, user, {
          action: 'user.signed_out',
          targets: [{ type: 'session', id: user.sessionId }],
        });
      });
    },

    authenticate: (token: string, meta: RequestMeta) => sessions.authenticate(token, meta),
    reload: (caller: Caller) => sessions.reload(caller),

    /** A privilege change: the session moves organization and gets a new token. */
    async switchOrganization(caller: Caller, organizationId: string): Promise<string> {
      const user = requireUser(caller);
      // An impersonation is started for one organization; it stays there.
      forbidDuringImpersonation(user);
      const membership = await identity.findMembership(db, organizationId, user.userId);
      // Another tenant's organization is not found, whether or not it exists.
      if (!membership) throw notFound('ORGANIZATION_NOT_FOUND', 'You have no organization with that id.');
      await ruleEnforcer.checkSignIn({
        user: { id: user.userId, name: user.name },
        organizationId,
        roles: membership.roles,
        meta: user.meta,
      });
      // Moving in counts against the organization's concurrent-session limit like signing in does.
      const row = await identity.findUserById(db, user.userId);
      if (!row) throw unauthenticated();
      await sessions.checkLimit(row, organizationId, user.meta);
      return db.transaction().execute(async (trx) => {
        await sessions.makeRoom(trx, row, organizationId, user.meta, user.sessionId);
        await sessions.setOrganization(trx, user.sessionId, organizationId);
        const token = await sessions.rotate(trx, user.sessionId);
        await audit.record(
          trx,
          { ...user, organizationId },
          {
            action: 'user.organization_switched',
            targets: [{ type: 'organization', id: organizationId }],
            changes: { organizationId: [user.organizationId, organizationId] },
          },
        );
        return token;
      });
    },

    /** Everything the console needs about the caller: one query beyond the session check. */
    async me(caller: Caller): Promise<MeResult> {
      const user = requireUser(caller);
      const organizations = await identity.listMembershipsOfUser(db, user.userId);
      const current = organizations.find((o) => o.id === user.organizationId);
      const impersonation = user.impersonator
        ? {
            impersonator: {
              id: user.impersonator.userId,
              name: user.impersonator.name,
              email: user.impersonator.email,
            },
            reason: user.impersonator.reason,
            expiresAt: user.sessionExpiresAt,
          }
        : null;
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
        organizationTimeZone: current?.timeZone ?? null,
        session: { id: user.sessionId, expiresAt: user.sessionExpiresAt, stepUpUntil: stepUpUntil(user) },
        mfaEnrollment: user.mfaEnrollment,
        impersonation,
      };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
