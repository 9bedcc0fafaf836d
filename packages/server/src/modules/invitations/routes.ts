import {
  AcceptInvitationBody,
  IdParams,
  InvitationList,
  InvitationPreview,
  InvitationTokenQuery,
  InviteBody,
  InviteResult,
  Ok,
  SignInAnswer,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { deliverSignIn } from '../auth';
import type { InvitationsService } from './service';

const tags = ['invitations'];
const security = AUTHENTICATED;

export function invitationRoutes(config: Config, invitations: InvitationsService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/v1/invitations',
      {
        schema: {
          tags,
          security,
          summary: 'Pending invitations of the organization',
          response: { 200: InvitationList },
        },
      },
      async (req) => ({ invitations: await invitations.list(req.caller) }),
    );
    app.post(
      '/api/v1/invitations',
      {
        schema: {
          tags,
          security,
          summary: 'Invite someone by e-mail',
          description:
            'When no SMTP server is configured the answer carries `inviteUrl` for the admin to pass on.',
          body: InviteBody,
          response: { 201: InviteResult },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await invitations.invite(req.caller, req.body.email, req.body.roles)),
    );
    app.delete(
      '/api/v1/invitations/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Revoke a pending invitation',
          params: IdParams,
          response: { 200: Ok },
        },
      },
      async (req) => {
        await invitations.revoke(req.caller, req.params.id);
        return { ok: true as const };
      },
    );
    app.post(
      '/api/v1/invitations/preview',
      {
        schema: {
          tags,
          summary: 'What an invitation token is for (no sign-in needed)',
          body: InvitationTokenQuery,
          response: { 200: InvitationPreview },
        },
      },
      async (req) => invitations.preview(req.body.token),
    );
    app.post(
      '/api/v1/invitations/accept',
      {
        schema: {
          tags,
          summary: 'Accept an invitation and sign in',
          body: AcceptInvitationBody,
          response: { 200: SignInAnswer },
        },
      },
      async (req, reply) => {
        const outcome = await invitations.accept(req.caller.meta, req.body);
        return deliverSignIn(reply, config, outcome, req.body.tokenType);
      },
    );
  };
}
