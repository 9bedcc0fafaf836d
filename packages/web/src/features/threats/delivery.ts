import type { ThreatResponseDelivery } from '@custos/shared';

/** How the console words what became of a notify_user response's e-mail. */
export interface DeliveryWording {
  /** A word or two for the badge. */
  badge: string;
  color: 'teal' | 'yellow' | 'red' | 'gray';
  /** Why, under the badge (null when the badge says it all). */
  reason: string | null;
  /** The badge and the reason in one line, e.g. "Queued — e-mail is not configured". */
  summary: string;
  /** Whether the message waits in the outbox (worth a link for those who can read it). */
  inOutbox: boolean;
}

const word = (
  badge: string,
  color: DeliveryWording['color'],
  reason: string | null,
  inOutbox = false,
): DeliveryWording => ({
  badge,
  color,
  reason,
  summary: reason ? `${badge} — ${reason}` : badge,
  inOutbox,
});

/**
 * "Sent" only when the mail server took the message; "Queued — e-mail is not configured" when it
 * waits in the outbox; "Failed — <reason>" otherwise. Never "Done": the response ran, but that
 * says nothing about whether the user was told.
 */
export function deliveryWording(delivery: ThreatResponseDelivery): DeliveryWording {
  switch (delivery.status) {
    case 'sent':
      return word('Sent', 'teal', null);
    case 'queued':
      return word('Queued', 'yellow', 'e-mail is not configured', true);
    case 'failed':
      return word('Failed', 'red', delivery.detail?.trim() || 'no reason was given');
    case 'pending':
      return word('Sending', 'gray', null);
    default:
      return word('Not recorded', 'gray', 'placed before Custos recorded e-mail outcomes');
  }
}
