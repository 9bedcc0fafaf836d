import type { StepUpBody, StepUpOptions } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { isoAfter } from '../../platform/clock';
import { verifyPassword } from '../../platform/crypto/passwords';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import { type Caller, requireUser, stepUpUntil, type UserCaller } from '../../platform/http/caller';
import { AppError, badRequest, forbidden, rateLimited } from '../../platform/http/errors';
import { identity } from '../identity';
import { authChallenges, challengeOfResponse, type MfaVerifier, type VerifiedFactor } from '../mfa';
import type { SessionsService } from '../sessions';
import { limitPasswordChecks } from './account';

/** A passkey step-up ceremony lasts as long as a sign-in challenge. */
const CHALLENGE_TTL_MS = 5 * 60_000;

/** A recovery code spent on sign-in or step-up is recorded with how many are left. */
export async function recordRecoveryCodeUse(
  audit: Deps['audit'],
  trx: Transaction<DB>,
  caller: UserCaller,
  verified: VerifiedFactor,
): Promise<void> {
  if (verified.method !== 'recovery_code') return;
  await audit.record(trx, caller, {
    action: 'mfa.recovery_code_used',
    targets: [{ type: 'user', id: caller.userId }],
    metadata: { remaining: verified.recoveryCodesLeft ?? 0 },
  });
}

/** Step-up: a fresh verification in the session, which sensitive actions ask for (requireStepUp). */
export function createStepUpService(deps: Deps & { sessions: SessionsService; verifier: MfaVerifier }) {
  const { db, config, limiter, audit, sessions, verifier } = deps;

  return {
    /** How this user can confirm it is them (passkey request options when they have passkeys). */
    async options(caller: Caller): Promise<StepUpOptions> {
      const user = requireUser(caller);
      if (!user.mfaEnabled) return { methods: ['password'], passkey: null };
      const methods = await verifier.methodsOf(user.userId);
      if (!methods.includes('passkey')) return { methods, passkey: null };
      // Each answer stores a ceremony: a session may open only so many per window.
      const opened = await limiter.consume(
        `step-up-options:${user.sessionId}`,
        config.signInLimits.perAccount,
        config.signInLimits.windowMs,
      );
      if (!opened.allowed) throw rateLimited(opened.retryAfterSeconds);
      const options = await verifier.passkeyOptions(user.userId);
      await authChallenges.insertChallenge(db, {
        tokenHash: hashToken(randomToken(32)),
        kind: 'step_up_passkey',
        userId: user.userId,
        sessionId: user.sessionId,
        organizationId: null,
        webauthnChallenge: options.challenge,
        expiresAt: isoAfter(CHALLENGE_TTL_MS),
      });
      return { methods, passkey: { ...options } };
    },

    /**
     * Re-verification for sensitive actions: a factor for users who have one (the password alone
     * would let a stolen password undo MFA), the password otherwise. Renews the session's token.
     */
    async confirm(caller: Caller, proof: StepUpBody): Promise<{ stepUpUntil: string; token: string }> {
      const user = requireUser(caller);
      // The proofs are the impersonated user's: checking them would let a super admin test guesses
      // of the user's password (or spend their codes), and would prove nothing about the admin.
      if (user.impersonator) {
        throw forbidden(
          'IMPERSONATION_FORBIDDEN',
          "An impersonation session cannot confirm the user's identity. Stop impersonating for sensitive actions.",
        );
      }
      let method: string;
      let verified: VerifiedFactor | null = null;
      try {
        if (proof.method === 'password') {
          if (user.mfaEnabled) {
            throw badRequest('MFA_METHOD_UNAVAILABLE', 'Confirm with your second factor, not your password.');
          }
          await limitPasswordChecks(deps, user.userId);
          const row = await identity.findUserById(db, user.userId);
          if (!row || !(await verifyPassword(row.passwordHash, proof.password))) {
            throw badRequest('PASSWORD_INCORRECT', 'The password is incorrect.');
          }
          method = 'password';
        } else {
          if (!user.mfaEnabled)
            throw badRequest('MFA_METHOD_UNAVAILABLE', 'You have no second factor. Use your password.');
          const answered = proof.method === 'passkey' ? challengeOfResponse(proof.response) : null;
          const ceremony = answered
            ? await authChallenges.findSessionChallenge(db, user.sessionId, 'step_up_passkey', answered)
            : undefined;
          verified = await verifier.verify(user.userId, proof, ceremony?.webauthnChallenge ?? null);
          // One answer, one step-up: a second request with the same assertion (from an authenticator
          // that keeps no counter, the counter check cannot tell) loses here.
          if (ceremony && !(await authChallenges.consumeChallenge(db, ceremony.id))) {
            throw badRequest('PASSKEY_CEREMONY_INVALID', 'That passkey answer was already used. Try again.');
          }
          method = verified.method;
        }
      } catch (error) {
        if (error instanceof AppError && error.status === 400) {
          await audit.recordAlone(user, {
            action: 'user.step_up_failed',
            outcome: 'failure',
            targets: [{ type: 'user', id: user.userId }],
            metadata: { method: proof.method, reason: error.code },
          });
        }
        throw error;
      }
      return db.transaction().execute(async (trx) => {
        await sessions.markSteppedUp(trx, user.sessionId);
        const token = await sessions.rotate(trx, user.sessionId);
        const fresh = await sessions.callerOf(trx, user.sessionId, user.meta);
        await audit.record(trx, user, {
          action: 'user.stepped_up',
          targets: [
            { type: 'user', id: user.userId },
            { type: 'session', id: user.sessionId },
          ],
          metadata: { method },
        });
        if (verified) await recordRecoveryCodeUse(audit, trx, user, verified);
        return { stepUpUntil: stepUpUntil(fresh) ?? new Date().toISOString(), token };
      });
    },
  };
}

export type StepUpService = ReturnType<typeof createStepUpService>;
