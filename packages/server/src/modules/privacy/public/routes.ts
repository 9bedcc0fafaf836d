import {
  PublicPrivacyPageOut,
  PublicPrivacyRequestAccepted,
  PublicPrivacyRequestVerified,
  PublicSlugParams,
  SubmitPublicPrivacyRequestBody,
  VerifyPublicPrivacyRequestBody,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PublicIntakeService } from './service';

const tags = ['privacy'];
const BASE = '/api/v1/public/privacy/:slug';

/**
 * The public request page's API: no account, JSON only (the app refuses form bodies, so a
 * cross-site form cannot post here), rate limited per IP and per address. A console session cookie
 * is never needed; the console's page sends none.
 */
export function publicPrivacyRoutes(intake: PublicIntakeService) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      BASE,
      {
        schema: {
          tags,
          summary: "The organization's public request page: its name, the request types and regimes it takes",
          params: PublicSlugParams,
          response: { 200: PublicPrivacyPageOut },
        },
      },
      async (req) => intake.describe(req.caller.meta, req.params.slug),
    );
    app.post(
      `${BASE}/requests`,
      {
        schema: {
          tags,
          summary:
            'Ask for a privacy right without an account; a code goes to the address. Always 202, known address or not',
          params: PublicSlugParams,
          body: SubmitPublicPrivacyRequestBody,
          response: { 202: PublicPrivacyRequestAccepted },
        },
      },
      async (req, reply) =>
        reply.status(202).send(await intake.submit(req.caller.meta, req.params.slug, req.body)),
    );
    app.post(
      `${BASE}/requests/verify`,
      {
        schema: {
          tags,
          summary: "Confirm a request with the e-mailed code; answers the request's reference and due date",
          params: PublicSlugParams,
          body: VerifyPublicPrivacyRequestBody,
          response: { 200: PublicPrivacyRequestVerified },
        },
      },
      async (req) => intake.verify(req.caller.meta, req.params.slug, req.body),
    );
  };
}
