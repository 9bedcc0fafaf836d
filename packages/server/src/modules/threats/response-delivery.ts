import type { ThreatResponseDelivery } from '@custos/shared';
import { RESPONSE_DELIVERY_STATUSES } from '@custos/shared';
import type { DeliveryResult } from '../../platform/mail/mailer';
import type { ThreatResponseRow } from './present';

/**
 * What became of a notify_user response's e-mail, as stored on its row (`delivery_*`, 0010) and
 * as the API shows it. The response itself is `done` the moment it is placed; this says whether
 * anyone was actually told.
 */

/** The columns a delivery outcome writes. */
export interface DeliveryColumns {
  deliveryStatus: ThreatResponseDelivery['status'];
  deliveryDetail: string | null;
  deliveryAt: string | null;
}

/** A notify_user response not sent yet: the e-mail goes after the commit. */
export const PENDING_DELIVERY: DeliveryColumns = {
  deliveryStatus: 'pending',
  deliveryDetail: null,
  deliveryAt: null,
};

const DETAIL_MAX = 300;

/**
 * The mailer's answer in the response's words. `undelivered` is the mailer without SMTP: the
 * outbox kept the message, so it is queued for a person to pass on, never "sent".
 */
export function deliveryOutcome(result: DeliveryResult, at: string): DeliveryColumns {
  switch (result.status) {
    case 'sent':
      return { deliveryStatus: 'sent', deliveryDetail: null, deliveryAt: at };
    case 'undelivered':
      return { deliveryStatus: 'queued', deliveryDetail: null, deliveryAt: at };
    case 'failed':
      return {
        deliveryStatus: 'failed',
        deliveryDetail: result.error.slice(0, DETAIL_MAX) || 'the mail server gave no reason',
        deliveryAt: at,
      };
  }
}

const KNOWN = new Set<string>(RESPONSE_DELIVERY_STATUSES);

/** The row's delivery, or null for responses that send nothing. */
export function presentDelivery(
  row: Pick<ThreatResponseRow, 'deliveryStatus' | 'deliveryDetail' | 'deliveryAt'>,
): ThreatResponseDelivery | null {
  if (row.deliveryStatus === null) return null;
  // A value this server does not know (written by a newer one) is not claimed to be anything.
  const status = KNOWN.has(row.deliveryStatus)
    ? (row.deliveryStatus as ThreatResponseDelivery['status'])
    : 'unknown';
  return { status, detail: row.deliveryDetail, at: row.deliveryAt };
}
