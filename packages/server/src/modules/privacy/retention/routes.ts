import {
  CreateRetentionRuleBody,
  IdParams,
  RetentionRuleList,
  RetentionRuleOut,
  RetentionRunList,
  RetentionRunOut,
  RunRetentionBody,
  UpdateRetentionRuleBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTHENTICATED } from '../../../platform/http/openapi';
import type { RetentionService } from './service';

const tags = ['privacy'];
const security = AUTHENTICATED;
const BASE = '/api/v1/privacy/retention';

/** Retention rules and runs: read with privacy:read, change and run with privacy:manage. */
export function retentionRoutes(retention: RetentionService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      `${BASE}/rules`,
      {
        schema: {
          tags,
          security,
          summary: "Retention rules per system and category (Custos' own data kinds included, with defaults)",
          response: { 200: RetentionRuleList },
        },
      },
      async (req) => ({ rules: await retention.list(req.caller) }),
    );
    app.post(
      `${BASE}/rules`,
      {
        schema: {
          tags,
          security,
          summary: 'Add a retention rule for a category the system holds in the data map',
          body: CreateRetentionRuleBody,
          response: { 201: RetentionRuleOut },
        },
      },
      async (req, reply) => reply.status(201).send(await retention.create(req.caller, req.body)),
    );
    app.patch(
      `${BASE}/rules/:id`,
      {
        schema: {
          tags,
          security,
          summary:
            "Change a rule's period, trigger, action or whether it is on (Custos' own: period and on/off)",
          params: IdParams,
          body: UpdateRetentionRuleBody,
          response: { 200: RetentionRuleOut },
        },
      },
      async (req) => retention.update(req.caller, req.params.id, req.body),
    );
    app.delete(
      `${BASE}/rules/:id`,
      {
        schema: {
          tags,
          security,
          summary: "Remove a host system's rule (Custos' own rules can be turned off, not removed)",
          params: IdParams,
          response: { 200: z.object({ deleted: z.literal(true) }) },
        },
      },
      async (req) => {
        await retention.remove(req.caller, req.params.id);
        return { deleted: true as const };
      },
    );
    app.post(
      `${BASE}/runs`,
      {
        schema: {
          tags,
          security,
          summary:
            'Run retention now: a dry run counts what would go and changes nothing; a real run removes it and sends host systems their tasks',
          body: RunRetentionBody,
          response: { 201: RetentionRunOut },
        },
      },
      async (req, reply) => reply.status(201).send(await retention.run(req.caller, req.body.dryRun)),
    );
    app.get(
      `${BASE}/runs`,
      {
        schema: {
          tags,
          security,
          summary: 'The latest retention runs (dry and real) with their per-rule reports',
          response: { 200: RetentionRunList },
        },
      },
      async (req) => ({ runs: await retention.runs(req.caller) }),
    );
    app.get(
      `${BASE}/runs/:id`,
      {
        schema: {
          tags,
          security,
          summary: 'One retention run and its report',
          params: IdParams,
          response: { 200: RetentionRunOut },
        },
      },
      async (req) => retention.getRun(req.caller, req.params.id),
    );
  };
}
