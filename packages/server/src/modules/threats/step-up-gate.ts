import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/http/errors';

/**
 * A "require step-up" response: until the user verifies again (password or factor), every request
 * of their sessions but the ones needed to verify, see who they are and sign out answers
 * STEP_UP_REQUIRED, which the console and SDK already know how to satisfy.
 */
const ALLOWED_WHILE_DEMANDED = new Set([
  'GET /api/v1/me',
  'GET /api/v1/me/security',
  'GET /api/v1/auth/step-up/options',
  'POST /api/v1/auth/step-up',
  'POST /api/v1/auth/sign-out',
]);

export function registerStepUpDemandGate(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const caller = request.caller;
    if (caller?.kind !== 'user' || !caller.stepUpDemanded) return;
    const url = request.routeOptions.url;
    if (!url?.startsWith('/api/') || ALLOWED_WHILE_DEMANDED.has(`${request.method} ${url}`)) return;
    throw new AppError(
      403,
      'STEP_UP_REQUIRED',
      'Unusual activity was seen on your account. Confirm it is you to continue.',
      { reason: 'security_response' },
    );
  });
}
