import type { AlertDeliveryOut } from '@custos/shared';

/**
 * The prefix the server gives a delivery that was never sent (e-mail not configured, a checkpoint
 * the channel no longer takes): `modules/alerts/worker.ts`. Such a delivery is final but is not a
 * receiver's failure, so it reads "Not sent", never "Delivered" or "Failed".
 */
const NOT_SENT = 'not sent:';

export interface DeliveryStatusWording {
  label: string;
  color: string;
}

const STATUS_WORDING: Record<AlertDeliveryOut['status'], DeliveryStatusWording> = {
  pending: { color: 'gray', label: 'Pending' },
  retrying: { color: 'yellow', label: 'Retrying' },
  delivered: { color: 'teal', label: 'Delivered' },
  failed: { color: 'red', label: 'Failed' },
};

/** A delivery's status as the console says it; an unknown one (a newer server) shows as it is. */
export function deliveryStatusWording(
  status: string,
  lastError: string | null = null,
): DeliveryStatusWording {
  if (status === 'failed' && lastError?.startsWith(NOT_SENT)) return { color: 'orange', label: 'Not sent' };
  return (
    (STATUS_WORDING as Record<string, DeliveryStatusWording>)[status] ?? { color: 'gray', label: status }
  );
}

/** Why a delivery was not sent, without the prefix: "e-mail is not configured (…)". */
export function notSentReason(lastError: string | null): string | null {
  return lastError?.startsWith(NOT_SENT) ? lastError.slice(NOT_SENT.length).trim() : null;
}
