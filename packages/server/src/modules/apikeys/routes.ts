import { ApiKeyList, ApiKeyOut, CreateApiKeyBody, CreateApiKeyResult, IdParams } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { ApiKeysService } from './service';

const tags = ['api keys'];
const security = AUTHENTICATED;

export function apiKeyRoutes(apiKeys: ApiKeysService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/v1/api-keys',
      {
        schema: {
          tags,
          security,
          summary: "List the organization's API keys",
          response: { 200: ApiKeyList },
        },
      },
      async (req) => ({ apiKeys: await apiKeys.list(req.caller) }),
    );
    app.post(
      '/api/v1/api-keys',
      {
        schema: {
          tags,
          security,
          summary: 'Create an API key (the secret is shown once)',
          body: CreateApiKeyBody,
          response: { 201: CreateApiKeyResult },
        },
      },
      async (req, reply) => reply.status(201).send(await apiKeys.create(req.caller, req.body)),
    );
    app.delete(
      '/api/v1/api-keys/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Revoke an API key',
          params: IdParams,
          response: { 200: ApiKeyOut },
        },
      },
      async (req) => apiKeys.revoke(req.caller, req.params.id),
    );
  };
}
