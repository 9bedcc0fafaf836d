import { publicPrivacy } from '@custos/sdk';
import type {
  PublicPrivacyPageOut,
  PublicPrivacyRequestAccepted,
  PublicPrivacyRequestVerified,
  SubmitPublicPrivacyRequestBody,
  VerifyPublicPrivacyRequestBody,
} from '@custos/shared';
import { api } from '../../app/api';
import { type ApiError, toApiError } from '../../app/errors';

/** The public page's calls: no session, no cookie, no step-up (the SDK's public client). */
const sdk = publicPrivacy();

async function run<T>(call: () => Promise<T>): Promise<{ data: T } | { error: ApiError }> {
  try {
    return { data: await call() };
  } catch (thrown) {
    return { error: toApiError(thrown) };
  }
}

export const privacyPublicApi = api.injectEndpoints({
  endpoints: (build) => ({
    getPublicPrivacyPage: build.query<PublicPrivacyPageOut, string>({
      queryFn: (slug) => run(() => sdk.describe(slug)),
    }),
    submitPublicPrivacyRequest: build.mutation<
      PublicPrivacyRequestAccepted,
      { slug: string; body: SubmitPublicPrivacyRequestBody }
    >({
      queryFn: ({ slug, body }) => run(() => sdk.submit(slug, body)),
    }),
    verifyPublicPrivacyRequest: build.mutation<
      PublicPrivacyRequestVerified,
      { slug: string; body: VerifyPublicPrivacyRequestBody }
    >({
      queryFn: ({ slug, body }) => run(() => sdk.verify(slug, body)),
    }),
  }),
});

export const {
  useGetPublicPrivacyPageQuery,
  useSubmitPublicPrivacyRequestMutation,
  useVerifyPublicPrivacyRequestMutation,
} = privacyPublicApi;
