import { Health } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../platform/db/schema';

export function systemRoutes(db: Kysely<DB>) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/health',
      {
        schema: {
          tags: ['system'],
          summary: 'Liveness and database check',
          response: { 200: Health, 503: Health },
        },
      },
      async (req, reply) => {
        try {
          await sql`select 1`.execute(db);
          return { status: 'ok' as const, database: 'ok' as const };
        } catch (error) {
          req.log.error({ err: error }, 'health check: database unreachable');
          return reply.status(503).send({ status: 'degraded' as const, database: 'down' as const });
        }
      },
    );
  };
}
