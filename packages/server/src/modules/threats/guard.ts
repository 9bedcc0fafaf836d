import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { DB } from '../../platform/db/schema';
import { AppError } from '../../platform/http/errors';
import { sourceOf } from '../../platform/http/ip-source';
import type { SignInAttempt, SignInGuardPort } from '../auth';
import { sessionPorts } from '../sessions/ports';
import type { AccountsPerIp } from './accounts-per-ip';
import { type DelayStore, delayMsAfter, type FailureRecord, waitMsFor } from './delays';
import { defaultThreatSettings, thresholdOf } from './detect/catalog';
import type { SignInBlock } from './responses-store';

/**
 * The sign-in guard: what detection decided (account locks, IP blocks) and the progressive delay,
 * applied to each attempt before its password is even checked.
 * - The account's own browser (device token) is exempt from everything aimed at attackers, so the
 *   real user always gets in from their own devices; only an "everywhere" lock or an admin's
 *   "everywhere" IP block stops them.
 * - A familiar IP (the account signed in from it before) is weak evidence: everyone behind the same
 *   office, café or carrier NAT shares it. Locks and blocks aimed at strangers apply to it; only
 *   the progressive delay, which strangers elsewhere fill, does not (its attempts have their own
 *   rate limit per account and address instead, in the auth module).
 * - Everyone else also gets the delay per account and the cap on distinct accounts per IP
 *   (credential stuffing), all counted before the password is looked at.
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

/** How many distinct accounts one source may fail on in a window before the rest wait. */
export interface StuffingLimit {
  accounts: number;
  windowMs: number;
}

/** The delay's key: strangers' attempts share the account's; the others have none. */
function delayKeyOf(attempt: SignInAttempt): string | null {
  return attempt.trust === 'none' ? attempt.accountKey : null;
}

/** Too many accounts from this IP: answered like the rate limit, naming no account. */
function tooManyAccounts(waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError(
    429,
    'RATE_LIMITED',
    `Too many failed sign-ins from this network. Wait ${seconds} seconds and try again, or sign in from a device you have used before.`,
    { retryAfterSeconds: seconds, reason: 'too_many_accounts' },
    { 'retry-after': String(seconds) },
  );
}

export function createSignInGuard(deps: {
  db: Kysely<DB>;
  delays: DelayStore;
  accountsPerIp: AccountsPerIp;
  stuffingLimit: StuffingLimit;
  findSignInBlocks: FindSignInBlocks;
}): SignInGuardPort {
  const { db, delays, accountsPerIp, stuffingLimit, findSignInBlocks } = deps;

  /** Counts a stranger's attempt on a new account for its source, refusing past the stuffing cap. */
  async function reserveAccount(attempt: SignInAttempt, now: number): Promise<void> {
    if (attempt.trust !== 'none' || !attempt.ip) return;
    const { accounts, windowMs } = stuffingLimit;
    const source = sourceOf(attempt.ip);
    const waitMs = await accountsPerIp.reserve(source, attempt.accountKey, accounts, windowMs, now);
    if (waitMs > 0) throw tooManyAccounts(waitMs);
  }

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
      if (attempt.trust !== 'device' || everywhere) return ipBlocked(secondsUntil(block.expiresAt, now));
    }
    return null;
  }

  /** A lock of this account by the organization signed into (locks never reach other tenants). */
  const lockOf = (attempt: SignInAttempt, blocks: SignInBlock[], scope?: 'all' | 'untrusted') =>
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
      const delayKey = delayKeyOf(attempt);
      const counting = options.count !== false;
      let previous: FailureRecord | null = null;
      if (delayKey && counting) {
        // Counted before the password is looked at, so parallel attempts cannot all get through.
        await reserveAccount(attempt, now);
        previous = await delays.reserve(delayKey, now);
        const waitMs = waitMsFor(previous, now);
        if (waitMs > 0) throw signInDelayed(Math.ceil(waitMs / 1000));
      }
      // A locked account answers exactly like a delayed one, with the retry time the delay would
      // give at this count, so the answer does not say the account exists. From a familiar IP
      // only a lock aimed at strangers answers so; an "everywhere" lock says what it is once the
      // password proved right, as it does on the owner's device.
      const early =
        attempt.trust === 'none'
          ? lockOf(attempt, blocks)
          : attempt.trust === 'familiar_ip'
            ? lockOf(attempt, blocks, 'untrusted')
            : undefined;
      if (early) {
        throw signInDelayed(Math.max(1, Math.ceil(delayMsAfter((previous?.failures ?? 0) + 1) / 1000)));
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
      // Only a success from the same kind of origin clears it: the owner signing in on their own
      // laptop must not hand an attacker elsewhere a fresh set of tries.
      const delayKey = delayKeyOf(attempt);
      if (delayKey) await delays.clear(delayKey);
      if (attempt.trust === 'none' && attempt.ip)
        await accountsPerIp.release(sourceOf(attempt.ip), attempt.accountKey);
    },
    trustOf: (userId, meta) => sessionPorts.trustOfOrigin(db, userId, meta),
    rememberDevice: (trx, userId, meta) => sessionPorts.rememberDevice(trx, userId, meta.deviceToken),
  };
}

/**
 * The cap the guard applies on accounts per IP: the installation's credential-stuffing threshold
 * and window (the detector's defaults), the same for every attempt whatever account it names. Taken
 * from the tried account's organization instead, the answer would differ between an address that
 * has an account and one that has none, and tell an enumerator which is which; and an attacker
 * could name the organization with the laxest settings.
 */
export function installationStuffingLimit(): { accounts: number; windowMs: number } {
  const detector = defaultThreatSettings().detectors.credential_stuffing;
  return {
    accounts: thresholdOf('credential_stuffing', detector, 'accounts'),
    windowMs: thresholdOf('credential_stuffing', detector, 'windowMinutes') * 60_000,
  };
}
