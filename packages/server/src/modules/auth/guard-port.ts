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
  /** The browser or IP completed a sign-in of this account before. */
  trusted: boolean;
}

export interface SignInClearance {
  /** After the password proved right: an "everywhere" lock still refuses (and says so). */
  assertNotLocked(): void;
}

export interface SignInGuardPort {
  /** `count: false` judges locks and blocks without counting an attempt for the delay (MFA step). */
  check(attempt: SignInAttempt, options?: { count?: boolean }): Promise<SignInClearance>;
  failed(attempt: SignInAttempt): Promise<void>;
  succeeded(attempt: SignInAttempt): Promise<void>;
  isTrusted(userId: string, meta: RequestMeta): Promise<boolean>;
  /** Remembers the browser of a completed sign-in; answers a new device token to set, or null. */
  rememberDevice(trx: Transaction<DB>, userId: string, meta: RequestMeta): Promise<string | null>;
}

/** No guard (one-shot CLI commands): every attempt is cleared. */
export const OPEN_SIGN_IN_GUARD: SignInGuardPort = {
  check: async () => ({ assertNotLocked: () => {} }),
  failed: async () => {},
  succeeded: async () => {},
  isTrusted: async () => false,
  rememberDevice: async () => null,
};
