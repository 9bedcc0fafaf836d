import { SecurityPolicyOut, UpdateSecurityPolicyBody } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { SecurityPolicyService } from './service';

const tags = ['security'];
const security = AUTHENTICATED;

export function securityPolicyRoutes(policies: SecurityPolicyService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/v1/security/policy',
      {
        schema: {
          tags,
          security,
          summary: "The organization's security policy (MFA, step-up, sessions, passwords)",
          response: { 200: SecurityPolicyOut },
        },
      },
      async (req) => policies.get(req.caller),
    );

    app.patch(
      '/api/v1/security/policy',
      {
        schema: {
          tags,
          security,
          summary: 'Change the security policy (needs a recent step-up)',
          body: UpdateSecurityPolicyBody,
          response: { 200: SecurityPolicyOut },
        },
      },
      async (req) => policies.update(req.caller, req.body),
    );
  };
}
