import { countryLabel } from '../../../access/countries';
import type { Detection, DetectionEvidence } from '../../detection';
import {
  DAY,
  type Detector,
  type DetectorInput,
  duration,
  evidenceOf,
  HOUR,
  MINUTE,
  thresholds,
  userKey,
  userName,
  userSubject,
} from '../common';
import { countryDistanceKm } from '../geo';

interface LastSignIn {
  at: number;
  country: string;
  ip: string | null;
  evidence: DetectionEvidence;
}

/** How long a user's last located sign-in is remembered (older ones cannot make travel impossible). */
const REMEMBER_MS = 30 * DAY;

/**
 * Two consecutive located sign-ins of a user too far apart for the time between them. Distances
 * are between country centroids, so neighbours and GeoIP noise under `minDistanceKm` are ignored.
 */
export const impossibleTravel: Detector = {
  type: 'impossible_travel',
  kinds: ['sign_in_succeeded'],
  sharedCounters: false,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    const country = signal.country;
    if (!judge || !userId || !country) return null;
    const here: LastSignIn = { at: signal.at, country, ip: signal.ip, evidence: evidenceOf(signal) };
    const before = await state.swapJson<LastSignIn>(
      userKey(judge.organizationId, userId, 'last_sign_in'),
      here,
      REMEMBER_MS,
    );
    if (!before || before.country === country) return null;
    const th = thresholds('impossible_travel', judge.settings);
    const speedLimit = th('speedKmh');
    const minDistance = th('minDistanceKm');
    const distance = countryDistanceKm(before.country, country);
    if (distance === null || distance < minDistance) return null;
    const elapsedMs = Math.abs(signal.at - before.at);
    const speed = elapsedMs > 0 ? distance / (elapsedMs / HOUR) : Number.POSITIVE_INFINITY;
    if (speed <= speedLimit) return null;
    const km = Math.round(distance);
    const pace = Number.isFinite(speed) ? `${Math.round(speed)} km/h` : 'no time at all';
    return {
      type: 'impossible_travel',
      severity: judge.settings.severity,
      organizationId: judge.organizationId,
      dedupKey: `impossible_travel:user:${userId}`,
      subject: userSubject(signal, userId),
      sourceIp: signal.ip,
      country,
      explanation:
        `${userName(signal)} signed in from ${countryLabel(country)}${signal.ip ? ` (${signal.ip})` : ''} ` +
        `${duration(elapsedMs / MINUTE)} after signing in from ${countryLabel(before.country)}` +
        `${before.ip ? ` (${before.ip})` : ''}: ${km} km, ${pace} (threshold ${speedLimit} km/h).`,
      details: {
        fromCountry: before.country,
        toCountry: country,
        fromIp: before.ip,
        toIp: signal.ip,
        distanceKm: km,
        elapsedMinutes: Math.round(elapsedMs / MINUTE),
        speedKmh: Number.isFinite(speed) ? Math.round(speed) : null,
        thresholdKmh: speedLimit,
        minDistanceKm: minDistance,
      },
      evidence: [evidenceOf(signal), before.evidence],
      userId,
    };
  },
};
