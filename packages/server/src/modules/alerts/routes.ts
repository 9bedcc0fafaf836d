import {
  AlertChannelCreated,
  AlertChannelOut,
  AlertDeliveryDetail,
  AlertDeliveryList,
  AlertDeliveryOut,
  CreateAlertChannelBody,
  IdParams,
  ListDeliveriesQuery,
  Ok,
  UpdateAlertChannelBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { ChannelsService } from './channels-service';
import type { DeliveriesService } from './deliveries-service';

const tags = ['alerts'];
const security = AUTHENTICATED;
export const AlertChannelList = z.object({ channels: z.array(AlertChannelOut) });

export function alertRoutes(channels: ChannelsService, deliveries: DeliveriesService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/v1/alerts/channels',
      {
        schema: {
          tags,
          security,
          summary: 'Alert channels (webhooks, e-mail); webhook URLs are masked without security:manage',
          response: { 200: AlertChannelList },
        },
      },
      async (req) => channels.list(req.caller),
    );

    app.post(
      '/api/v1/alerts/channels',
      {
        schema: {
          tags,
          security,
          summary: 'Add an alert channel (step-up); a webhook channel answers its signing secret once',
          body: CreateAlertChannelBody,
          response: { 201: AlertChannelCreated },
        },
      },
      async (req, reply) => reply.status(201).send(await channels.create(req.caller, req.body)),
    );

    app.patch(
      '/api/v1/alerts/channels/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Change an alert channel (step-up)',
          params: IdParams,
          body: UpdateAlertChannelBody,
          response: { 200: AlertChannelOut },
        },
      },
      async (req) => channels.update(req.caller, req.params.id, req.body),
    );

    app.delete(
      '/api/v1/alerts/channels/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Delete an alert channel and its delivery log (step-up)',
          params: IdParams,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await channels.remove(req.caller, req.params.id);
        return { ok: true as const };
      },
    );

    app.post(
      '/api/v1/alerts/channels/:id/rotate-secret',
      {
        schema: {
          tags,
          security,
          summary: "Replace a webhook channel's signing secret (step-up); answers the new secret once",
          params: IdParams,
          response: { 200: AlertChannelCreated },
        },
      },
      async (req) => channels.rotateSecret(req.caller, req.params.id),
    );

    app.post(
      '/api/v1/alerts/channels/:id/test',
      {
        schema: {
          tags,
          security,
          summary: 'Send an alert.test message now; answers its delivery',
          params: IdParams,
          response: { 200: AlertDeliveryOut },
        },
      },
      async (req) => channels.test(req.caller, req.params.id),
    );

    app.get(
      '/api/v1/alerts/deliveries',
      {
        schema: {
          tags,
          security,
          summary: 'The delivery log, newest first',
          querystring: ListDeliveriesQuery,
          response: { 200: AlertDeliveryList },
        },
      },
      async (req) => deliveries.list(req.caller, req.query),
    );

    app.get(
      '/api/v1/alerts/deliveries/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One delivery with its payload and every attempt',
          params: IdParams,
          response: { 200: AlertDeliveryDetail },
        },
      },
      async (req) => deliveries.get(req.caller, req.params.id),
    );

    app.post(
      '/api/v1/alerts/deliveries/:id/replay',
      {
        schema: {
          tags,
          security,
          summary: 'Send a delivery again now, with the same webhook-id (409 while an attempt runs)',
          params: IdParams,
          response: { 200: AlertDeliveryOut },
        },
      },
      async (req) => deliveries.replay(req.caller, req.params.id),
    );
  };
}
