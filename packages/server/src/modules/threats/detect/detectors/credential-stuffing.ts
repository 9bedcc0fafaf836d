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
export const credentialStuffing: Detector = {
  type: 'credential_stuffing',
  kinds: ['sign_in_failed'],
  sharedCounters: true,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const ip = signal.ip;
    const account = signal.accountKey;
    if (!ip || !account || signal.trustedOrigin) return null;
    const th = judge ? thresholds('credential_stuffing', judge.settings) : null;
    const windowMinutes = th ? th('windowMinutes') : 0;
    const windowMs = Math.min(windowMinutes * MINUTE, DAY);
    const evidenceKey = judge ? orgIpKey(judge.organizationId, ip, 'stuffing:ev') : null;
    const [observed = 0] = await state.distinct({
      key: ipKey(ip, 'accounts'),
      member: account,
      at: signal.at,
      keepMs: DAY,
      windowsMs: judge ? [windowMs] : [],
      note: evidenceKey ? { key: evidenceKey, item: evidenceOf(signal) } : undefined,
    });
    if (!judge || !th || !evidenceKey) return null;
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
      evidence: await state.evidence(evidenceKey, signal.at - windowMs),
      userId: null,
    };
  },
};
