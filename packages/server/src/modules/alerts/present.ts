import type { AlertChannelOut, AlertDeliveryDetail, AlertDeliveryOut } from '@custos/shared';
import type { LastDelivery, StoredChannel } from './channels-store';
import type { DeliveryWithChannel } from './deliveries-store';
import { parsePayload } from './payloads';

/** Paths shorter than this show no tail at all: four characters of a short secret are too many. */
const MIN_PATH_FOR_TAIL = 12;

/**
 * A webhook URL for readers who may not change it: its origin and the last four characters of the
 * path (`https://hooks.slack.com/…/…XYZ1`), enough to tell channels apart. Chat incoming-hooks
 * carry their secret in the path (or query), which must not reach everyone holding security:read.
 */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '…';
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const query = parsed.search ? '?…' : '';
  if (path.length === 0) return `${parsed.origin}/${query}`;
  if (path.length < MIN_PATH_FOR_TAIL) return `${parsed.origin}/…${query}`;
  return `${parsed.origin}/…/…${path.slice(-4)}${query}`;
}

/** A channel as the API shows it; the full URL only to those who may change it (`revealUrl`). */
export function presentChannel(
  channel: StoredChannel,
  last: LastDelivery | null = null,
  options: { revealUrl: boolean } = { revealUrl: true },
): AlertChannelOut {
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    url: channel.url && !options.revealUrl ? maskUrl(channel.url) : channel.url,
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

/** Which checkpoint an `audit.checkpoint` delivery carries (null for every other kind). */
function checkpointOf(d: DeliveryWithChannel): AlertDeliveryOut['checkpoint'] {
  if (d.kind !== 'audit.checkpoint') return null;
  const payload = parsePayload(d.payload);
  if (payload.type !== 'audit.checkpoint') return null;
  return { origin: payload.data.checkpoint.origin, treeSize: payload.data.checkpoint.treeSize };
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
    checkpoint: checkpointOf(d),
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
