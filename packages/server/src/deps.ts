import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { AuditRecorder } from './modules/audit/recorder';
import type { Keyring } from './platform/crypto/keyring';
import type { Dialect } from './platform/db/database';
import type { DB } from './platform/db/schema';
import type { GeoIp } from './platform/geo/geoip';
import type { Mailer } from './platform/mail/mailer';
import type { RateLimiter } from './platform/ratelimit/limiter';

/** What services need from the platform, built once by buildApp and passed to each module. */
export interface Deps {
  db: Kysely<DB>;
  dialect: Dialect;
  config: Config;
  mailer: Mailer;
  limiter: RateLimiter;
  log: Logger;
  keyring: Keyring;
  /** Every module records its audit events through this, inside its own transaction. */
  audit: AuditRecorder;
  /** Country of an IP address (bundled DB-IP database or CUSTOS_GEOIP_FILE). */
  geo: GeoIp;
}
