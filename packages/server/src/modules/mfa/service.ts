import type { FactorAdded, FactorOut, MySecurity, TotpEnrollment } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { isoAfter } from '../../platform/clock';
import { hashPassword } from '../../platform/crypto/passwords';
import { hashToken, newId, randomToken } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import {
  type Caller,
  forbidDuringImpersonation,
  requireStepUp,
  requireUser,
  stepUpUntil,
  type UserCaller,
} from '../../platform/http/caller';
import { badRequest, conflict, notFound, unauthenticated } from '../../platform/http/errors';
import { identity } from '../identity';
import { mfaRequiredFor, type SecurityPolicyService } from '../security';
import type { SessionsService } from '../sessions';
import { formatRecoveryCode, type MfaSecrets, newRecoveryCode, RECOVERY_CODE_COUNT } from './secrets';
import * as store from './store';
import { matchTotpStep, newTotpSecret, qrSvg, totpUri } from './totp';
import { credentialOf, type MfaVerifier } from './verify';
import type { WebAuthn } from './webauthn';

const CEREMONY_TTL_MS = 5 * 60_000;

export interface MfaServiceDeps extends Deps {
  secrets: MfaSecrets;
  webauthn: WebAuthn;
  verifier: MfaVerifier;
  sessions: SessionsService;
  policies: SecurityPolicyService;
}

export function presentFactor(f: store.FactorRow): FactorOut {
  return {
    id: f.id,
    type: f.type,
    name: f.name,
    createdAt: f.createdAt,
    lastUsedAt: f.lastUsedAt,
    backedUp: f.type === 'passkey' ? f.backedUp : null,
  };
}

const factorNotFound = () => notFound('FACTOR_NOT_FOUND', 'You have no factor with that id.');

/** A user's own factors: TOTP enrolment, passkeys, recovery codes. */
export function createMfaService(deps: MfaServiceDeps) {
  const { db, audit, secrets, webauthn, sessions, policies, verifier, config } = deps;

  /** Factor changes are credential changes: the user themself, recently verified, not impersonated. */
  function ownerOnly(caller: Caller, stepUp: boolean): UserCaller {
    const user = requireUser(caller);
    forbidDuringImpersonation(user);
    if (stepUp) requireStepUp(user);
    return user;
  }

  async function issueRecoveryCodes(trx: Transaction<DB>, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    // argon2id over the peppered code: a 50-bit code needs a slow, salted hash (ASVS 6.5.2).
    const hashes = await Promise.all(codes.map((c) => hashPassword(secrets.hashRecoveryCode(userId, c))));
    await store.replaceRecoveryCodes(trx, userId, hashes);
    return codes.map(formatRecoveryCode);
  }

  /** Bookkeeping shared by every new factor: MFA on, recovery codes with the first, sessions renewed. */
  async function factorAdded(
    trx: Transaction<DB>,
    user: UserCaller,
    factor: store.FactorRow,
    keepCurrentSession: boolean,
  ): Promise<FactorAdded> {
    // Read under the user's factor lock (callers take it): the caller's own mfaEnabled may be stale.
    const first = (await store.listFactors(trx, user.userId)).length === 1;
    await identity.setMfaEnabled(trx, user.userId, true);
    const recoveryCodes =
      first || !(await store.recoveryCodeStatus(trx, user.userId))
        ? await issueRecoveryCodes(trx, user.userId)
        : null;
    // Proving possession of the new factor is a fresh verification.
    await sessions.markSteppedUp(trx, user.sessionId);
    const { token, ended } = await sessions.afterCredentialChange(
      trx,
      user,
      'factor_changed',
      keepCurrentSession,
    );
    await audit.record(trx, user, {
      action: 'mfa.factor_added',
      targets: [
        { type: 'user', id: user.userId },
        { type: 'mfa_factor', id: factor.id, name: factor.name },
      ],
      metadata: { type: factor.type, firstFactor: first, otherSessionsEnded: ended },
    });
    return { factor: presentFactor(factor), recoveryCodes, ...(token ? { token } : {}) };
  }

  /** Whether any organization of the user requires MFA of them (then the last factor stays). */
  async function policyRequiresMfa(trx: Transaction<DB>, userId: string): Promise<boolean> {
    const memberships = await identity.listMembershipsOfUser(trx, userId);
    for (const m of memberships) {
      if (mfaRequiredFor(await policies.policyOf(trx, m.id), m.roles)) return true;
    }
    return false;
  }

  return {
    async mySecurity(caller: Caller): Promise<MySecurity> {
      const user = requireUser(caller);
      const row = await identity.findUserById(db, user.userId);
      if (!row) throw unauthenticated();
      return {
        factors: (await store.listFactors(db, user.userId)).map(presentFactor),
        recoveryCodes: user.mfaEnabled ? await store.recoveryCodeStatus(db, user.userId) : null,
        mfaEnrollment: user.mfaEnrollment,
        stepUpUntil: stepUpUntil(user),
        passwordChangedAt: row.passwordChangedAt,
      };
    },

    async startTotp(caller: Caller, name: string): Promise<TotpEnrollment> {
      const user = ownerOnly(caller, true);
      const secret = newTotpSecret();
      const factorId = newId();
      await db.transaction().execute(async (trx) => {
        await store.deleteUnconfirmedFactors(trx, user.userId);
        await store.insertTotpFactor(trx, {
          id: factorId,
          userId: user.userId,
          name,
          secretSealed: secrets.sealTotpSecret(factorId, secret),
        });
        await audit.record(trx, user, {
          action: 'mfa.enrollment_started',
          targets: [
            { type: 'user', id: user.userId },
            { type: 'mfa_factor', id: factorId },
          ],
          metadata: { type: 'totp' },
        });
      });
      const issuer =
        new URL(config.publicUrl).hostname === 'localhost'
          ? 'Custos'
          : `Custos (${new URL(config.publicUrl).hostname})`;
      const uri = totpUri(secret, user.email, issuer);
      return { factorId, secret, uri, qrSvg: await qrSvg(uri) };
    },

    async confirmTotp(caller: Caller, factorId: string, code: string, keepCurrentSession: boolean) {
      const user = ownerOnly(caller, false);
      const factor = await store.findFactor(db, user.userId, factorId);
      if (factor?.type !== 'totp') throw factorNotFound();
      if (factor.confirmedAt)
        throw conflict('FACTOR_ALREADY_CONFIRMED', 'This authenticator is already set up.');
      const secret = factor.secretSealed ? secrets.openTotpSecret(factor.id, factor.secretSealed) : null;
      if (!secret) throw factorNotFound();
      await verifier.limitAttempts(user.userId);
      const step = matchTotpStep(secret, code);
      if (step === null) {
        throw badRequest(
          'MFA_CODE_INVALID',
          'That code does not match. Check the time on your device and enter the current code.',
        );
      }
      return db.transaction().execute(async (trx) => {
        await identity.lockUser(trx, user.userId);
        // Two confirmations at once must not both hand out recovery codes (the second set would
        // silently replace the one the user just wrote down).
        if (!(await store.confirmFactor(trx, factor.id, step))) {
          throw conflict('FACTOR_ALREADY_CONFIRMED', 'This authenticator is already set up.');
        }
        const confirmed = await store.findFactor(trx, user.userId, factor.id);
        return factorAdded(trx, user, confirmed ?? factor, keepCurrentSession);
      });
    },

    async passkeyRegistrationOptions(caller: Caller) {
      const user = ownerOnly(caller, true);
      const existing = (await store.listFactors(db, user.userId)).filter((f) => f.type === 'passkey');
      const options = await webauthn.registrationOptions(
        { id: user.userId, email: user.email, name: user.name },
        existing.map(credentialOf),
      );
      const ceremony = randomToken(32);
      await store.insertChallenge(db, {
        tokenHash: hashToken(ceremony),
        kind: 'passkey_registration',
        userId: user.userId,
        sessionId: user.sessionId,
        organizationId: null,
        webauthnChallenge: options.challenge,
        expiresAt: isoAfter(CEREMONY_TTL_MS),
      });
      return { options: { ...options }, ceremony };
    },

    async addPasskey(
      caller: Caller,
      input: {
        ceremony: string;
        response: Parameters<WebAuthn['verifyRegistration']>[0];
        name: string;
        keepCurrentSession: boolean;
      },
    ): Promise<FactorAdded> {
      const user = ownerOnly(caller, true);
      const challenge = await store.findChallenge(db, hashToken(input.ceremony), 'passkey_registration');
      // A ceremony belongs to the session that opened it.
      if (!challenge || challenge.sessionId !== user.sessionId || !challenge.webauthnChallenge) {
        throw badRequest('PASSKEY_CEREMONY_INVALID', 'The passkey request expired. Start again.');
      }
      if (!(await store.consumeChallenge(db, challenge.id))) {
        throw badRequest('PASSKEY_CEREMONY_INVALID', 'The passkey request was already used. Start again.');
      }
      const registered = await webauthn.verifyRegistration(input.response, challenge.webauthnChallenge);
      return db.transaction().execute(async (trx) => {
        await identity.lockUser(trx, user.userId);
        const id = await store.insertPasskeyFactor(trx, {
          userId: user.userId,
          name: input.name,
          ...registered,
        });
        const factor = await store.findFactor(trx, user.userId, id);
        if (!factor) throw factorNotFound();
        return factorAdded(trx, user, factor, input.keepCurrentSession);
      });
    },

    async rename(caller: Caller, factorId: string, name: string): Promise<FactorOut> {
      const user = ownerOnly(caller, false);
      return db.transaction().execute(async (trx) => {
        const factor = await store.findFactor(trx, user.userId, factorId);
        if (!factor?.confirmedAt) throw factorNotFound();
        await store.renameFactor(trx, factor.id, name);
        await audit.record(trx, user, {
          action: 'mfa.factor_renamed',
          targets: [{ type: 'mfa_factor', id: factor.id, name }],
          changes: { name: [factor.name, name] },
        });
        return presentFactor({ ...factor, name });
      });
    },

    async remove(
      caller: Caller,
      factorId: string,
      keepCurrentSession: boolean,
    ): Promise<{ token: string | null }> {
      const user = ownerOnly(caller, true);
      return db.transaction().execute(async (trx) => {
        // Decided under the lock: two removals at once must not each see "one other factor left"
        // and leave none (MFA still on with nothing to answer it: a locked-out account).
        await identity.lockUser(trx, user.userId);
        const factor = await store.findFactor(trx, user.userId, factorId);
        if (!factor?.confirmedAt) throw factorNotFound();
        const remaining = (await store.listFactors(trx, user.userId)).filter((f) => f.id !== factor.id);
        if (remaining.length === 0 && (await policyRequiresMfa(trx, user.userId))) {
          throw conflict(
            'MFA_REQUIRED_BY_POLICY',
            'Your organization requires a second factor. Add another one before removing this one.',
          );
        }
        await store.deleteFactor(trx, factor.id);
        if (remaining.length === 0) {
          await identity.setMfaEnabled(trx, user.userId, false);
          await store.deleteRecoveryCodes(trx, user.userId);
        }
        const { token, ended } = await sessions.afterCredentialChange(
          trx,
          user,
          'factor_changed',
          keepCurrentSession,
        );
        await audit.record(trx, user, {
          action: 'mfa.factor_removed',
          targets: [
            { type: 'user', id: user.userId },
            { type: 'mfa_factor', id: factor.id, name: factor.name },
          ],
          metadata: { type: factor.type, mfaDisabled: remaining.length === 0, otherSessionsEnded: ended },
        });
        return { token };
      });
    },

    async regenerateRecoveryCodes(caller: Caller): Promise<{ codes: string[] }> {
      const user = ownerOnly(caller, true);
      return db.transaction().execute(async (trx) => {
        // Checked under the lock, not from the caller: the last factor may be going at this moment.
        await identity.lockUser(trx, user.userId);
        if ((await store.listFactors(trx, user.userId)).length === 0) {
          throw badRequest('MFA_METHOD_UNAVAILABLE', 'Add an authenticator app or a passkey first.');
        }
        const codes = await issueRecoveryCodes(trx, user.userId);
        await audit.record(trx, user, {
          action: 'mfa.recovery_codes_generated',
          targets: [{ type: 'user', id: user.userId }],
          metadata: { count: codes.length },
        });
        return { codes };
      });
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
