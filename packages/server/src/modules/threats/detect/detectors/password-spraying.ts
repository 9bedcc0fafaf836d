import type { Detection } from '../../detection';
import {
  type Detector,
  type DetectorInput,
  duration,
  escalated,
  evidenceOf,
  MINUTE,
  thresholds,
  userKey,
  userName,
  userSubject,
} from '../common';

/**
 * One account failing from many distinct IPs: a guess spread over a botnet to stay under per-IP
 * limits. Like brute_force_account, only failures from origins the user never used count.
 */
export const passwordSpraying: Detector = {
  type: 'password_spraying',
  kinds: ['sign_in_failed'],
  sharedCounters: false,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    const ip = signal.ip;
    if (!judge || !userId || !ip || signal.trustedOrigin || signal.familiarIp) return null;
    const th = thresholds('password_spraying', judge.settings);
    const windowMinutes = th('windowMinutes');
    const windowMs = windowMinutes * MINUTE;
    const key = userKey(judge.organizationId, userId, 'failed_ips');
    const evidenceKey = `${key}:ev`;
    const [observed = 0] = await state.distinct({
      key,
      member: ip,
      at: signal.at,
      keepMs: windowMs,
      windowsMs: [windowMs],
      note: { key: evidenceKey, item: evidenceOf(signal) },
    });
    const limit = th('ips');
    if (observed < limit) return null;
    return {
      type: 'password_spraying',
      severity: escalated(judge.settings.severity, observed, limit),
      organizationId: judge.organizationId,
      dedupKey: `password_spraying:user:${userId}`,
      subject: userSubject(signal, userId),
      sourceIp: ip,
      country: signal.country,
      explanation:
        `Sign-ins for ${userName(signal)} failed from ${observed} distinct IPs in ` +
        `${duration(windowMinutes)} (threshold ${limit}).`,
      details: { observed, threshold: limit, windowMinutes },
      evidence: await state.evidence(evidenceKey, signal.at - windowMs),
      userId,
    };
  },
};
