import type { MfaMethod, MfaProof } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { verifyPassword } from '../../platform/crypto/passwords';
import type { DB } from '../../platform/db/schema';
import { badRequest, rateLimited } from '../../platform/http/errors';
import { StepClaimer } from './claims';
import type { MfaSecrets } from './secrets';
import * as store from './store';
import { matchTotpStepWithKey, totpKey } from './totp';
import type { WebAuthn } from './webauthn';

export interface VerifiedFactor {
  method: MfaMethod;
  factorId: string | null;
  /** Recovery codes left after this one (recovery_code only). */
  recoveryCodesLeft?: number;
}

const MAX_CACHED_USERS = 100_000;

const invalid = (message = 'That code is not valid. Check the time on your device and try a fresh code.') =>
  badRequest('MFA_CODE_INVALID', message);

/**
 * Checks one MFA proof of a user: a TOTP code (each time step once), a recovery code (each code
 * once) or a passkey assertion against the ceremony's challenge. Attempts per user are limited
 * across challenges, so opening new challenges does not buy more guesses.
 */
export function createMfaVerifier(deps: Deps, secrets: MfaSecrets, webauthn: WebAuthn) {
  const { db, limiter, config } = deps;
  const claimer = new StepClaimer(db, deps.dialect);

  async function limitAttempts(userId: string): Promise<void> {
    const { perAccount, windowMs } = config.signInLimits;
    const result = await limiter.consume(`mfa:${userId}`, perAccount, windowMs);
    if (!result.allowed) throw rateLimited(result.retryAfterSeconds);
  }

  /**
   * The user's TOTP keys, unsealed once per process. A factor added elsewhere is found by reading
   * again on a miss; a factor removed elsewhere is refused by the claim, which needs its row.
   */
  const totpKeys = new Map<string, Array<{ factorId: string; key: Buffer }>>();
  async function loadTotpKeys(userId: string) {
    const factors = (await store.listFactors(db, userId)).filter((f) => f.type === 'totp');
    const keys = factors.flatMap((f) => {
      const secret = f.secretSealed ? secrets.openTotpSecret(f.id, f.secretSealed) : null;
      return secret ? [{ factorId: f.id, key: totpKey(secret) }] : [];
    });
    if (totpKeys.size >= MAX_CACHED_USERS) totpKeys.clear();
    totpKeys.set(userId, keys);
    return keys;
  }
  const matchAny = (keys: Array<{ factorId: string; key: Buffer }>, code: string, at: number) => {
    for (const { factorId, key } of keys) {
      const step = matchTotpStepWithKey(key, code, at);
      if (step !== null) return { factorId, step };
    }
    return null;
  };

  async function verifyTotp(userId: string, code: string, at: number): Promise<VerifiedFactor> {
    const cached = totpKeys.get(userId);
    let match = cached ? matchAny(cached, code, at) : null;
    if (!match) match = matchAny(await loadTotpKeys(userId), code, at);
    if (!match) throw invalid();
    if (await claimer.claim(userId, match.factorId, match.step))
      return { method: 'totp', factorId: match.factorId };
    totpKeys.delete(userId);
    throw invalid('That code was already used. Wait for the next code and try again.');
  }

  async function verifyRecoveryCode(userId: string, code: string): Promise<VerifiedFactor> {
    const peppered = secrets.hashRecoveryCode(userId, code);
    const unused = await store.unusedRecoveryCodes(db, userId);
    const matches = await Promise.all(unused.map((c) => verifyPassword(c.codeHash, peppered)));
    const match = unused[matches.indexOf(true)];
    if (!match || !(await store.useRecoveryCode(db, userId, match.id))) {
      throw invalid('That recovery code is not valid or was already used.');
    }
    const status = await store.recoveryCodeStatus(db, userId);
    return { method: 'recovery_code', factorId: null, recoveryCodesLeft: status?.remaining ?? 0 };
  }

  return {
    limitAttempts,

    /** The methods a user can answer a challenge with. */
    async methodsOf(userId: string, executor: Deps['db'] | Transaction<DB> = db): Promise<MfaMethod[]> {
      const factors = await store.listFactors(executor, userId);
      const methods: MfaMethod[] = [];
      if (factors.some((f) => f.type === 'totp')) methods.push('totp');
      if (factors.some((f) => f.type === 'passkey')) methods.push('passkey');
      const codes = await store.recoveryCodeStatus(executor, userId);
      if (methods.length > 0 && codes && codes.remaining > 0) methods.push('recovery_code');
      return methods;
    },

    /** Request options for the user's own passkeys (second factor or step-up). */
    async passkeyOptions(userId: string) {
      const passkeys = (await store.listFactors(db, userId)).filter((f) => f.type === 'passkey');
      if (passkeys.length === 0) {
        throw badRequest('MFA_METHOD_UNAVAILABLE', 'You have no passkey. Use another method.');
      }
      return webauthn.authenticationOptions(passkeys.map(credentialOf), 'preferred');
    },

    async verify(userId: string, proof: MfaProof, webauthnChallenge: string | null, at = Date.now()) {
      await limitAttempts(userId);
      if (proof.method === 'totp') return verifyTotp(userId, proof.code, at);
      if (proof.method === 'recovery_code') return verifyRecoveryCode(userId, proof.code);
      if (!webauthnChallenge) {
        throw badRequest('PASSKEY_CEREMONY_INVALID', 'Ask for passkey options first, then answer them.');
      }
      const factor = await store.findPasskeyByCredentialId(db, proof.response.id);
      // Someone else's passkey is no proof for this user, and is answered like an unknown one.
      if (!factor || factor.userId !== userId)
        throw invalid('That passkey is not registered to your account.');
      const credential = credentialOf(factor);
      const result = await webauthn.verifyAuthentication(
        proof.response,
        webauthnChallenge,
        credential,
        false,
      );
      await advanceCounter(factor.id, credential.signCount, result.newCounter);
      return { method: 'passkey', factorId: factor.id } satisfies VerifiedFactor;
    },

    /** Passwordless: the credential names its user; user verification is required. */
    async verifyPasswordless(response: MfaProof & { method: 'passkey' }, webauthnChallenge: string) {
      const factor = await store.findPasskeyByCredentialId(db, response.response.id);
      if (!factor) throw badRequest('PASSKEY_VERIFICATION_FAILED', 'That passkey is not registered here.');
      await limitAttempts(factor.userId);
      const credential = credentialOf(factor);
      const result = await webauthn.verifyAuthentication(
        response.response,
        webauthnChallenge,
        credential,
        true,
      );
      await advanceCounter(factor.id, credential.signCount, result.newCounter);
      return { userId: factor.userId, factorId: factor.id };
    },
  };

  async function advanceCounter(factorId: string, from: number, to: number): Promise<void> {
    // Authenticators that keep no counter always answer 0; the library already refused a backward one.
    if (to === 0 && from === 0) {
      await store.advancePasskeyCounter(db, factorId, 0, 0);
      return;
    }
    if (!(await store.advancePasskeyCounter(db, factorId, from, to))) {
      throw badRequest('PASSKEY_VERIFICATION_FAILED', 'The passkey was used twice at once. Try again.');
    }
  }
}

export function credentialOf(factor: store.FactorRow) {
  return {
    credentialId: factor.credentialId ?? '',
    publicKey: factor.publicKey ?? '',
    signCount: factor.signCount ?? 0,
    transports: factor.transports,
  };
}

export type MfaVerifier = ReturnType<typeof createMfaVerifier>;
