import { publicPrivacyPackages } from '@custos/sdk';
import type { PrivacyPackageOfRequest, PublicPackageCodeSent, PublicPackageOut } from '@custos/shared';
import { api, callSdk } from '../../app/api';
import { type ApiError, toApiError } from '../../app/errors';

/** The public download page's calls: no session, no cookie. */
const publicSdk = publicPrivacyPackages();

async function run<T>(call: () => Promise<T>): Promise<{ data: T } | { error: ApiError }> {
  try {
    return { data: await call() };
  } catch (thrown) {
    return { error: toApiError(thrown) };
  }
}

/** A request's access package and certificate (console), and the public download page. */
const packageBase = api.enhanceEndpoints({ addTagTypes: ['PrivacyRequests'] });

export const packageApi = packageBase.injectEndpoints({
  endpoints: (build) => ({
    getRequestPackage: build.query<PrivacyPackageOfRequest, string>({
      queryFn: (id) => callSdk((sdk) => sdk.privacy.packages.get(id)),
      providesTags: (_result, _error, id) => [{ type: 'PrivacyRequests', id }],
    }),
    resendPackageLink: build.mutation<{ sent: true; expiresAt: string }, string>({
      queryFn: (id) => callSdk((sdk) => sdk.privacy.packages.resendLink(id)),
      invalidatesTags: (_result, _error, id) => [{ type: 'PrivacyRequests', id }],
    }),
    /** Saves the certificate as a file (JSON or PDF); the data is the file name. */
    downloadCertificate: build.mutation<string, { id: string; format: 'json' | 'pdf' }>({
      queryFn: ({ id, format }) =>
        callSdk(async (sdk) => {
          const name = `certificate-${id}.${format}`;
          const blob =
            format === 'pdf'
              ? new Blob([Uint8Array.from(await sdk.privacy.packages.certificatePdf(id))], {
                  type: 'application/pdf',
                })
              : new Blob([`${JSON.stringify(await sdk.privacy.packages.certificate(id), null, 2)}\n`], {
                  type: 'application/json',
                });
          saveBlob(blob, name);
          return name;
        }),
    }),
    getPublicPackage: build.query<PublicPackageOut, { slug: string; packageId: string }>({
      queryFn: ({ slug, packageId }) => run(() => publicSdk.describe(slug, packageId)),
    }),
    sendPackageCode: build.mutation<PublicPackageCodeSent, { slug: string; packageId: string }>({
      queryFn: ({ slug, packageId }) => run(() => publicSdk.sendCode(slug, packageId)),
    }),
    downloadPackage: build.mutation<
      string,
      { slug: string; packageId: string; downloadToken: string; code: string }
    >({
      queryFn: ({ slug, packageId, downloadToken, code }) =>
        run(async () => {
          const blob = await publicSdk.download(slug, packageId, { downloadToken, code });
          const name = `personal-data-${packageId}.zip`;
          saveBlob(blob, name);
          return name;
        }),
    }),
  }),
});

/** Hands a file to the browser as a download. */
function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const {
  useGetRequestPackageQuery,
  useResendPackageLinkMutation,
  useDownloadCertificateMutation,
  useGetPublicPackageQuery,
  useSendPackageCodeMutation,
  useDownloadPackageMutation,
} = packageApi;
