import type { AlertRouting, DetectorType } from '@custos/shared';
import { DETECTOR_LABELS, SEVERITY_LABELS } from '../threats/labels';

/**
 * A channel's routing in one line, e.g. "High and above · all types · low in hourly digest ·
 * audit checkpoints hourly". Low events below the minimum still go out in the hourly digest when
 * it is on.
 */
export function routingSummary(routing: AlertRouting): string {
  const parts: string[] = [];
  parts.push(
    routing.minSeverity === 'low' ? 'Every severity' : `${SEVERITY_LABELS[routing.minSeverity]} and above`,
  );
  parts.push(typesSummary(routing.types));
  if (routing.digestLow) parts.push('low in hourly digest');
  if (routing.checkpoints.enabled)
    parts.push(`audit checkpoints ${intervalSummary(routing.checkpoints.minIntervalMinutes)}`);
  return parts.join(' · ');
}

/** "each one", "hourly", "every 15 min", "every 6 h", "daily". */
export function intervalSummary(minutes: number): string {
  if (minutes === 0) return 'each one';
  if (minutes === 60) return 'hourly';
  if (minutes === 1440) return 'daily';
  if (minutes % 60 === 0) return `every ${minutes / 60} h`;
  return `every ${minutes} min`;
}

function typesSummary(types: DetectorType[] | null): string {
  if (!types || types.length === 0) return 'all types';
  if (types.length <= 2) return types.map((type) => DETECTOR_LABELS[type] ?? type).join(', ');
  return `${types.length} types`;
}

/** The loosest check of an e-mail address; the server checks properly. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/** An http(s) URL the browser can parse. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
