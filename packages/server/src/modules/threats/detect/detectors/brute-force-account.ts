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
 * Guessing one account's password from anywhere but its user's own browsers, or its second factor
 * after a correct password. Failures from a familiar IP count: everyone behind the same office,
 * café or carrier NAT shares it, so it proves nothing. Failures carrying the user's own device
 * token never count; the sign-in guard gives those attempts their own limits, so however this
 * event is answered the user is not locked out of their devices.
 */
export const bruteForceAccount: Detector = {
  type: 'brute_force_account',
  kinds: ['sign_in_failed', 'mfa_failed'],
  sharedCounters: false,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    if (!judge || !userId) return null;
    const secondFactor = signal.kind === 'mfa_failed';
    if (!secondFactor && signal.trustedOrigin) return null;
    const th = thresholds('brute_force_account', judge.settings);
    const windowMinutes = th('windowMinutes');
    const windowMs = windowMinutes * MINUTE;
    const limit = secondFactor ? th('mfaFailures') : th('failures');
    const key = userKey(judge.organizationId, userId, secondFactor ? 'mfa_failed' : 'untrusted_failed');
    const evidenceKey = `${key}:ev`;
    const [observed = 0] = await state.hit({
      key,
      member: signal.auditEventId,
      at: signal.at,
      keepMs: windowMs,
      windowsMs: [windowMs],
      note: { key: evidenceKey, item: evidenceOf(signal) },
    });
    if (observed < limit) return null;
    const what = secondFactor
      ? `${observed} failed second-factor checks for ${userName(signal)} after a correct password`
      : `${observed} failed sign-ins for ${userName(signal)} from browsers that are not theirs`;
    return {
      type: 'brute_force_account',
      severity: escalated(judge.settings.severity, observed, limit),
      organizationId: judge.organizationId,
      dedupKey: `brute_force_account:user:${userId}`,
      subject: userSubject(signal, userId),
      sourceIp: signal.ip,
      country: signal.country,
      explanation: `${what} in ${duration(windowMinutes)} (threshold ${limit}).`,
      details: {
        factor: secondFactor ? 'second_factor' : 'password',
        observed,
        threshold: limit,
        windowMinutes,
        reason: signal.reason,
      },
      evidence: await state.evidence(evidenceKey, signal.at - windowMs),
      userId,
    };
  },
};
