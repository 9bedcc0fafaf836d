import type { AlertChannelOut, AlertDeliveryDetail, AlertDeliveryOut } from '@custos/shared';
import type { LastDelivery, StoredChannel } from './channels-store';
import type { DeliveryWithChannel } from './deliveries-store';

export function presentChannel(channel: StoredChannel, last: LastDelivery | null = null): AlertChannelOut {
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    url: channel.url,
    recipients: channel.recipients,
    routing: channel.routing,
    enabled: channel.enabled,
    secretHint: channel.secretHint,
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
    lastDelivery: last,
  };
}

/**
 * What the audit trail keeps of a channel: never the secret, and of a URL only its origin (webhook
 * URLs such as chat incoming-hooks often carry a token in the path or query); recipients as a count
 * (addresses are personal data and stay out of the trail).
 */
export function channelSnapshot(channel: StoredChannel) {
  return {
    kind: channel.kind,
    name: channel.name,
    urlOrigin: channel.url ? new URL(channel.url).origin : null,
    recipientCount: channel.recipients?.length ?? null,
    routing: channel.routing,
    enabled: channel.enabled,
  };
}

export function presentDelivery(d: DeliveryWithChannel): AlertDeliveryOut {
  return {
    id: d.id,
    channelId: d.channelId,
    channelName: d.channelName,
    channelKind: d.channelKind as AlertDeliveryOut['channelKind'],
    messageId: d.messageId,
    kind: d.kind as AlertDeliveryOut['kind'],
    securityEventId: d.securityEventId,
    status: d.status as AlertDeliveryOut['status'],
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' || d.status === 'retrying' ? d.nextAttemptAt : null,
    lastResponseCode: d.lastResponseCode,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
  };
}

export function presentDeliveryDetail(
  d: DeliveryWithChannel,
  history: Array<{
    attempt: number;
    at: string;
    responseCode: number | null;
    durationMs: number;
    error: string | null;
  }>,
): AlertDeliveryDetail {
  return {
    ...presentDelivery(d),
    payload: d.payload,
    history: history.map((h) => ({
      attempt: h.attempt,
      at: h.at,
      responseCode: h.responseCode,
      durationMs: h.durationMs,
      error: h.error,
    })),
  };
}
