import { countryLabel } from '../../../access/countries';
import type { Detection } from '../../detection';
import { type Detector, type DetectorInput, evidenceOf, userName, userSubject } from '../common';

/**
 * A successful sign-in from a country or device new for the user. The sessions module decides
 * newness against the user's history and records it with the event; these only report it.
 */
export const newCountry: Detector = {
  type: 'new_country',
  kinds: ['sign_in_succeeded'],
  sharedCounters: false,
  async detect({ signal, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    if (!judge || !userId || !signal.newCountry) return null;
    const place = signal.country ? countryLabel(signal.country) : 'an unknown country';
    return {
      type: 'new_country',
      severity: judge.settings.severity,
      organizationId: judge.organizationId,
      dedupKey: `new_country:user:${userId}:${signal.country ?? 'unknown'}`,
      subject: userSubject(signal, userId),
      sourceIp: signal.ip,
      country: signal.country,
      explanation:
        `${userName(signal)} signed in from ${place}${signal.ip ? ` (${signal.ip})` : ''}, ` +
        'a country they never signed in from before.',
      details: { country: signal.country, ip: signal.ip },
      evidence: [evidenceOf(signal)],
      userId,
    };
  },
};

export const newDevice: Detector = {
  type: 'new_device',
  kinds: ['sign_in_succeeded'],
  sharedCounters: false,
  async detect({ signal, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    if (!judge || !userId || !signal.newDevice) return null;
    const device = signal.deviceLabel ?? 'an unrecognised device';
    return {
      type: 'new_device',
      severity: judge.settings.severity,
      organizationId: judge.organizationId,
      dedupKey: `new_device:user:${userId}:${signal.device ?? 'unknown'}`,
      subject: userSubject(signal, userId),
      sourceIp: signal.ip,
      country: signal.country,
      explanation:
        `${userName(signal)} signed in from a new device: ${device}` +
        `${signal.ip ? ` (${signal.ip})` : ''}.`,
      details: {
        device: signal.deviceLabel,
        fingerprint: signal.device,
        ip: signal.ip,
        country: signal.country,
      },
      evidence: [evidenceOf(signal)],
      userId,
    };
  },
};
