import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import { precompiled, precompiledWrite } from '../../platform/db/precompiled';
import type { DB } from '../../platform/db/schema';
import type { SignInTrust } from '../auth/guard-port';

/**
 * Trusted origins: the browsers (a random HttpOnly cookie, stored hashed) and IPs a user completed
 * a sign-in from. Only the browser is proof: its attempts have their own limits that nobody else can
 * fill, so an attacker who hammers an account, from anywhere, cannot lock its owner out of their own
 * devices (Keycloak's admitted weakness). A familiar IP is weak evidence (see SignInTrust).
 */

/** How long an IP stays "known" after the last session opened from it. */
const KNOWN_IP_DAYS = 90;
/** A browser not seen for this long is a stranger again (the cookie's own lifetime). */
const KNOWN_DEVICE_DAYS = 400;

/**
 * How well the account knows this origin: its device token (strong), an IP it signed in from
 * (weak: shared by everyone behind the same NAT), or neither. One query: the device and the IP are
 * looked up together.
 */
export async function trustOfOrigin(
  db: Kysely<DB>,
  userId: string,
  origin: { deviceToken?: string | null; ip: string | null },
): Promise<{ trust: SignInTrust; deviceTokenHash: string | null }> {
  const tokenHash = origin.deviceToken ? hashToken(origin.deviceToken) : null;
  if (tokenHash) {
    const since = new Date(Date.now() - KNOWN_DEVICE_DAYS * 86_400_000).toISOString();
    const [device] = await knownDevice(db, tokenHash, userId, since);
    if (device) return { trust: 'device', deviceTokenHash: tokenHash };
  }
  if (!origin.ip) return NO_TRUST;
  const since = new Date(Date.now() - KNOWN_IP_DAYS * 86_400_000).toISOString();
  const [session] = await familiarSession(db, userId, origin.ip, since, 'security_response', 1);
  return session ? { trust: 'familiar_ip', deviceTokenHash: null } : NO_TRUST;
}

// Asked before every password check of a known account: compiled once (precompiled.ts).
const knownDevice = precompiled(
  (db: Kysely<DB>, tokenHash: string, userId: string, since: string) =>
    db
      .selectFrom('trustedDevices')
      .select('userId')
      .where('tokenHash', '=', tokenHash)
      .where('userId', '=', userId)
      .where('lastSeenAt', '>=', since),
  ['', '', ''] as const,
);

const familiarSession = precompiled(
  (db: Kysely<DB>, userId: string, ip: string, since: string, revokedBy: string, limit: number) =>
    db
      .selectFrom('sessions')
      .select('id')
      .where('userId', '=', userId)
      .where('ip', '=', ip)
      .where('createdAt', '>=', since)
      // A session a threat response ended was probably not the owner's.
      .where((eb) => eb.or([eb('revokedReason', 'is', null), eb('revokedReason', '!=', revokedBy)]))
      .limit(limit),
  ['', '', '', '', 1] as const,
);

const NO_TRUST = { trust: 'none', deviceTokenHash: null } as const;

/**
 * Remembers the browser a sign-in completed on. Answers the token to put in the device cookie
 * when it is new for this user (null when the browser's token is already trusted for them).
 */
export async function rememberDevice(
  trx: Transaction<DB>,
  userId: string,
  deviceToken: string | null | undefined,
): Promise<string | null> {
  const now = nowIso();
  if (deviceToken) {
    const touched = await deviceTouch(trx, now, hashToken(deviceToken), userId);
    if (touched > 0) return null;
  }
  // A token this account did not sign in with is never adopted, not even one another account of
  // this browser holds: a token planted in the browser (a sibling subdomain's cookie, a man in the
  // middle on plain HTTP) would otherwise hand whoever planted it the account's strongest trust.
  // The browser gets a fresh token of its own instead.
  const token = randomToken();
  await deviceInsert(trx, hashToken(token), userId, now, now);
  return token;
}

// Both run on every sign-in: compiled once (precompiled.ts).
const deviceInsert = precompiledWrite(
  (db: Kysely<DB>, tokenHash: string, userId: string, createdAt: string, lastSeenAt: string) =>
    db.insertInto('trustedDevices').values({ tokenHash, userId, createdAt, lastSeenAt }),
  ['', '', '', ''] as const,
);
const deviceTouch = precompiledWrite(
  (db: Kysely<DB>, at: string, tokenHash: string, userId: string) =>
    db
      .updateTable('trustedDevices')
      .set({ lastSeenAt: at })
      .where('tokenHash', '=', tokenHash)
      .where('userId', '=', userId),
  ['', '', ''] as const,
);

/** When a user's trusted devices were first and last seen, for the copy of their data. Read only. */
export async function trustedDevicesForSubjectCopy(db: Kysely<DB>, userId: string) {
  return db
    .selectFrom('trustedDevices')
    .select(['createdAt', 'lastSeenAt'])
    .where('userId', '=', userId)
    .execute();
}
