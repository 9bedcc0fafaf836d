import { SetupBody, SetupStatus, SignedIn } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config';
import { deliverSession } from '../../platform/http/session-cookies';
import type { SetupService } from './service';

const tags = ['setup'];

export function setupRoutes(config: Config, setup: SetupService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/v1/setup',
      {
        schema: { tags, summary: 'Whether first-run setup is still needed', response: { 200: SetupStatus } },
      },
      async () => ({ required: await setup.isRequired() }),
    );
    app.post(
      '/api/v1/setup',
      {
        schema: {
          tags,
          summary: 'Create the first super admin and organization with the one-time setup token',
          body: SetupBody.extend({ tokenType: z.enum(['cookie', 'bearer']).default('cookie') }),
          response: { 200: SignedIn },
        },
      },
      async (req, reply) => {
        const issued = await setup.complete(req.caller.meta, req.body);
        return deliverSession(reply, config, issued, req.body.tokenType);
      },
    );
  };
}
