import type { Deps } from '../../deps';
import { isoAfter, nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { checkpointChannels, type StoredChannel } from './channels-store';
import * as deliveries from './deliveries-store';
import { checkpointBody, newMessageId, type SignedCheckpoint } from './payloads';

/**
 * Signed audit checkpoints to the channels that keep a copy outside Custos (`audit.checkpoint`).
 *
 * A channel gets at most one every `minIntervalMinutes`. A checkpoint that comes sooner is not
 * dropped: it waits in a delivery due once the interval has passed since the channel last got one,
 * and each later checkpoint replaces the waiting one's payload. So the receiver gets the newest
 * checkpoint when its time comes, and the last checkpoint of a burst goes out even if no other
 * follows; being a row, the waiting delivery survives a restart and the worker sends it like any
 * other. With an interval of 0 every checkpoint is a delivery of its own.
 */
export function createCheckpointRouter(deps: Deps) {
  const { db, config } = deps;

  /** Queues the checkpoint for one channel; answers whether it is due now. */
  function queueFor(channel: StoredChannel, body: string): Promise<boolean> {
    const everyMs = channel.routing.checkpoints.minIntervalMinutes * 60_000;
    return db.transaction().execute(async (trx) => {
      const at = nowIso();
      const sentAt = everyMs > 0 ? await deliveries.lastCheckpointSentAt(trx, channel.id, at) : null;
      const nextSlot = sentAt ? isoAfter(everyMs, new Date(sentAt)) : at;
      const dueAt = nextSlot > at ? nextSlot : at;
      // The due time is recomputed, so an interval changed since the delivery was queued applies at
      // once. Without an interval each checkpoint is a delivery of its own; only one still waiting
      // from an earlier interval is brought forward (else it would go out later, out of order).
      const refreshed = await deliveries.refreshWaitingCheckpoint(trx, channel.id, {
        payload: body,
        dueAt,
        dueAfter: everyMs > 0 ? null : at,
      });
      if (refreshed) return dueAt === at;
      await deliveries.insertDelivery(trx, {
        id: newId(),
        organizationId: channel.organizationId,
        channelId: channel.id,
        securityEventId: null,
        kind: 'audit.checkpoint',
        messageId: newMessageId(),
        payload: body,
        at,
        dueAt,
      });
      return dueAt === at;
    });
  }

  return {
    /**
     * Queues a newly signed checkpoint of the organization's log for each enabled channel that
     * takes checkpoints; answers how many deliveries are due now. Calls for one organization must
     * not overlap (the module runs them one after the other), or an older checkpoint could replace
     * a newer one.
     */
    async route(organizationId: string, checkpoint: SignedCheckpoint, verifierKeys: string[]) {
      const channels = await checkpointChannels(db, organizationId);
      if (channels.length === 0) return 0;
      const body = checkpointBody(organizationId, checkpoint, verifierKeys, config.publicUrl);
      let dueNow = 0;
      for (const channel of channels) if (await queueFor(channel, body)) dueNow += 1;
      return dueNow;
    },
  };
}
