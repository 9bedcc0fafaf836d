import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { DB } from '../../platform/db/schema';
import { AppError } from '../../platform/http/errors';
import type { SignInAttempt, SignInGuardPort } from '../auth';
import { type DelayStore, delayMsAfter, waitMsFor } from './delays';
import { isTrustedOrigin, rememberDevice } from './devices-store';
import type { SignInBlock } from './responses-store';

/**
 * The sign-in guard: what detection decided (account locks, IP blocks) and the progressive delay,
 * applied to each attempt before its password is even checked. Origins the account signed in from
 * before (trusted device cookie or known IP) are exempt from everything aimed at attackers, so the
 * real user always gets in from their own devices; only an "everywhere" lock or an admin's
 * "everywhere" IP block stops them.
 */

export type FindSignInBlocks = (
  db: Kysely<DB>,
  query: { userId: string | null; ip: string | null; now: string },
) => Promise<SignInBlock[]>;

const RETRY_WHEN_UNTIMED_S = 15 * 60;

function secondsUntil(expiresAt: string | null, now: number): number {
  if (!expiresAt) return RETRY_WHEN_UNTIMED_S;
  return Math.max(1, Math.ceil((Date.parse(expiresAt) - now) / 1000));
}

/** Locks of unknown origins answer like the delay, so neither tells anyone an account exists. */
export function signInDelayed(seconds: number): AppError {
  return new AppError(
    429,
    'SIGN_IN_DELAYED',
    `Too many failed sign-ins. Wait ${seconds} seconds and try again, or sign in from a device you have used before.`,
    { retryAfterSeconds: seconds },
    { 'retry-after': String(seconds) },
  );
}

export function ipBlocked(seconds: number): AppError {
  return new AppError(
    403,
    'IP_BLOCKED',
    'Sign-in from this network is blocked for now after suspicious activity. Try again later or from another network, or ask an administrator.',
    { retryAfterSeconds: seconds },
    { 'retry-after': String(seconds) },
  );
}

export function accountLocked(): AppError {
  return new AppError(
    403,
    'ACCOUNT_LOCKED',
    'This account is locked after suspicious activity. An administrator of your organization can lift the lock.',
  );
}

export function createSignInGuard(deps: {
  db: Kysely<DB>;
  delays: DelayStore;
  findSignInBlocks: FindSignInBlocks;
}): SignInGuardPort {
  const { db, delays, findSignInBlocks } = deps;

  /** Detection's IP blocks, and this organization's own. */
  function ipRefusal(attempt: SignInAttempt, blocks: SignInBlock[], now: number): AppError | null {
    for (const block of blocks) {
      if (block.kind !== 'block_ip') continue;
      const ours = block.organizationId === attempt.organizationId;
      // Detection's blocks judge an address that attacked this installation, for every account it
      // tries (known or not, so the answer reveals none); an admin's block only concerns sign-ins
      // into their organization, so no tenant can shut another's users out of a shared network.
      if (block.manual && !ours) continue;
      const everywhere = block.scope === 'all' && ours;
      if (!attempt.trusted || everywhere) return ipBlocked(secondsUntil(block.expiresAt, now));
    }
    return null;
  }

  /** A lock of this account by the organization signed into (locks never reach other tenants). */
  const lockOf = (attempt: SignInAttempt, blocks: SignInBlock[], scope?: 'all') =>
    blocks.find(
      (b) =>
        b.kind === 'lock_account' &&
        b.userId === attempt.userId &&
        b.organizationId === attempt.organizationId &&
        (!scope || b.scope === scope),
    );

  return {
    async check(attempt, options = {}) {
      const now = Date.now();
      const blocks =
        attempt.userId || attempt.ip
          ? await findSignInBlocks(db, { userId: attempt.userId, ip: attempt.ip, now: nowIso() })
          : [];
      const refusal = ipRefusal(attempt, blocks, now);
      if (refusal) throw refusal;
      if (!attempt.trusted) {
        // Counted before the password is looked at, so parallel attempts cannot all get through.
        const previous = options.count === false ? null : await delays.reserve(attempt.accountKey, now);
        const waitMs = waitMsFor(previous, now);
        if (waitMs > 0) throw signInDelayed(Math.ceil(waitMs / 1000));
        // A locked account answers exactly like a delayed one, with the retry time the delay
        // would give at this count, so the answer does not say the account exists.
        if (lockOf(attempt, blocks)) {
          throw signInDelayed(Math.max(1, Math.ceil(delayMsAfter((previous?.failures ?? 0) + 1) / 1000)));
        }
      }
      return {
        assertNotLocked() {
          if (lockOf(attempt, blocks, 'all')) throw accountLocked();
        },
      };
    },
    // The attempt was counted when it was cleared; nothing more to do.
    async failed() {},
    async succeeded(attempt) {
      // Only an untrusted success clears it: the owner signing in on their own laptop must not
      // hand an attacker elsewhere a fresh set of tries.
      if (!attempt.trusted) await delays.clear(attempt.accountKey);
    },
    isTrusted: (userId, meta) => isTrustedOrigin(db, userId, meta),
    rememberDevice: (trx, userId, meta) => rememberDevice(trx, userId, meta.deviceToken),
  };
}
