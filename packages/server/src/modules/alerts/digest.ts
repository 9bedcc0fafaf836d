import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { eventsByIds, presentSecurityEvent } from '../threats';
import { channelById } from './channels-store';
import * as deliveries from './deliveries-store';
import { eventsConsoleUrl, newMessageId, payloadBody } from './payloads';

/**
 * The digest: per channel, every queued low-severity event in one `security_event.digest` message
 * (a delivery of kind 'digest', sent and retried like any other), with the events as they are now.
 * Answers how many digests were made.
 */
export async function flushDigests(deps: Deps): Promise<number> {
  const { db, config } = deps;
  const channels = await deliveries.channelsWithDigestItems(db);
  let made = 0;
  for (const { id: channelId, organizationId } of channels) {
    const created = await db.transaction().execute(async (trx) => {
      const eventIds = await deliveries.takeDigestItems(trx, channelId);
      const channel = await channelById(trx, channelId);
      // A channel switched off since keeps nothing queued for later.
      if (!channel?.enabled || eventIds.length === 0) return false;
      const events = (await eventsByIds(trx, organizationId, eventIds)).map(presentSecurityEvent);
      if (events.length === 0) return false;
      const at = nowIso();
      await deliveries.insertDelivery(trx, {
        id: newId(),
        organizationId,
        channelId,
        securityEventId: null,
        kind: 'digest',
        messageId: newMessageId(),
        payload: payloadBody(
          'security_event.digest',
          organizationId,
          events,
          eventsConsoleUrl(config.publicUrl),
        ),
        at,
      });
      return true;
    });
    if (created) made += 1;
  }
  return made;
}
