import { countryLabel } from '../../../access/countries';
import type { Detection, DetectionEvidence } from '../../detection';
import {
  type Detector,
  type DetectorInput,
  duration,
  evidenceOf,
  MINUTE,
  thresholds,
  userKey,
  userName,
  userSubject,
} from '../common';

interface RiskySignIn {
  at: number;
  ip: string | null;
  country: string | null;
  deviceLabel: string | null;
  newDevice: boolean;
  newCountry: boolean;
  evidence: DetectionEvidence;
}

const CHANGE_WORDS: Record<string, string> = {
  'user.password_changed': 'changed their password',
  'user.password_reset': 'reset their password',
  'user.email_changed': 'changed their e-mail address',
  'mfa.factor_added': 'added a second factor',
  'mfa.factor_removed': 'removed a second factor',
  'mfa.recovery_codes_generated': 'generated new recovery codes',
};

/**
 * A sign-in from a new device or country followed soon by a credential change: what an attacker
 * does first with a stolen password, to keep the account.
 */
export const accountTakeover: Detector = {
  type: 'account_takeover',
  kinds: ['sign_in_succeeded', 'credential_changed'],
  sharedCounters: false,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    if (!judge || !userId) return null;
    const windowMinutes = thresholds('account_takeover', judge.settings)('windowMinutes');
    const windowMs = windowMinutes * MINUTE;
    const key = userKey(judge.organizationId, userId, 'risky_sign_in');
    if (signal.kind === 'sign_in_succeeded') {
      if (signal.newDevice || signal.newCountry) {
        const risky: RiskySignIn = {
          at: signal.at,
          ip: signal.ip,
          country: signal.country,
          deviceLabel: signal.deviceLabel,
          newDevice: signal.newDevice,
          newCountry: signal.newCountry,
          evidence: evidenceOf(signal),
        };
        await state.setJson(key, risky, windowMs);
      }
      return null;
    }
    const risky = await state.getJson<RiskySignIn>(key);
    if (!risky) return null;
    const elapsedMs = signal.at - risky.at;
    if (elapsedMs < 0 || elapsedMs > windowMs) return null;
    const change = CHANGE_WORDS[signal.action] ?? `made a credential change (${signal.action})`;
    const what = [
      risky.newDevice ? `a new device${risky.deviceLabel ? ` (${risky.deviceLabel})` : ''}` : null,
      risky.newCountry ? `a new country${risky.country ? ` (${countryLabel(risky.country)})` : ''}` : null,
    ]
      .filter((part) => part !== null)
      .join(' and ');
    return {
      type: 'account_takeover',
      severity: judge.settings.severity,
      organizationId: judge.organizationId,
      dedupKey: `account_takeover:user:${userId}`,
      subject: userSubject(signal, userId),
      sourceIp: risky.ip ?? signal.ip,
      country: risky.country,
      explanation:
        `${userName(signal)} ${change} ${duration(elapsedMs / MINUTE)} after signing in from ${what}` +
        `${risky.ip ? ` at ${risky.ip}` : ''} (window ${duration(windowMinutes)}).`,
      details: {
        change: signal.action,
        elapsedMinutes: Math.round(elapsedMs / MINUTE),
        windowMinutes,
        signInIp: risky.ip,
        changeIp: signal.ip,
        country: risky.country,
        device: risky.deviceLabel,
        newDevice: risky.newDevice,
        newCountry: risky.newCountry,
      },
      evidence: [evidenceOf(signal), risky.evidence],
      userId,
    };
  },
};
