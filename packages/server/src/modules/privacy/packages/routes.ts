import type { SignedPrivacyCertificate } from '@custos/shared';
import {
  CertificateQuery,
  DownloadPublicPackageBody,
  IdParams,
  PrivacyPackageLinkSent,
  PrivacyPackageOfRequest,
  PublicPackageCodeSent,
  PublicPackageOut,
  PublicPackageParams,
} from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Caller } from '../../../platform/http/caller';
import { AUTHENTICATED } from '../../../platform/http/openapi';
import type { PackagesService } from './service';

const tags = ['privacy'];
const security = AUTHENTICATED;
const BASE = '/api/v1/privacy/requests/:id';
const PUBLIC = '/api/v1/public/privacy/:slug/packages/:packageId';

export interface PackageRouteServices {
  packages: PackagesService;
  certificate: (caller: Caller, requestId: string) => Promise<SignedPrivacyCertificate>;
  certificatePdf: (signed: SignedPrivacyCertificate) => Promise<Uint8Array>;
}

/** A request's access package and completion certificate (console, API) and the public download page. */
export function packageRoutes({ packages, certificate, certificatePdf }: PackageRouteServices) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.get(
      `${BASE}/package`,
      {
        schema: {
          tags,
          security,
          summary: "An access or portability request's download package: size, SHA-256, expiry, downloads",
          params: IdParams,
          response: { 200: PrivacyPackageOfRequest },
        },
      },
      async (req) => ({ package: await packages.ofRequest(req.caller, req.params.id) }),
    );
    app.post(
      `${BASE}/package/resend`,
      {
        schema: {
          tags,
          security,
          summary: "Send the package's download link to the subject again (same link, same expiry)",
          params: IdParams,
          response: { 200: PrivacyPackageLinkSent },
        },
      },
      async (req) => packages.resendLink(req.caller, req.params.id),
    );
    app.get(
      `${BASE}/certificate`,
      {
        schema: {
          tags,
          security,
          summary:
            'Completion certificate of a completed request, signed with the audit key: JSON, or ?format=pdf',
          params: IdParams,
          querystring: CertificateQuery,
        },
      },
      async (req, reply) => {
        const signed = await certificate(req.caller, req.params.id);
        if (req.query.format === 'json') return signed;
        const pdf = await certificatePdf(signed);
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="certificate-${req.params.id}.pdf"`)
          .send(Buffer.from(pdf));
      },
    );

    app.get(
      PUBLIC,
      {
        schema: {
          tags,
          summary: 'The public download page of a package: who sent it, its size and expiry',
          params: PublicPackageParams,
          response: { 200: PublicPackageOut },
        },
      },
      async (req) => packages.describePublic(req.caller.meta, req.params.slug, req.params.packageId),
    );
    app.post(
      `${PUBLIC}/code`,
      {
        schema: {
          tags,
          summary: "Mail a download code to the subject's address; answers the token to send back with it",
          params: PublicPackageParams,
          response: { 202: PublicPackageCodeSent },
        },
      },
      async (req, reply) =>
        reply
          .status(202)
          .send(await packages.sendCode(req.caller.meta, req.params.slug, req.params.packageId)),
    );
    app.post(
      `${PUBLIC}/download`,
      {
        schema: {
          tags,
          summary: 'The package ZIP, for the e-mailed code (wrong, expired and used codes are refused alike)',
          params: PublicPackageParams,
          body: DownloadPublicPackageBody,
        },
      },
      async (req, reply) => {
        const { zip, fileName, sha256 } = await packages.download(
          req.caller.meta,
          req.params.slug,
          req.params.packageId,
          req.body,
        );
        return reply
          .type('application/zip')
          .header('content-disposition', `attachment; filename="${fileName}"`)
          .header('x-content-sha256', sha256)
          .header('cache-control', 'no-store')
          .send(zip);
      },
    );
  };
}
