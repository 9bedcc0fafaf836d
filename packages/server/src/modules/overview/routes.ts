import { SecurityOverview } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { OverviewService } from './service';

const tags = ['security'];
const security = AUTHENTICATED;

export function overviewRoutes(overview: OverviewService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/v1/security/overview',
      {
        schema: {
          tags,
          security,
          summary:
            "The organization's security at a glance: threat level, score with advice, open events, sign-ins, sessions, MFA",
          response: { 200: SecurityOverview },
        },
      },
      async (req) => overview.get(req.caller),
    );
  };
}
