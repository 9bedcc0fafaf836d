import {
  CreateResponseBody,
  IdParams,
  ListResponsesQuery,
  ListSecurityEventsQuery,
  SecurityEventDetail,
  SecurityEventList,
  SecurityEventOut,
  ThreatResponseOut,
  ThreatSettingsOut,
  UpdateSecurityEventBody,
  UpdateThreatSettingsBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { SecurityEventsService } from './events-service';
import type { ThreatResponsesService } from './responses-service';
import type { ThreatSettingsService } from './settings-service';

const tags = ['security'];
const security = AUTHENTICATED;
const ResponseList = z.object({ responses: z.array(ThreatResponseOut) });

export function threatRoutes(services: {
  settings: ThreatSettingsService;
  events: SecurityEventsService;
  responses: ThreatResponsesService;
}) {
  const { settings, events, responses } = services;
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/v1/security/settings',
      {
        schema: {
          tags,
          security,
          summary: 'Detector settings and response rules (defaults merged in), with the detector catalog',
          response: { 200: ThreatSettingsOut },
        },
      },
      async (req) => settings.get(req.caller),
    );

    app.put(
      '/api/v1/security/settings',
      {
        schema: {
          tags,
          security,
          summary:
            'Change detectors (those given are replaced) and/or the response rules (needs a recent step-up)',
          body: UpdateThreatSettingsBody,
          response: { 200: ThreatSettingsOut },
        },
      },
      async (req) => settings.update(req.caller, req.body),
    );

    app.get(
      '/api/v1/security/events',
      {
        schema: {
          tags,
          security,
          summary: 'Security events, most recently seen first (filters; keyset pages)',
          querystring: ListSecurityEventsQuery,
          response: { 200: SecurityEventList },
        },
      },
      async (req) => events.list(req.caller, req.query),
    );

    app.get(
      '/api/v1/security/events/:id',
      {
        schema: {
          tags,
          security,
          summary: 'A security event with its evidence, timeline and responses',
          params: IdParams,
          response: { 200: SecurityEventDetail },
        },
      },
      async (req) => events.get(req.caller, req.params.id),
    );

    app.patch(
      '/api/v1/security/events/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Triage a security event: status, assignee, note',
          params: IdParams,
          body: UpdateSecurityEventBody,
          response: { 200: SecurityEventOut },
        },
      },
      async (req) => events.update(req.caller, req.params.id, req.body),
    );

    app.get(
      '/api/v1/security/responses',
      {
        schema: {
          tags,
          security,
          summary: 'Responses: locks and IP blocks in force (or every response, one-shot actions included)',
          querystring: ListResponsesQuery,
          response: { 200: ResponseList },
        },
      },
      async (req) => responses.list(req.caller, req.query),
    );

    app.post(
      '/api/v1/security/responses',
      {
        schema: {
          tags,
          security,
          summary: 'Lock a member or block an IP by hand (needs a recent step-up; never yourself)',
          body: CreateResponseBody,
          response: { 201: ThreatResponseOut },
        },
      },
      async (req, reply) => reply.status(201).send(await responses.create(req.caller, req.body)),
    );

    app.post(
      '/api/v1/security/responses/:id/lift',
      {
        schema: {
          tags,
          security,
          summary: 'Lift a lock or IP block in force (needs a recent step-up; never a lock of your own)',
          params: IdParams,
          response: { 200: ThreatResponseOut },
        },
      },
      async (req) => responses.lift(req.caller, req.params.id),
    );
  };
}
