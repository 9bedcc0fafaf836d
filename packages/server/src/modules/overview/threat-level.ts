import type { SecurityOverview } from '@custos/shared';
import type { SeverityCounts } from './store';

export type ThreatLevel = SecurityOverview['threatLevel'];

/** "Several" open medium events raise the level to elevated. */
export const SEVERAL_MEDIUM = 3;
/** Failed sign-ins in the last hour count as a surge at this many times the 24 h hourly average… */
export const SURGE_FACTOR = 3;
/** …and at least this many (a handful of typos over a quiet day is no attack). */
export const SURGE_MIN_FAILURES = 10;

export interface ThreatInputs {
  /** Open and acknowledged security events by severity. */
  open: SeverityCounts;
  /** Failed sign-ins in the trailing 60 minutes. */
  failedLastHour: number;
  /** Failed sign-ins per hour, averaged over the 24 hourly buckets. */
  failedHourlyAverage: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** "1 event is", "2 events are". */
const counted = (n: number, one: string, verbs: [string, string] = ['is', 'are']) =>
  `${plural(n, one)} ${n === 1 ? verbs[0] : verbs[1]}`;

/** The figures behind every level, appended to its reason. */
function figures({ open, failedLastHour, failedHourlyAverage }: ThreatInputs): string {
  return (
    `Open events: ${open.critical} critical, ${open.high} high, ${open.medium} medium, ${open.low} low; ` +
    `${plural(failedLastHour, 'failed sign-in')} in the last hour against ` +
    `${failedHourlyAverage.toFixed(1)} an hour on average over 24 h.`
  );
}

/** Whether the last hour's failures are far above the day's hourly average. */
export function isSignInSurge(failedLastHour: number, failedHourlyAverage: number): boolean {
  return failedLastHour >= SURGE_MIN_FAILURES && failedLastHour >= SURGE_FACTOR * failedHourlyAverage;
}

/**
 * The threat level, highest rule first: an open critical event → severe; an open high one → high;
 * several open medium events or a surge of failed sign-ins → elevated; any open event → guarded;
 * otherwise low.
 */
export function threatLevelOf(input: ThreatInputs): ThreatLevel {
  const { open, failedLastHour, failedHourlyAverage } = input;
  const total = open.critical + open.high + open.medium + open.low;
  const because = (lead: string) => `${lead}. ${figures(input)}`;
  if (open.critical > 0) {
    return {
      level: 'severe',
      reason: because(`${counted(open.critical, 'critical security event')} open`),
    };
  }
  if (open.high > 0) {
    return {
      level: 'high',
      reason: because(`${counted(open.high, 'high-severity security event')} open`),
    };
  }
  if (isSignInSurge(failedLastHour, failedHourlyAverage)) {
    return {
      level: 'elevated',
      reason: because(`Failed sign-ins are surging: at least ${SURGE_FACTOR}× the 24 h hourly average`),
    };
  }
  if (open.medium >= SEVERAL_MEDIUM) {
    return { level: 'elevated', reason: because(`${open.medium} medium-severity security events are open`) };
  }
  if (total > 0) {
    return {
      level: 'guarded',
      reason: because(`${counted(total, 'open low or medium event', ['needs', 'need'])} triage`),
    };
  }
  return { level: 'low', reason: because('No open security events and no surge of failed sign-ins') };
}
