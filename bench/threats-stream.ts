/**
 * A synthetic, seeded stream of committed audit events for the detector throughput figures, as a
 * quiet day of a mid-sized tenant looks to detection (few detections, so few database writes):
 *   70 % sign-ins over 10,000 accounts and 2,000 IPs: 90 % succeed; the failures are mostly typos
 *        from the account's own network (trusted origin), a fifth from elsewhere. Accounts sign in
 *        from their office IP (five accounts share one, as behind a NAT), one sign-in in ten from
 *        another IP of the same country; one in 500 is a new device, one in 2,000 a trip abroad;
 *   20 % activity (document, project, invoice actions) of the same accounts;
 *   10 % access denials (mostly ordinary permissions, one in twenty an administrative one) and
 *        exports of 10 to 500 records.
 * Events are 50 ms apart in time (20 a second, so windows of minutes hold realistic counts).
 */
import type { CommittedAuditEvent } from '../packages/server/src/modules/audit/committed';
import { rng } from './audit-events';

export const ACCOUNTS = 10_000;
export const IPS = 2_000;
const STEP_MS = 50;
const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'ES', 'IT', 'NL', 'SE', 'PL', 'JP'];
const ACTIVITY = [
  'document.viewed',
  'document.updated',
  'project.viewed',
  'invoice.viewed',
  'document.shared',
];
const PERMISSIONS = ['document:write', 'invoice:approve', 'project:delete', 'report:read'];
const ADMIN_PERMISSIONS = ['members:manage', 'apikeys:create'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];

const ipOf = (n: number) => `10.${40 + ((n >> 16) & 7)}.${(n >> 8) & 255}.${n & 255}`;
/** IP n is in country n % COUNTRIES.length; so is the office IP of every account behind it. */
const countryOfIp = (n: number) => COUNTRIES[n % COUNTRIES.length] as string;

export function syntheticEvents(organizationId: string, count: number, seed = 1): CommittedAuditEvent[] {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const start = Date.now() - count * STEP_MS;
  const events: CommittedAuditEvent[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const account = Math.floor(random() * ACCOUNTS);
    const office = account % IPS;
    const abroad = random() < 0.0005;
    // Another IP of the same country (IPs of one country are COUNTRIES.length apart), or abroad.
    const roaming = random() < 0.1;
    const ipIndex = abroad
      ? (office + 1 + Math.floor(random() * (COUNTRIES.length - 1))) % IPS
      : roaming
        ? (office + COUNTRIES.length * Math.floor(random() * (IPS / COUNTRIES.length))) % IPS
        : office;
    const at = start + i * STEP_MS;
    const userId = `usr_bench_${account.toString().padStart(5, '0')}`;
    const r = random();
    let action: string;
    let outcome: CommittedAuditEvent['outcome'] = 'success';
    let metadata: Record<string, unknown>;
    let targets: CommittedAuditEvent['targets'] = [];
    if (r < 0.7) {
      const failed = random() < 0.1;
      if (failed) {
        action = 'user.sign_in_failed';
        outcome = 'failure';
        targets = [{ type: 'user', id: userId }];
        metadata = { reason: 'bad_password', trustedOrigin: ipIndex === office && random() < 0.8 };
      } else {
        action = 'user.signed_in';
        metadata = {
          method: 'password',
          country: countryOfIp(ipIndex),
          newDevice: random() < 0.002,
          newCountry: abroad,
        };
        targets = [{ type: 'session', id: `ses_${i}` }];
      }
    } else if (r < 0.9) {
      action = pick(ACTIVITY);
      targets = [{ type: action.split('.')[0] as string, id: `obj_${Math.floor(random() * 50_000)}` }];
      metadata = {};
    } else if (random() < 0.6) {
      action = 'access.denied';
      outcome = 'denied';
      const admin = random() < 0.05;
      metadata = { permission: admin ? pick(ADMIN_PERMISSIONS) : pick(PERMISSIONS), code: 'FORBIDDEN' };
    } else {
      action = 'report.exported';
      metadata = { records: 10 + Math.floor(random() * 490) };
      targets = [{ type: 'report', id: `rep_${Math.floor(random() * 500)}` }];
    }
    events[i] = {
      id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      organizationId,
      logId: organizationId,
      seq: i + 1,
      occurredAt: new Date(at).toISOString(),
      receivedAt: new Date(at).toISOString(),
      actor: {
        type: 'user',
        id: userId,
        name: `Person ${account}`,
        ip: ipOf(ipIndex),
        userAgent: USER_AGENTS[account % USER_AGENTS.length] as string,
      },
      impersonator: null,
      action,
      outcome,
      targets,
      source: 'api',
      requestId: `req_${i}`,
      changes: null,
      metadata,
      personal: [],
      subjectRef: null,
    };
  }
  return events;
}
