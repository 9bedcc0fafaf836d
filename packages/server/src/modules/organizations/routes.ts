import {
  CreateOrganizationBody,
  CreateOrganizationResult,
  OrganizationList,
  OrganizationOut,
  OutboxList,
  UpdateOrganizationBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { OutboxService } from '../outbox';
import type { OrganizationsService } from './service';

const security = AUTHENTICATED;

export function organizationRoutes(organizations: OrganizationsService, outbox: OutboxService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.patch(
      '/api/v1/organization',
      {
        schema: {
          tags: ['organizations'],
          security,
          summary: 'Rename the current organization',
          body: UpdateOrganizationBody,
          response: { 200: OrganizationOut },
        },
      },
      async (req) => organizations.rename(req.caller, req.body.name),
    );
    app.get(
      '/api/v1/admin/organizations',
      {
        schema: {
          tags: ['platform'],
          security,
          summary: 'Every organization (super admins)',
          response: { 200: OrganizationList },
        },
      },
      async (req) => ({ organizations: await organizations.listAll(req.caller) }),
    );
    app.post(
      '/api/v1/admin/organizations',
      {
        schema: {
          tags: ['platform'],
          security,
          summary: 'Create an organization (super admins)',
          body: CreateOrganizationBody,
          response: { 201: CreateOrganizationResult },
        },
      },
      async (req, reply) => reply.status(201).send(await organizations.create(req.caller, req.body)),
    );
    app.get(
      '/api/v1/admin/outbox',
      {
        schema: {
          tags: ['platform'],
          security,
          summary: 'Mail sent or waiting to be passed on by hand (super admins)',
          response: { 200: OutboxList },
        },
      },
      async (req) => ({ messages: await outbox.list(req.caller) }),
    );
  };
}
