import type { Detection } from '../../detection';
import {
  DAY,
  type Detector,
  type DetectorInput,
  duration,
  ESCALATION_FACTOR,
  evidenceOf,
  ipKey,
  ipSubject,
  MINUTE,
  orgIpKey,
  raise,
  thresholds,
} from '../common';

/**
 * Failed sign-ins from one IP over every account, known or not. The count is shared by every
 * organization (an IP attacking several tenants counts once) and kept a day, which also serves the
 * daily "suspicious IP" threshold. Evidence stays per organization: one tenant's security event
 * never lists another tenant's audit events.
 */
export const bruteForceIp: Detector = {
  type: 'brute_force_ip',
  kinds: ['sign_in_failed'],
  sharedCounters: true,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const ip = signal.ip;
    if (!ip) return null;
    const th = judge ? thresholds('brute_force_ip', judge.settings) : null;
    const windowMinutes = th ? th('windowMinutes') : 0;
    const windowMs = Math.min(windowMinutes * MINUTE, DAY);
    const evidenceKey = judge ? orgIpKey(judge.organizationId, ip, 'failed:ev') : null;
    const [inWindow = 0, inDay = 0] = await state.hit({
      key: ipKey(ip, 'failed'),
      member: signal.auditEventId,
      at: signal.at,
      keepMs: DAY,
      windowsMs: judge ? [windowMs, DAY] : [],
      note: evidenceKey ? { key: evidenceKey, item: evidenceOf(signal) } : undefined,
    });
    if (!judge || !th || !evidenceKey) return null;
    const failures = th('failures');
    const dailyFailures = th('dailyFailures');
    const windowFires = inWindow >= failures;
    const dayFires = inDay >= dailyFailures;
    if (!windowFires && !dayFires) return null;
    const base = judge.settings.severity;
    const severity = dayFires || inWindow >= failures * ESCALATION_FACTOR ? raise(base) : base;
    // The counts span every organization on this server: said so, since the event counts only its own.
    const daily = `${inDay} failed sign-ins from ${ip} in 24 hours over all accounts on this server (threshold ${dailyFailures})`;
    const explanation = windowFires
      ? `${inWindow} failed sign-ins from ${ip} in ${duration(windowMinutes)} over all accounts on this server ` +
        `(threshold ${failures})${dayFires ? `; ${daily}` : ''}.`
      : `Suspicious IP: ${daily}.`;
    return {
      type: 'brute_force_ip',
      severity,
      organizationId: judge.organizationId,
      dedupKey: `brute_force_ip:ip:${ip}`,
      subject: ipSubject(ip),
      sourceIp: ip,
      country: signal.country,
      explanation,
      details: {
        observed: inWindow,
        threshold: failures,
        windowMinutes,
        observedDaily: inDay,
        dailyThreshold: dailyFailures,
        suspiciousIp: dayFires,
      },
      evidence: await state.evidence(evidenceKey, signal.at - (dayFires ? DAY : windowMs)),
      userId: null,
    };
  },
};
