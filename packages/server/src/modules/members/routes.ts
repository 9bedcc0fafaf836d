import { MemberList, MemberOut, Ok, UpdateMemberBody, UserIdParams } from '@custos/shared';
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
          summary: 'List members of the current organization',
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
  };
}
