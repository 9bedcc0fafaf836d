import type { Severity } from '@custos/shared';

/** The list of open events of one severity, as the security events page reads its filters. */
export function openEventsLink(severity: Severity): string {
  return `/security/events?${new URLSearchParams({ severity, status: 'open' }).toString()}`;
}

export function eventLink(id: string): string {
  return `/security/events/${encodeURIComponent(id)}`;
}
