import type { SecurityEventOut, SecurityOverview, Severity } from '@custos/shared';
import { formatHour } from '../../app/format';
import { countryName } from '../../ui/Country';
import { SEVERITY_LABELS, SEVERITY_ORDER, SEVERITY_SHADES } from '../threats/labels';

/** Pure shaping of the overview's figures into what the cards and charts draw. */

export type ThreatLevel = SecurityOverview['threatLevel']['level'];

/** Calmest first (the contract's THREAT_LEVELS, without loading zod with the dashboard). */
export const THREAT_LEVELS: readonly ThreatLevel[] = ['low', 'guarded', 'elevated', 'high', 'severe'];

export const THREAT_LEVEL_STYLES: Record<ThreatLevel, { color: string; label: string }> = {
  low: { color: 'teal', label: 'Low' },
  guarded: { color: 'blue', label: 'Guarded' },
  elevated: { color: 'yellow', label: 'Elevated' },
  high: { color: 'orange', label: 'High' },
  severe: { color: 'red', label: 'Severe' },
};

/** Green from 80, amber from 50, red below. */
export function scoreColor(value: number): string {
  if (value >= 80) return 'teal';
  if (value >= 50) return 'yellow';
  return 'red';
}

export type ScoreItem = SecurityOverview['score']['items'][number];

/** Items still missing points, the ones worth most first. */
export function itemsToImprove(items: ScoreItem[]): ScoreItem[] {
  return items
    .filter((item) => item.points < item.maxPoints)
    .sort((a, b) => b.maxPoints - b.points - (a.maxPoints - a.points));
}

export interface SeveritySlice {
  severity: Severity;
  name: string;
  value: number;
  color: string;
}

/**
 * The dashboard lists severities most severe first (what needs attention leads the legend), the
 * reverse of the order choices and filters use elsewhere.
 */
const MOST_SEVERE_FIRST: readonly Severity[] = [...SEVERITY_ORDER].reverse();

export function severitySlices(open: SecurityOverview['openEvents']): SeveritySlice[] {
  return MOST_SEVERE_FIRST.map((severity) => ({
    severity,
    name: SEVERITY_LABELS[severity],
    value: open[severity],
    color: SEVERITY_SHADES[severity],
  }));
}

export function totalOpen(open: SecurityOverview['openEvents']): number {
  return open.low + open.medium + open.high + open.critical;
}

export interface SignInPoint {
  hour: string;
  Failed: number;
  Succeeded: number;
}

export function signInPoints(buckets: SecurityOverview['signIns']): SignInPoint[] {
  return buckets.map((bucket) => ({
    hour: formatHour(bucket.at),
    Failed: bucket.failed,
    Succeeded: bucket.succeeded,
  }));
}

export function signInTotals(buckets: SecurityOverview['signIns']): { failed: number; succeeded: number } {
  return buckets.reduce(
    (sum, bucket) => ({ failed: sum.failed + bucket.failed, succeeded: sum.succeeded + bucket.succeeded }),
    { failed: 0, succeeded: 0 },
  );
}

export interface CountryBar {
  country: string;
  code: string | null;
  'Sign-ins': number;
}

/** The busiest countries, by name; the unknown ones are counted together under their own bar. */
export function topCountries(countries: SecurityOverview['countries'], limit = 8): CountryBar[] {
  return [...countries]
    .sort((a, b) => b.count - a.count)
    .slice(0, limit)
    .map((entry) => ({
      country: entry.country ? countryName(entry.country) : 'Unknown',
      code: entry.country,
      'Sign-ins': entry.count,
    }));
}

/** A share as a whole percentage; 0 of 0 reads as 0 %. */
export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

/**
 * The live feed: the overview's recent events with those the stream pushed since. One entry per event,
 * the latest version of it (by `updatedAt`); the most recently active first.
 */
export function mergeFeed(
  recent: SecurityEventOut[],
  pushed: SecurityEventOut[],
  limit: number,
): SecurityEventOut[] {
  const byId = new Map<string, SecurityEventOut>();
  for (const event of [...recent, ...pushed]) {
    const known = byId.get(event.id);
    if (!known || known.updatedAt <= event.updatedAt) byId.set(event.id, event);
  }
  return [...byId.values()]
    .sort((a, b) => (a.lastSeenAt === b.lastSeenAt ? 0 : a.lastSeenAt < b.lastSeenAt ? 1 : -1))
    .slice(0, limit);
}
