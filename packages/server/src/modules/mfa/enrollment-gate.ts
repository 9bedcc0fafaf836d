import type { FastifyInstance } from 'fastify';
import type { ErrorDetailer } from '../../platform/http/error-handler';
import { forbidden } from '../../platform/http/errors';
import type { MfaVerifier } from './verify';

/**
 * What a member whose MFA grace period is over may still do: see who they are, enrol a factor, step
 * up for it, manage their own sessions and sign out. Everything else answers MFA_ENROLLMENT_REQUIRED.
 */
const ALLOWED_WHILE_ENROLLING = new Set([
  'GET /api/v1/me',
  'GET /api/v1/me/security',
  'POST /api/v1/me/factors/totp',
  'POST /api/v1/me/factors/totp/:id/confirm',
  'POST /api/v1/me/factors/passkeys/options',
  'POST /api/v1/me/factors/passkeys',
  'GET /api/v1/auth/step-up/options',
  'POST /api/v1/auth/step-up',
  'POST /api/v1/auth/sign-out',
  'POST /api/v1/auth/switch-organization',
  'GET /api/v1/me/sessions',
  'DELETE /api/v1/me/sessions/:id',
  'POST /api/v1/me/sessions/revoke-others',
]);

export function registerEnrollmentGate(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const caller = request.caller;
    if (caller?.kind !== 'user' || !caller.mfaEnrollment.blocking) return;
    const url = request.routeOptions.url;
    if (!url?.startsWith('/api/') || ALLOWED_WHILE_ENROLLING.has(`${request.method} ${url}`)) return;
    throw forbidden(
      'MFA_ENROLLMENT_REQUIRED',
      'Your organization requires a second factor. Add an authenticator app or a passkey in My security to continue.',
      { deadline: caller.mfaEnrollment.deadline },
    );
  });
}

/** STEP_UP_REQUIRED names the methods this user can really step up with (the thrower cannot know). */
export function stepUpDetails(verifier: Pick<MfaVerifier, 'methodsOf'>): ErrorDetailer {
  return async (request, error) => {
    const caller = request.caller;
    if (error.code !== 'STEP_UP_REQUIRED' || caller?.kind !== 'user' || !caller.mfaEnabled) return undefined;
    return { methods: await verifier.methodsOf(caller.userId) };
  };
}
