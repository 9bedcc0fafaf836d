import { type AlertRouting, SEVERITIES, type SecurityEventOut, type Severity } from '@custos/shared';

export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

/** What a channel does with one security event. */
export type RouteDecision = 'send' | 'digest' | 'skip';

/**
 * A channel's routing for an event: its types (null = all) must include the event's type; low
 * events go to the digest when the channel asks for one (even below minSeverity, which is what the
 * digest is for); others are sent when at least minSeverity.
 */
export function routeEvent(
  routing: AlertRouting,
  event: Pick<SecurityEventOut, 'type' | 'severity'>,
): RouteDecision {
  if (routing.types && !routing.types.includes(event.type)) return 'skip';
  if (event.severity === 'low' && routing.digestLow) return 'digest';
  return severityRank(event.severity) >= severityRank(routing.minSeverity) ? 'send' : 'skip';
}
