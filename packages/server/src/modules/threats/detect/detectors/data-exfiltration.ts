import type { Detection } from '../../detection';
import {
  DAY,
  type Detector,
  type DetectorInput,
  evidenceOf,
  HOUR,
  highest,
  thresholds,
  userKey,
  userName,
  userSubject,
} from '../common';

/** Earlier days the baseline looks at; older day totals are dropped. */
const HISTORY_DAYS = 30;

interface DayVolumes {
  today: number;
  /** Mean records per day over the earlier days that had exports. */
  baseline: number;
  historyDays: number;
  stale: string[];
}

function dayVolumes(days: ReadonlyMap<string, number>, today: number): DayVolumes {
  let sum = 0;
  let historyDays = 0;
  const stale: string[] = [];
  for (const [field, volume] of days) {
    const day = Number(field);
    if (day >= today) continue;
    if (day < today - HISTORY_DAYS) stale.push(field);
    else {
      sum += volume;
      historyDays++;
    }
  }
  return {
    today: days.get(String(today)) ?? 0,
    baseline: historyDays ? sum / historyDays : 0,
    historyDays,
    stale,
  };
}

/**
 * Exports far beyond what the user usually exports in a UTC day (mean of the earlier days they
 * exported on, once there are enough of them), and absolute caps that hold regardless of history:
 * records per day (critical) and export events per hour.
 */
export const dataExfiltration: Detector = {
  type: 'data_exfiltration',
  kinds: ['data_export'],
  sharedCounters: false,
  async detect({ signal, state, judge }: DetectorInput): Promise<Detection | null> {
    const userId = signal.userId;
    if (!judge || !userId) return null;
    const org = judge.organizationId;
    const day = Math.floor(signal.at / DAY);
    const daysKey = userKey(org, userId, 'export_days');
    const evidenceKey = userKey(org, userId, 'exports:ev');
    const [days, [lastHour = 0]] = await Promise.all([
      state.bump(daysKey, String(day), signal.volume, (HISTORY_DAYS + 2) * DAY),
      state.hit({
        key: userKey(org, userId, 'exports'),
        member: signal.auditEventId,
        at: signal.at,
        // Kept a day so the evidence covers the whole day's volume, counted over the last hour.
        keepMs: DAY,
        windowsMs: [HOUR],
        note: { key: evidenceKey, item: evidenceOf(signal) },
      }),
    ]);
    const volumes = dayVolumes(days, day);
    if (volumes.stale.length > 0) await state.forget(daysKey, volumes.stale);
    const th = thresholds('data_exfiltration', judge.settings);
    const multiplier = th('baselineMultiplier');
    const minBaseline = th('minBaseline');
    const dailyCap = th('dailyCap');
    const hourlyExports = th('hourlyExports');
    const reference = Math.max(volumes.baseline, minBaseline);
    const overBaseline =
      volumes.historyDays >= th('minHistoryDays') && volumes.today > multiplier * reference;
    const overCap = volumes.today >= dailyCap;
    const overHourly = lastHour >= hourlyExports;
    if (!overBaseline && !overCap && !overHourly) return null;
    const name = userName(signal);
    const parts: string[] = [];
    if (overCap || overBaseline) {
      const clauses: string[] = [];
      if (overCap) clauses.push(`at or above the daily cap of ${dailyCap}`);
      if (overBaseline) {
        const ratio = Math.round((volumes.today / reference) * 10) / 10;
        clauses.push(
          `${ratio}× their usual ${Math.round(volumes.baseline)} a day ` +
            `(threshold ${multiplier}× of at least ${minBaseline})`,
        );
      }
      parts.push(`${name} exported ${volumes.today} records today (UTC), ${clauses.join(' and ')}`);
    }
    if (overHourly)
      parts.push(`${lastHour} exports by ${name} in the last hour (threshold ${hourlyExports})`);
    const base = judge.settings.severity;
    return {
      type: 'data_exfiltration',
      severity: overCap ? highest(base, 'critical') : base,
      organizationId: org,
      dedupKey: `data_exfiltration:user:${userId}`,
      subject: userSubject(signal, userId),
      sourceIp: signal.ip,
      country: signal.country,
      explanation: `${parts.join('; ')}.`,
      details: {
        recordsToday: volumes.today,
        baselinePerDay: Math.round(volumes.baseline),
        historyDays: volumes.historyDays,
        baselineMultiplier: multiplier,
        minBaseline,
        dailyCap,
        exportsLastHour: lastHour,
        hourlyExports,
      },
      evidence: await state.evidence(evidenceKey, day * DAY - 1),
      userId,
    };
  },
};
