import {
  type AlertChannelCreated,
  type AlertChannelOut,
  type AlertDeliveryOut,
  type AlertRouting,
  type AlertRoutingInput,
  type CheckpointRouting,
  type CreateAlertChannelBody,
  DEFAULT_CHECKPOINT_INTERVAL_MINUTES,
  EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES,
  type UpdateAlertChannelBody,
} from '@custos/shared';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { authorize, type Caller, requireStepUp } from '../../platform/http/caller';
import { badRequest, notFound } from '../../platform/http/errors';
import { changesBetween } from '../audit';
import * as store from './channels-store';
import * as deliveries from './deliveries-store';
import { alertsConsoleUrl, newMessageId, payloadBody } from './payloads';
import { channelSnapshot, presentChannel, presentDelivery } from './present';
import { type ChannelSecrets, newWebhookSecret, secretHint } from './secrets';
import { checkWebhookUrl } from './url-guard';
import type { DeliveryWorker } from './worker';

type CreateBody = z.output<typeof CreateAlertChannelBody>;

const channelNotFound = () => notFound('ALERT_CHANNEL_NOT_FOUND', 'There is no alert channel with that id.');

const wrongField = (field: string, kind: string) =>
  badRequest('VALIDATION_FAILED', `A ${kind} channel has no ${field}.`, [
    { path: field, message: `not a field of a ${kind} channel` },
  ]);

const NO_CHECKPOINTS: CheckpointRouting = {
  enabled: false,
  minIntervalMinutes: DEFAULT_CHECKPOINT_INTERVAL_MINUTES,
};

/**
 * The routing to store: checkpoints not given stay as they were (off for a new channel), and an
 * e-mail channel takes them at most every EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES.
 */
function routingToStore(kind: store.ChannelKind, given: AlertRoutingInput, current: CheckpointRouting) {
  const routing: AlertRouting = { ...given, checkpoints: given.checkpoints ?? current };
  const { enabled, minIntervalMinutes } = routing.checkpoints;
  if (kind === 'email' && enabled && minIntervalMinutes < EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES) {
    throw badRequest(
      'VALIDATION_FAILED',
      `An e-mail channel takes at most one checkpoint every ${EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES} minutes.`,
      [
        {
          path: 'routing.checkpoints.minIntervalMinutes',
          message: `at least ${EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES} for an e-mail channel`,
        },
      ],
    );
  }
  return routing;
}

/** Recipients as given, lower-cased and without repeats. */
const normalizeRecipients = (list: string[]) => [...new Set(list.map((r) => r.trim().toLowerCase()))];

/**
 * Alert channels: where security alerts go (signed webhooks, e-mail) and which ones. Reading needs
 * security:read; changes need security:manage, and all but the test send a recent step-up (a
 * channel decides where security data leaves the organization). Every change is audited in its
 * transaction, never with the secret.
 */
export function createChannelsService(deps: Deps, secrets: ChannelSecrets, worker: DeliveryWorker) {
  const { db, audit, config } = deps;
  const allowPrivate = config.webhookAllowPrivateNetworks;

  async function present(organizationId: string, channel: store.StoredChannel): Promise<AlertChannelOut> {
    const last = await store.lastDeliveries(db, organizationId);
    return presentChannel(channel, last.get(channel.id) ?? null);
  }

  async function reread(organizationId: string, id: string): Promise<store.StoredChannel> {
    const channel = await store.findChannel(db, organizationId, id);
    if (!channel) throw channelNotFound();
    return channel;
  }

  return {
    async list(caller: Caller): Promise<{ channels: AlertChannelOut[] }> {
      const actor = authorize(caller, 'security:read');
      const [channels, last] = await Promise.all([
        store.listChannels(db, actor.organizationId),
        store.lastDeliveries(db, actor.organizationId),
      ]);
      // Webhook URLs often hold a token: readers see them masked, only managers in full.
      const revealUrl = actor.permissions.has('security:manage');
      return { channels: channels.map((c) => presentChannel(c, last.get(c.id) ?? null, { revealUrl })) };
    },

    async create(caller: Caller, body: CreateBody): Promise<AlertChannelCreated> {
      const actor = authorize(caller, 'security:manage');
      requireStepUp(caller);
      const routing = routingToStore(body.kind, body.routing, NO_CHECKPOINTS);
      const url = body.kind === 'webhook' ? await checkWebhookUrl(body.url, allowPrivate) : null;
      const id = newId();
      const secret = body.kind === 'webhook' ? newWebhookSecret() : null;
      const at = nowIso();
      await db.transaction().execute(async (trx) => {
        await store.insertChannel(trx, {
          id,
          organizationId: actor.organizationId,
          kind: body.kind,
          name: body.name,
          url,
          recipients: body.kind === 'email' ? normalizeRecipients(body.recipients) : null,
          routing,
          enabled: body.enabled,
          secretSealed: secret ? secrets.seal(id, secret) : null,
          secretHint: secret ? secretHint(secret) : null,
          at,
        });
        const created = await store.findChannel(trx, actor.organizationId, id);
        if (!created) throw channelNotFound();
        await audit.record(trx, actor, {
          action: 'alert_channel.created',
          targets: [{ type: 'alert_channel', id, name: body.name }],
          metadata: { channel: channelSnapshot(created) },
        });
      });
      return { ...(await present(actor.organizationId, await reread(actor.organizationId, id))), secret };
    },

    async update(caller: Caller, id: string, patch: UpdateAlertChannelBody): Promise<AlertChannelOut> {
      const actor = authorize(caller, 'security:manage');
      requireStepUp(caller);
      const current = await reread(actor.organizationId, id);
      if (current.kind === 'email' && patch.url !== undefined) throw wrongField('url', 'email');
      if (current.kind === 'webhook' && patch.recipients !== undefined)
        throw wrongField('recipients', 'webhook');
      const url = patch.url !== undefined ? await checkWebhookUrl(patch.url, allowPrivate) : current.url;
      await db.transaction().execute(async (trx) => {
        const before = await store.findChannel(trx, actor.organizationId, id);
        if (!before) throw channelNotFound();
        await store.updateChannel(
          trx,
          actor.organizationId,
          id,
          {
            name: patch.name ?? before.name,
            url,
            recipients: patch.recipients ? normalizeRecipients(patch.recipients) : before.recipients,
            routing: patch.routing
              ? routingToStore(before.kind, patch.routing, before.routing.checkpoints)
              : before.routing,
            enabled: patch.enabled ?? before.enabled,
          },
          nowIso(),
        );
        const after = await store.findChannel(trx, actor.organizationId, id);
        if (!after) throw channelNotFound();
        await audit.record(trx, actor, {
          action: 'alert_channel.updated',
          targets: [{ type: 'alert_channel', id, name: after.name }],
          changes: changesBetween(channelSnapshot(before), channelSnapshot(after)),
        });
      });
      return present(actor.organizationId, await reread(actor.organizationId, id));
    },

    async remove(caller: Caller, id: string): Promise<void> {
      const actor = authorize(caller, 'security:manage');
      requireStepUp(caller);
      await db.transaction().execute(async (trx) => {
        const channel = await store.findChannel(trx, actor.organizationId, id);
        if (!channel) throw channelNotFound();
        // Its deliveries, their attempts and queued digest items go with it (foreign keys cascade).
        await store.deleteChannel(trx, actor.organizationId, id);
        await audit.record(trx, actor, {
          action: 'alert_channel.deleted',
          targets: [{ type: 'alert_channel', id, name: channel.name }],
          metadata: { channel: channelSnapshot(channel) },
        });
      });
    },

    /** A new signing secret, in force at once (the old one stops verifying). Shown once. */
    async rotateSecret(caller: Caller, id: string): Promise<AlertChannelCreated> {
      const actor = authorize(caller, 'security:manage');
      requireStepUp(caller);
      const secret = newWebhookSecret();
      await db.transaction().execute(async (trx) => {
        const channel = await store.findChannel(trx, actor.organizationId, id);
        if (!channel) throw channelNotFound();
        if (channel.kind !== 'webhook') {
          throw badRequest('VALIDATION_FAILED', 'Only webhook channels have a signing secret.', [
            { path: 'id', message: 'not a webhook channel' },
          ]);
        }
        await store.replaceSecret(
          trx,
          actor.organizationId,
          id,
          secrets.seal(id, secret),
          secretHint(secret),
          nowIso(),
        );
        await audit.record(trx, actor, {
          action: 'alert_channel.secret_rotated',
          targets: [{ type: 'alert_channel', id, name: channel.name }],
          changes: { secretHint: [channel.secretHint, secretHint(secret)] },
        });
      });
      return { ...(await present(actor.organizationId, await reread(actor.organizationId, id))), secret };
    },

    /** Sends an `alert.test` message now (enabled or not) and answers its delivery after the attempt. */
    async test(caller: Caller, id: string): Promise<AlertDeliveryOut> {
      const actor = authorize(caller, 'security:manage');
      const deliveryId = newId();
      await db.transaction().execute(async (trx) => {
        const channel = await store.findChannel(trx, actor.organizationId, id);
        if (!channel) throw channelNotFound();
        const messageId = newMessageId();
        await deliveries.insertDelivery(trx, {
          id: deliveryId,
          organizationId: actor.organizationId,
          channelId: id,
          securityEventId: null,
          kind: 'test',
          messageId,
          payload: payloadBody('alert.test', actor.organizationId, [], alertsConsoleUrl(config.publicUrl)),
          at: nowIso(),
        });
        await audit.record(trx, actor, {
          action: 'alert_channel.tested',
          targets: [
            { type: 'alert_channel', id, name: channel.name },
            { type: 'alert_delivery', id: deliveryId },
          ],
          metadata: { messageId },
        });
      });
      await worker.attemptNow(deliveryId);
      const delivery = await deliveries.findDelivery(db, actor.organizationId, deliveryId);
      if (!delivery) throw channelNotFound();
      return presentDelivery(delivery);
    },
  };
}

export type ChannelsService = ReturnType<typeof createChannelsService>;
