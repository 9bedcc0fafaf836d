import {
  AcceptInvitationBody,
  IdParams,
  InvitationList,
  InvitationPreview,
  InvitationTokenQuery,
  InviteBody,
  InviteResult,
  Ok,
  ResendInvitationBody,
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
      '/api/v1/invitations/:id/resend',
      {
        schema: {
          tags,
          security,
          summary: 'Send a pending invitation again with a new link (the old link stops working)',
          description:
            'E-mails the new link as creating the invitation does; `inviteUrl` is answered when no e-mail went out. With `copyLink: true` nothing is e-mailed and the new link is answered for the admin to pass on by hand.',
          params: IdParams,
          body: ResendInvitationBody,
          response: { 200: InviteResult },
        },
      },
      async (req) => invitations.resend(req.caller, req.params.id, { copyLink: req.body.copyLink }),
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
