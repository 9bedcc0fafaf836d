import type {
  AlertDeliveryDetail,
  AlertDeliveryList,
  AlertDeliveryOut,
  ListDeliveriesQuery,
} from '@custos/shared';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { authorize, type Caller } from '../../platform/http/caller';
import { badRequest, conflict, notFound } from '../../platform/http/errors';
import * as store from './deliveries-store';
import { presentDelivery, presentDeliveryDetail } from './present';
import type { DeliveryWorker } from './worker';

type ListQuery = z.output<typeof ListDeliveriesQuery>;

const deliveryNotFound = () =>
  notFound('ALERT_DELIVERY_NOT_FOUND', 'There is no alert delivery with that id.');

const attemptInProgress = () =>
  conflict(
    'CONFLICT',
    'An attempt of this delivery is in progress. Try again in a moment, once it has finished.',
  );

/** Keyset cursor: the last row's (createdAt, id), opaque to clients. */
export function encodeCursor(row: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [createdAt, id] = value;
      if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
    }
  } catch {
    // answered below
  }
  throw badRequest('VALIDATION_FAILED', 'The cursor is not one this API gave out.', [
    { path: 'cursor', message: 'is invalid' },
  ]);
}

/** The delivery log: every message sent (or being sent) to the organization's channels, and replay. */
export function createDeliveriesService(deps: Deps, worker: DeliveryWorker) {
  const { db, audit } = deps;

  return {
    async list(caller: Caller, query: ListQuery): Promise<AlertDeliveryList> {
      const actor = authorize(caller, 'security:read');
      const rows = await store.listDeliveries(db, actor.organizationId, {
        ...(query.channelId ? { channelId: query.channelId } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.securityEventId ? { securityEventId: query.securityEventId } : {}),
        ...(query.cursor ? { before: decodeCursor(query.cursor) } : {}),
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        deliveries: page.map(presentDelivery),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
      };
    },

    async get(caller: Caller, id: string): Promise<AlertDeliveryDetail> {
      const actor = authorize(caller, 'security:read');
      const delivery = await store.findDelivery(db, actor.organizationId, id);
      if (!delivery) throw deliveryNotFound();
      return presentDeliveryDetail(delivery, await store.attemptsOf(db, id));
    },

    /**
     * Sends the same message again now, with the same webhook-id (receivers deduplicate on it).
     * A replay is one more attempt; automatic retries follow only while the schedule has room.
     * While an attempt is running it answers 409: requeued then, the message would go out twice.
     */
    async replay(caller: Caller, id: string): Promise<AlertDeliveryOut> {
      const actor = authorize(caller, 'security:manage');
      await db.transaction().execute(async (trx) => {
        const delivery = await store.findDelivery(trx, actor.organizationId, id);
        if (!delivery) throw deliveryNotFound();
        // Requeued now, the running attempt and the replay would both send the message.
        const now = nowIso();
        if (
          (await store.attemptInFlight(trx, delivery, now)) ||
          !(await store.requeue(trx, actor.organizationId, delivery, now))
        ) {
          throw attemptInProgress();
        }
        await audit.record(trx, actor, {
          action: 'alert_delivery.replayed',
          targets: [
            { type: 'alert_delivery', id },
            { type: 'alert_channel', id: delivery.channelId, name: delivery.channelName },
          ],
          metadata: {
            messageId: delivery.messageId,
            previousStatus: delivery.status,
            attempts: delivery.attempts,
          },
        });
      });
      await worker.attemptNow(id);
      const after = await store.findDelivery(db, actor.organizationId, id);
      if (!after) throw deliveryNotFound();
      return presentDelivery(after);
    },
  };
}

export type DeliveriesService = ReturnType<typeof createDeliveriesService>;
