import {
  ChangePasswordBody,
  MeResult,
  Ok,
  SignInBody,
  SignInResult,
  SwitchOrganizationBody,
  UpdateProfileBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { createAccountService } from './account';
import { clearSessionCookies, deliverSession } from './cookies';
import type { AuthService } from './service';

const tags = ['auth'];
const security = AUTHENTICATED;

export function authRoutes(
  config: Config,
  auth: AuthService,
  account: ReturnType<typeof createAccountService>,
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
            'Cookie flow by default (HttpOnly session cookie + readable CSRF cookie). With `"tokenType":"bearer"` the body carries `token`.',
          body: SignInBody,
          response: { 200: SignInResult },
        },
      },
      async (req, reply) => {
        const issued = await auth.signIn(req.caller.meta, req.body);
        return deliverSession(reply, config, issued, req.body.tokenType);
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
          summary: 'Make another of your organizations the current one',
          body: SwitchOrganizationBody,
          response: { 200: MeResult },
        },
      },
      async (req) => {
        await auth.switchOrganization(req.caller, req.body.organizationId);
        const caller = await auth.reload(req.caller);
        return auth.me(caller);
      },
    );

    app.get(
      '/api/v1/me',
      {
        schema: {
          tags,
          security,
          summary: 'The signed-in user, organization, roles and permissions',
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
          body: ChangePasswordBody,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await account.changePassword(req.caller, req.body.currentPassword, req.body.newPassword);
        return { ok: true as const };
      },
    );
  };
}
