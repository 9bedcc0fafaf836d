import {
  AccessRuleIdParams,
  AccessRuleList,
  AccessRuleOut,
  AccessTimeZoneBody,
  CreateAccessRuleBody,
  Ok,
  TestAccessRulesBody,
  TestAccessRulesResult,
  UpdateAccessRuleBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { AccessRulesService } from './rules-service';

const tags = ['access rules'];
const security = AUTHENTICATED;

export function accessRuleRoutes(rules: AccessRulesService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/v1/access-rules',
      {
        schema: {
          tags,
          security,
          summary: "The organization's access rules (IP, country, time), its time zone, and your own request",
          response: { 200: AccessRuleList },
        },
      },
      async (req) => rules.list(req.caller),
    );

    app.post(
      '/api/v1/access-rules',
      {
        schema: {
          tags,
          security,
          summary: 'Add an access rule (needs a recent step-up; refused if it would lock you out)',
          body: CreateAccessRuleBody,
          response: { 201: AccessRuleOut },
        },
      },
      async (req, reply) => reply.status(201).send(await rules.create(req.caller, req.body)),
    );

    app.patch(
      '/api/v1/access-rules/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Change an access rule (its kind stays; needs a recent step-up)',
          params: AccessRuleIdParams,
          body: UpdateAccessRuleBody,
          response: { 200: AccessRuleOut },
        },
      },
      async (req) => rules.update(req.caller, req.params.id, req.body),
    );

    app.delete(
      '/api/v1/access-rules/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Delete an access rule (needs a recent step-up)',
          params: AccessRuleIdParams,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await rules.remove(req.caller, req.params.id);
        return { ok: true as const };
      },
    );

    app.put(
      '/api/v1/access-rules/time-zone',
      {
        schema: {
          tags,
          security,
          summary: 'Set the IANA time zone that time windows are read in (needs a recent step-up)',
          body: AccessTimeZoneBody,
          response: { 200: AccessRuleList },
        },
      },
      async (req) => rules.setTimeZone(req.caller, req.body.timeZone),
    );

    app.post(
      '/api/v1/access-rules/test',
      {
        schema: {
          tags,
          security,
          summary:
            'Test the rules: would this IP, at this time, with these roles (or as an API key) be let in?',
          body: TestAccessRulesBody,
          response: { 200: TestAccessRulesResult },
        },
      },
      async (req) => rules.test(req.caller, req.body),
    );
  };
}
