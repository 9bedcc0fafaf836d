import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema';
import type { RequestMeta } from '../../platform/http/caller';

/**
 * What sign-in asks of threat detection (implemented by modules/threats/guard.ts, wired in app.ts):
 * locks, IP blocks and the progressive delay before the password is checked, and trusted origins.
 */
export interface SignInAttempt {
  /** null: no account has this e-mail address. */
  userId: string | null;
  /** The organizations the account belongs to. */
  organizationIds: readonly string[];
  /**
   * The organization this sign-in goes into (the one asked for, else the oldest membership). Locks
   * and an admin's IP blocks are that organization's business only: no tenant shuts a shared user
   * out of another.
   */
  organizationId: string | null;
  /** `user:<id>`, or `email:<hash>` for an unknown address (treated just the same). */
  accountKey: string;
  ip: string | null;
  /** How well the origin is known; see `SignInTrust`. */
  trust: SignInTrust;
  /**
   * The browser's device token when it is trusted for this account (trust `device`), hashed: its
   * own attempt bucket, which nobody without the token can fill.
   */
  deviceTokenHash: string | null;
}

/**
 * `device`: the browser holds a device token this account signed in with (the strong proof: an
 * HttpOnly random cookie nobody else has). `familiar_ip`: the account signed in from this IP
 * before, which everyone behind the same office, café or carrier NAT shares (weak evidence: it
 * keeps the owner out of locks aimed at strangers, but gets its own delay and limits and counts
 * for detection). `none`: neither.
 */
export type SignInTrust = 'device' | 'familiar_ip' | 'none';

/** A refusal before the password check, for the throttled-attempt summaries. */

export interface SignInClearance {
  /** After the password proved right: an "everywhere" lock still refuses (and says so). */
  assertNotLocked(): void;
}

export interface SignInGuardPort {
  /** `count: false` judges locks and blocks without counting an attempt for the delay (MFA step). */
  check(attempt: SignInAttempt, options?: { count?: boolean }): Promise<SignInClearance>;
  failed(attempt: SignInAttempt): Promise<void>;
  succeeded(attempt: SignInAttempt): Promise<void>;
  trustOf(userId: string, meta: RequestMeta): Promise<{ trust: SignInTrust; deviceTokenHash: string | null }>;
  /** Remembers the browser of a completed sign-in; answers a new device token to set, or null. */
  rememberDevice(trx: Transaction<DB>, userId: string, meta: RequestMeta): Promise<string | null>;
}

/** No guard (one-shot CLI commands): every attempt is cleared. */
export const OPEN_SIGN_IN_GUARD: SignInGuardPort = {
  check: async () => ({ assertNotLocked: () => {} }),
  failed: async () => {},
  succeeded: async () => {},
  trustOf: async () => ({ trust: 'none', deviceTokenHash: null }),
  rememberDevice: async () => null,
};

/**
 * The key an unknown account's attempts are counted under, from the e-mail tried: its SHA-256 after
 * trimming and lower-casing, so "Ann@x.io " and "ann@x.io" are one account and no address is kept.
 * The sign-in limits and threat detection must agree on it: both use this.
 */
export function hashedEmail(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/**
 * Where a known account's sign-in lockout lives: the rate-limit bucket that strangers' attempts on
 * it share (`enforceSignInLimits` in service.ts counts under it) and the progressive delay's key.
 * What an admin's unlock clears and the Members page reads.
 */
export function accountLockKeys(userId: string): { limit: string; delay: string } {
  const accountKey = `user:${userId}`;
  return { limit: `signin:account:${accountKey}`, delay: accountKey };
}
