import { SignedIn, StartImpersonationBody } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { deliverSession } from '../../platform/http/session-cookies';
import type { ImpersonationService } from './service';

const tags = ['platform'];
const security = AUTHENTICATED;

export function impersonationRoutes(config: Config, impersonation: ImpersonationService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tokenType = (authorization: string | undefined): 'bearer' | 'cookie' =>
      authorization ? 'bearer' : 'cookie';

    app.post(
      '/api/v1/impersonation',
      {
        schema: {
          tags,
          security,
          summary: 'Act as a user (super admins; reason required; 30 minutes by default)',
          description:
            'The console cookie switches to the impersonation session (bearer clients get `token`). Every audit event in it carries the impersonator.',
          body: StartImpersonationBody,
          response: { 200: SignedIn },
        },
      },
      async (req, reply) => {
        const handed = await impersonation.start(req.caller, req.body);
        return deliverSession(reply, config, handed, tokenType(req.headers.authorization));
      },
    );

    app.post(
      '/api/v1/impersonation/stop',
      {
        schema: {
          tags,
          security,
          summary: 'Stop impersonating and return to your own session (with a new token)',
          response: { 200: SignedIn },
        },
      },
      async (req, reply) => {
        const handed = await impersonation.stop(req.caller);
        return deliverSession(reply, config, handed, tokenType(req.headers.authorization));
      },
    );
  };
}
