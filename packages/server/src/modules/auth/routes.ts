import {
  ChangePasswordBodyV2,
  MeResult,
  MfaChallengeBody,
  MfaVerifyBody,
  Ok,
  OkWithToken,
  PasskeySignInBody,
  PasskeySignInOptions,
  PasswordResetCompleteBody,
  PasswordResetRequestBody,
  PasswordResetRequested,
  SignedIn,
  SignInAnswer,
  SignInBody,
  StepUpBody,
  StepUpOptions,
  StepUpResult,
  SwitchOrganizationBody,
  SwitchOrganizationResult,
  UpdateProfileBody,
  WebAuthnOptions,
} from '@custos/shared';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config';
import { requireUser } from '../../platform/http/caller';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { clearSessionCookies, deliverSession, handOverToken } from '../../platform/http/session-cookies';
import type { createAccountService } from './account';
import type { PasswordResetService } from './password-reset';
import type { AuthService, SignInOutcome } from './service';
import type { StepUpService } from './step-up';

const tags = ['auth'];
const security = AUTHENTICATED;

/** A session in the cookie (or the body for bearer clients), or the MFA step as it is. */
export function deliverSignIn(
  reply: FastifyReply,
  config: Config,
  outcome: SignInOutcome,
  tokenType: 'cookie' | 'bearer',
) {
  if (outcome.kind === 'challenge') return outcome.challenge;
  return deliverSession(reply, config, outcome.issued, tokenType);
}

export function authRoutes(
  config: Config,
  auth: AuthService,
  account: ReturnType<typeof createAccountService>,
  reset: PasswordResetService,
  stepUp: StepUpService,
) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/api/v1/auth/sign-in',
      {
        schema: {
          tags,
          summary: 'Sign in with e-mail and password',
          description:
            'Cookie flow by default (HttpOnly session cookie + readable CSRF cookie). With `"tokenType":"bearer"` the body carries `token`. A user with a second factor gets `mfaRequired` and a five-minute challenge to answer at /api/v1/auth/mfa/verify.',
          body: SignInBody,
          response: { 200: SignInAnswer },
        },
      },
      async (req, reply) =>
        deliverSignIn(reply, config, await auth.signIn(req.caller.meta, req.body), req.body.tokenType),
    );

    app.post(
      '/api/v1/auth/mfa/verify',
      {
        schema: {
          tags,
          summary: 'Answer the sign-in challenge with a TOTP code, a recovery code or a passkey',
          body: MfaVerifyBody,
          response: { 200: SignedIn },
        },
      },
      async (req, reply) => {
        const issued = await auth.verifyMfa(req.caller.meta, req.body);
        return deliverSession(reply, config, issued, req.body.tokenType);
      },
    );

    app.post(
      '/api/v1/auth/mfa/passkey-options',
      {
        schema: {
          tags,
          summary: "Passkey request options for a sign-in challenge (the user's own passkeys)",
          body: MfaChallengeBody,
          response: { 200: WebAuthnOptions },
        },
      },
      async (req) => auth.mfaPasskeyOptions(req.body.challenge),
    );

    app.post(
      '/api/v1/auth/passkey/options',
      {
        schema: {
          tags,
          summary: 'Options for passwordless sign-in with a passkey',
          response: { 200: PasskeySignInOptions },
        },
      },
      async (req) => auth.passkeySignInOptions(req.caller.meta),
    );

    app.post(
      '/api/v1/auth/passkey/sign-in',
      {
        schema: {
          tags,
          summary: 'Sign in with a passkey (user verification required; counts as both factors)',
          body: PasskeySignInBody,
          response: { 200: SignedIn },
        },
      },
      async (req, reply) =>
        deliverSession(
          reply,
          config,
          await auth.passkeySignIn(req.caller.meta, req.body),
          req.body.tokenType,
        ),
    );

    app.post(
      '/api/v1/auth/password-reset/request',
      {
        schema: {
          tags,
          summary: 'E-mail a password-reset link (the answer is the same whether or not the account exists)',
          body: PasswordResetRequestBody,
          response: { 200: PasswordResetRequested },
        },
      },
      async (req) => {
        const { emailConfigured } = await reset.request(req.caller.meta, req.body.email);
        return { ok: true as const, emailConfigured };
      },
    );

    app.post(
      '/api/v1/auth/password-reset/complete',
      {
        schema: {
          tags,
          summary: 'Set a new password with a reset link (ends every session; sign in afterwards)',
          body: PasswordResetCompleteBody,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await reset.complete(req.caller.meta, req.body.token, req.body.newPassword);
        return { ok: true as const };
      },
    );

    app.get(
      '/api/v1/auth/step-up/options',
      {
        schema: {
          tags,
          security,
          summary: 'How you can confirm it is you',
          response: { 200: StepUpOptions },
        },
      },
      async (req) => stepUp.options(req.caller),
    );

    app.post(
      '/api/v1/auth/step-up',
      {
        schema: {
          tags,
          security,
          summary: 'Confirm it is you before a sensitive action (renews the session token)',
          body: StepUpBody,
          response: { 200: StepUpResult },
        },
      },
      async (req, reply) => {
        const { stepUpUntil, token } = await stepUp.confirm(req.caller, req.body);
        return {
          stepUpUntil,
          ...handOverToken(req, reply, config, token, requireUser(req.caller).sessionExpiresAt),
        };
      },
    );

    app.post(
      '/api/v1/auth/sign-out',
      { schema: { tags, security, summary: 'End the current session', response: { 200: Ok } } },
      async (req, reply) => {
        await auth.signOut(req.caller);
        clearSessionCookies(reply, config);
        return { ok: true as const };
      },
    );

    app.post(
      '/api/v1/auth/switch-organization',
      {
        schema: {
          tags,
          security,
          summary: 'Make another of your organizations the current one (renews the session token)',
          body: SwitchOrganizationBody,
          response: { 200: SwitchOrganizationResult },
        },
      },
      async (req, reply) => {
        const token = await auth.switchOrganization(req.caller, req.body.organizationId);
        const caller = await auth.reload(req.caller);
        return {
          ...(await auth.me(caller)),
          ...handOverToken(req, reply, config, token, caller.sessionExpiresAt),
        };
      },
    );

    app.get(
      '/api/v1/me',
      {
        schema: {
          tags,
          security,
          summary: 'The signed-in user, organization, roles, permissions, step-up and enrolment state',
          response: { 200: MeResult },
        },
      },
      async (req) => auth.me(req.caller),
    );

    app.patch(
      '/api/v1/me',
      {
        schema: {
          tags,
          security,
          summary: 'Update your profile',
          body: UpdateProfileBody,
          response: { 200: MeResult },
        },
      },
      async (req) => {
        await account.updateProfile(req.caller, req.body.name);
        return auth.me(await auth.reload(req.caller));
      },
    );

    app.post(
      '/api/v1/me/password',
      {
        schema: {
          tags,
          security,
          summary: 'Change your password (ends your other sessions)',
          body: ChangePasswordBodyV2,
          response: { 200: OkWithToken },
        },
      },
      async (req, reply) => {
        const { token } = await account.changePassword(req.caller, req.body);
        return {
          ok: true as const,
          ...handOverToken(req, reply, config, token, requireUser(req.caller).sessionExpiresAt),
        };
      },
    );
  };
}
