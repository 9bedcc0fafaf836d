import type { Detection } from '../../detection';
import {
  DAY,
  type Detector,
  type DetectorInput,
  evidenceOf,
  HOUR,
  thresholds,
  userKey,
  userName,
  userSubject,
} from '../common';

/** Histogram fields, made once: this runs on most signals. */
const HOUR_FIELDS = Array.from({ length: 24 }, (_, h) => String(h));
/** A histogram untouched this long is forgotten (the user left, or changed habits entirely). */
const REMEMBER_MS = 90 * DAY;

const pad = (h: number): string => String(h).padStart(2, '0');

/**
 * Activity in an hour (UTC) the user is rarely active in, learned per user from their own sign-ins
 * and actions. Every event teaches the histogram, unusual ones included, so a new routine becomes
 * usual; an alert at most once per cooldown keeps a night shift from flooding the feed meanwhile.
 */
export const offHours: Detector = {
  type: 'off_hours',
  kinds: ['sign_in_succeeded', 'activity'],
  sharedCounters: false,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    if (!judge || !userId) return null;
    const hour = Math.floor((((signal.at % DAY) + DAY) % DAY) / HOUR);
    const field = HOUR_FIELDS[hour] ?? '0';
    const key = userKey(judge.organizationId, userId, 'hours');
    const histogram = await state.bump(key, field, 1, REMEMBER_MS);
    let total = 0;
    for (const h of HOUR_FIELDS) total += histogram.get(h) ?? 0;
    // Judge against the history before this event.
    const earlier = total - 1;
    const th = thresholds('off_hours', judge.settings);
    const minObservations = th('minObservations');
    if (earlier < minObservations) return null;
    const share = (((histogram.get(field) ?? 1) - 1) / earlier) * 100;
    const rarePercent = th('rarePercent');
    if (share >= rarePercent) return null;
    const cooldownHours = th('cooldownHours');
    if (
      !(await state.once(userKey(judge.organizationId, userId, 'off_hours'), signal.at, cooldownHours * HOUR))
    ) {
      return null;
    }
    const percent = Math.round(share * 10) / 10;
    return {
      type: 'off_hours',
      severity: judge.settings.severity,
      organizationId: judge.organizationId,
      dedupKey: `off_hours:user:${userId}`,
      subject: userSubject(signal, userId),
      sourceIp: signal.ip,
      country: signal.country,
      explanation:
        `${userName(signal)} was active between ${pad(hour)}:00 and ${pad((hour + 1) % 24)}:00 UTC, ` +
        `an hour holding ${percent}% of their ${earlier} earlier events (threshold ${rarePercent}%).`,
      details: {
        hourUtc: hour,
        sharePercent: percent,
        observations: earlier,
        rarePercent,
        minObservations,
        cooldownHours,
        action: signal.action,
      },
      evidence: [evidenceOf(signal)],
      userId,
    };
  },
};
