import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';

/**
 * Trusted origins: the browsers (a random HttpOnly cookie, stored hashed) and IPs a user completed
 * a sign-in from. Lockouts of unknown origins never apply to them, so an attacker who hammers an
 * account cannot lock its owner out of their own devices (Keycloak's admitted weakness).
 */

/** How long an IP stays "known" after the last session opened from it. */
const KNOWN_IP_DAYS = 90;
/** A browser not seen for this long is a stranger again (the cookie's own lifetime). */
const KNOWN_DEVICE_DAYS = 400;

export async function isTrustedOrigin(
  db: Kysely<DB>,
  userId: string,
  origin: { deviceToken?: string | null; ip: string | null },
): Promise<boolean> {
  if (origin.deviceToken) {
    const device = await db
      .selectFrom('trustedDevices')
      .select('userId')
      .where('tokenHash', '=', hashToken(origin.deviceToken))
      .where('userId', '=', userId)
      .where('lastSeenAt', '>=', new Date(Date.now() - KNOWN_DEVICE_DAYS * 86_400_000).toISOString())
      .executeTakeFirst();
    if (device) return true;
  }
  if (!origin.ip) return false;
  const since = new Date(Date.now() - KNOWN_IP_DAYS * 86_400_000).toISOString();
  const session = await db
    .selectFrom('sessions')
    .select('id')
    .where('userId', '=', userId)
    .where('ip', '=', origin.ip)
    .where('createdAt', '>=', since)
    // A session a threat response ended was probably not the owner's.
    .where((eb) => eb.or([eb('revokedReason', 'is', null), eb('revokedReason', '!=', 'security_response')]))
    .limit(1)
    .executeTakeFirst();
  return session !== undefined;
}

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
  const token = deviceToken ?? randomToken();
  const tokenHash = hashToken(token);
  const touched = await trx
    .updateTable('trustedDevices')
    .set({ lastSeenAt: now })
    .where('tokenHash', '=', tokenHash)
    .where('userId', '=', userId)
    .executeTakeFirst();
  if (Number(touched.numUpdatedRows) > 0) return null;
  await trx
    .insertInto('trustedDevices')
    .values({ tokenHash, userId, createdAt: now, lastSeenAt: now })
    .execute();
  // The same browser token may already stand for another user of this browser: keep it as is.
  return deviceToken ? null : token;
}
