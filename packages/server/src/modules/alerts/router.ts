import type { SecurityEventOut } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import { enabledChannels, type StoredChannel } from './channels-store';
import * as deliveries from './deliveries-store';
import { eventConsoleUrl, newMessageId, parsePayload, payloadBody } from './payloads';
import { routeEvent, severityRank } from './routing';

/** Events whose routed severity this process remembers (for "send a repeat only when it rose"). */
const REMEMBERED_EVENTS = 10_000;

/**
 * Turns raised (and re-raised) security events into deliveries by each enabled channel's routing.
 * A `repeated` change is sent again only when the event's severity is now higher than what the
 * channel last got for it: the common case (same severity, every further failed sign-in) is
 * answered from memory without touching the database.
 */
export function createAlertRouter(deps: Deps) {
  const { db, config } = deps;
  const routedRank = new Map<string, number>();

  function remember(eventId: string, rank: number) {
    routedRank.delete(eventId);
    routedRank.set(eventId, rank);
    if (routedRank.size > REMEMBERED_EVENTS) {
      const oldest = routedRank.keys().next().value;
      if (oldest !== undefined) routedRank.delete(oldest);
    }
  }

  /** The highest severity each channel was already sent for this event (-1: none). */
  async function sentRanks(channels: StoredChannel[], eventId: string): Promise<Map<string, number>> {
    const rows = await deliveries.sentPayloadsFor(
      db,
      channels.map((c) => c.id),
      eventId,
    );
    const ranks = new Map<string, number>();
    for (const row of rows) {
      const payload = parsePayload(row.payload);
      // Only 'alert' deliveries are read, but the payload type is what says it holds events.
      const sent = payload.type === 'audit.checkpoint' ? undefined : payload.data.events[0];
      if (!sent) continue;
      ranks.set(row.channelId, Math.max(ranks.get(row.channelId) ?? -1, severityRank(sent.severity)));
    }
    return ranks;
  }

  async function insertAll(
    organizationId: string,
    event: SecurityEventOut,
    send: StoredChannel[],
    digest: StoredChannel[],
    type: 'security_event.raised' | 'security_event.repeated',
    within: Transaction<DB> | null = null,
  ): Promise<number> {
    if (send.length === 0 && digest.length === 0) return 0;
    const at = nowIso();
    const body = payloadBody(type, organizationId, [event], eventConsoleUrl(config.publicUrl, event.id));
    const insert = async (trx: Transaction<DB>) => {
      for (const channel of send) {
        await deliveries.insertDelivery(trx, {
          id: newId(),
          organizationId,
          channelId: channel.id,
          securityEventId: event.id,
          kind: 'alert',
          messageId: newMessageId(),
          payload: body,
          at,
        });
      }
      for (const channel of digest) await deliveries.queueDigestItem(trx, channel.id, event.id, at);
    };
    if (within) await insert(within);
    else await db.transaction().execute(insert);
    return send.length;
  }

  /** A new event's deliveries and digest items, by each enabled channel's routing. */
  async function routeRaised(
    executor: Transaction<DB> | null,
    organizationId: string,
    event: SecurityEventOut,
  ): Promise<number> {
    remember(event.id, severityRank(event.severity));
    const channels = await enabledChannels(executor ?? db, organizationId);
    const send = channels.filter((c) => routeEvent(c.routing, event) === 'send');
    const digest = channels.filter((c) => routeEvent(c.routing, event) === 'digest');
    return insertAll(organizationId, event, send, digest, 'security_event.raised', executor);
  }

  return {
    /**
     * Queues a new event's deliveries in the transaction raising it (a crash after its commit
     * cannot lose them); answers how many to send.
     */
    queueRaised: (trx: Transaction<DB>, organizationId: string, event: SecurityEventOut) =>
      routeRaised(trx, organizationId, event),

    /** Answers how many deliveries were created (to send now). */
    async route(
      organizationId: string,
      change: 'raised' | 'repeated',
      event: SecurityEventOut,
    ): Promise<number> {
      if (change === 'raised') return routeRaised(null, organizationId, event);
      const rank = severityRank(event.severity);
      const known = routedRank.get(event.id);
      if (known !== undefined && rank <= known) return 0;
      // Set before any await, so concurrent repeats of one event do not all pass the check.
      remember(event.id, rank);
      const channels = await enabledChannels(db, organizationId);
      const matching = channels.filter((c) => routeEvent(c.routing, event) === 'send');
      const sent = await sentRanks(matching, event.id);
      const rose = matching.filter((c) => rank > (sent.get(c.id) ?? -1));
      return insertAll(organizationId, event, rose, [], 'security_event.repeated');
    },
  };
}

export type AlertRouter = ReturnType<typeof createAlertRouter>;
