import type { Detection } from '../../detection';
import {
  DAY,
  type Detector,
  type DetectorInput,
  duration,
  escalated,
  evidenceOf,
  ipKey,
  ipSubject,
  type Judge,
  MINUTE,
  orgIpKey,
  thresholds,
} from '../common';

/**
 * One IP failing on many distinct accounts: leaked credential lists, or enumeration of addresses
 * (unknown e-mails count, by their hash). Shared across organizations like brute_force_ip. A failure
 * from the tried user's own device or IP is left out, so an office behind one NAT where people
 * mistype is not mistaken for an attack.
 */
/** The organization whose accounts the IP tried last: a run ending on unknown addresses is its. */
const lastOrganizationKey = (ip: string) => ipKey(ip, 'stuffing:org');

export const credentialStuffing: Detector = {
  type: 'credential_stuffing',
  kinds: ['sign_in_failed'],
  sharedCounters: true,
  async detect({ signal, state, judge: own, judgeFor }: DetectorInput): Promise<Detection | null> {
    const ip = signal.ip;
    const account = signal.accountKey;
    if (!ip || !account || signal.trustedOrigin || signal.familiarIp) return null;
    // Only an attempt whose password was checked names the organization: refusals are the guard's
    // word about the attacker's own choice of account, and cheap to send in any tenant's name.
    if (own && !signal.refused) await state.setJson(lastOrganizationKey(ip), own.organizationId, DAY);
    // An unknown address lives in the platform log: it is judged by the organization the same IP
    // attacked last, so the run is raised the moment it crosses the threshold, not one real account later.
    const judge =
      own ??
      (signal.organizationId === null && judgeFor
        ? await adoptedJudge(await state.getJson<string>(lastOrganizationKey(ip)), judgeFor)
        : null);
    const th = judge ? thresholds('credential_stuffing', judge.settings) : null;
    const windowMinutes = th ? th('windowMinutes') : 0;
    const windowMs = Math.min(windowMinutes * MINUTE, DAY);
    // Evidence stays in the organization's own log: a platform event is counted, never listed.
    const evidenceKey = own ? orgIpKey(own.organizationId, ip, 'stuffing:ev') : null;
    const [observed = 0] = await state.distinct({
      key: ipKey(ip, 'accounts'),
      member: account,
      at: signal.at,
      keepMs: DAY,
      windowsMs: judge ? [windowMs] : [],
      note: evidenceKey ? { key: evidenceKey, item: evidenceOf(signal) } : undefined,
    });
    if (!judge || !th) return null;
    const limit = th('accounts');
    if (observed < limit) return null;
    return {
      type: 'credential_stuffing',
      severity: escalated(judge.settings.severity, observed, limit),
      organizationId: judge.organizationId,
      dedupKey: `credential_stuffing:ip:${ip}`,
      subject: ipSubject(ip),
      sourceIp: ip,
      country: signal.country,
      explanation:
        `Sign-ins to ${observed} distinct accounts failed from ${ip} in ${duration(windowMinutes)} ` +
        `(threshold ${limit}), counting addresses that have no account.`,
      details: { observed, threshold: limit, windowMinutes, latestReason: signal.reason },
      evidence: await state.evidence(orgIpKey(judge.organizationId, ip, 'stuffing:ev'), signal.at - windowMs),
      userId: null,
    };
  },
};

async function adoptedJudge(
  organizationId: string | null,
  judgeFor: NonNullable<DetectorInput['judgeFor']>,
): Promise<Judge | null> {
  return organizationId ? judgeFor(organizationId, 'credential_stuffing') : null;
}
