import { Ok, RevokedCount, RevokeSessionsBody, SessionList, SessionListQuery } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { SessionsService } from './service';

const tags = ['sessions'];
const security = AUTHENTICATED;
const SessionIdParams = z.object({ id: z.string().uuid() });

export function sessionRoutes(sessions: SessionsService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/v1/me/sessions',
      { schema: { tags, security, summary: 'Your active sessions', response: { 200: SessionList } } },
      async (req) => sessions.listMine(req.caller),
    );

    app.delete(
      '/api/v1/me/sessions/:id',
      {
        schema: {
          tags,
          security,
          summary: 'End one of your sessions',
          params: SessionIdParams,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await sessions.revokeMine(req.caller, req.params.id);
        return { ok: true as const };
      },
    );

    app.post(
      '/api/v1/me/sessions/revoke-others',
      {
        schema: {
          tags,
          security,
          summary: 'Sign out everywhere else (ends all your sessions but this one)',
          response: { 200: RevokedCount },
        },
      },
      async (req) => ({ revoked: await sessions.revokeMyOthers(req.caller) }),
    );

    app.get(
      '/api/v1/sessions',
      {
        schema: {
          tags,
          security,
          summary: "The organization's active sessions, or one member's",
          querystring: SessionListQuery,
          response: { 200: SessionList },
        },
      },
      async (req) => sessions.listForOrganization(req.caller, req.query),
    );

    app.delete(
      '/api/v1/sessions/:id',
      {
        schema: {
          tags,
          security,
          summary: "End a member's session (effective on its next request)",
          params: SessionIdParams,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await sessions.revokeForAdmin(req.caller, req.params.id);
        return { ok: true as const };
      },
    );

    app.post(
      '/api/v1/sessions/revoke',
      {
        schema: {
          tags,
          security,
          summary: "Force logout: a member's sessions, or everyone's in the organization but yours",
          body: RevokeSessionsBody,
          response: { 200: RevokedCount },
        },
      },
      async (req) => ({ revoked: await sessions.revokeManyForAdmin(req.caller, req.body.userId) }),
    );
  };
}
