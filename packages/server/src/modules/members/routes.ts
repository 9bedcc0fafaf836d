import {
  MemberList,
  MemberOut,
  Ok,
  ResetMfaResult,
  UnlockResult,
  UpdateMemberBody,
  UserIdParams,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { MembersService } from './service';

const tags = ['members'];
const security = AUTHENTICATED;

export function memberRoutes(members: MembersService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/v1/members',
      {
        schema: {
          tags,
          security,
          summary: 'List members of the current organization, with their security state',
          description:
            'Per member: second factors by kind, the newest sign-in into this organization, live sessions here, the sign-in lockout, whether the account is disabled, and whether their roles are privileged (grant a permission listed in PRIVILEGED_PERMISSIONS).',
          response: { 200: MemberList },
        },
      },
      async (req) => ({ members: await members.list(req.caller) }),
    );
    app.patch(
      '/api/v1/members/:userId',
      {
        schema: {
          tags,
          security,
          summary: "Replace a member's roles",
          params: UserIdParams,
          body: UpdateMemberBody,
          response: { 200: MemberOut },
        },
      },
      async (req) => members.updateRoles(req.caller, req.params.userId, req.body.roles),
    );
    app.delete(
      '/api/v1/members/:userId',
      { schema: { tags, security, summary: 'Remove a member', params: UserIdParams, response: { 200: Ok } } },
      async (req) => {
        await members.remove(req.caller, req.params.userId);
        return { ok: true as const };
      },
    );
    app.post(
      '/api/v1/members/:userId/mfa/reset',
      {
        schema: {
          tags,
          security,
          summary: "Reset a member's second factors and end their sessions (needs a recent verification)",
          description:
            'Removes every authenticator app, passkey and recovery code of the member and ends their sessions; they sign in with the password and enrol again. Refused (409 MFA_RESET_NEEDS_PLATFORM_ADMIN) for an account that belongs to other organizations or is a platform admin, unless a platform admin asks.',
          params: UserIdParams,
          response: { 200: ResetMfaResult },
        },
      },
      async (req) => members.resetMfa(req.caller, req.params.userId),
    );
    app.post(
      '/api/v1/members/:userId/unlock',
      {
        schema: {
          tags,
          security,
          summary: "Lift a member's sign-in lockout after too many failed attempts",
          params: UserIdParams,
          response: { 200: UnlockResult },
        },
      },
      async (req) => members.unlock(req.caller, req.params.userId),
    );
  };
}
