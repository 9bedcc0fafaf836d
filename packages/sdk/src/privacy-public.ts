import type {
  PublicPrivacyPageOut,
  PublicPrivacyRequestAccepted,
  PublicPrivacyRequestVerified,
  SubmitPublicPrivacyRequestBody,
  VerifyPublicPrivacyRequestBody,
} from '@custos/shared';
import { CustosClient } from './client';

/**
 * The public request page's API (no account): describe an organization's page, submit a request
 * (a code goes to the address), verify it with the code. Errors are `CustosApiError`s: 404
 * `PRIVACY_PUBLIC_NOT_FOUND`, 400 `PRIVACY_PUBLIC_CODE_INVALID` (details.reason: wrong, expired,
 * too_many_attempts, used), 429 `RATE_LIMITED` (details.retryAfterSeconds).
 */
export function publicPrivacy(baseUrl = '', options: { fetch?: typeof fetch } = {}) {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  // Never a cookie: the page needs no account, and a console session's cookie would ask for a CSRF token.
  const client = new CustosClient({
    baseUrl,
    fetch: (input, init) => fetchImpl(input, { ...init, credentials: 'omit' }),
  });
  const at = (slug: string) => `/api/v1/public/privacy/${encodeURIComponent(slug)}`;
  return {
    /** The organization's name and the request types and regimes its page takes. */
    describe: (slug: string) => client.request<PublicPrivacyPageOut>('GET', at(slug)),
    /** Always `{ requestToken }`, whether or not the organization knows the address. */
    submit: (slug: string, body: SubmitPublicPrivacyRequestBody) =>
      client.request<PublicPrivacyRequestAccepted>('POST', `${at(slug)}/requests`, body),
    /** The code from the e-mail with the submission's token: the request's reference and due date. */
    verify: (slug: string, body: VerifyPublicPrivacyRequestBody) =>
      client.request<PublicPrivacyRequestVerified>('POST', `${at(slug)}/requests/verify`, body),
  };
}

export type PublicPrivacyApi = ReturnType<typeof publicPrivacy>;
