import { z } from 'zod';
import { Email, SafeText, Timestamp } from './api';
import { RegimeSchema, RequestTypeSchema } from './privacy-api';

/**
 * Contracts of the public request page (`/privacy/<slug>/request`): anyone may ask an organization
 * for access, erasure and the other rights without an account; an e-mailed code proves the address.
 * No answer ever says whether the organization knows the address.
 */

/** An organization's slug, as the public URL carries it. */
export const PublicSlugParams = z.object({
  slug: z
    .string()
    .min(1)
    .max(120)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an organization slug'),
});

export const PublicPrivacyPageOut = z.object({
  organization: z.object({ name: z.string(), slug: z.string() }),
  /** The request types accepted, in the words the page shows. */
  requestTypes: z.array(
    z.object({ type: RequestTypeSchema, name: z.string(), description: z.string(), citation: z.string() }),
  ),
  /** The regimes offered; the page asks only when there is more than one. */
  regimes: z.array(z.object({ regime: RegimeSchema, name: z.string() })),
  defaultRegime: RegimeSchema,
  /** Minutes a code stays valid. */
  codeValidMinutes: z.number().int(),
});
export type PublicPrivacyPageOut = z.infer<typeof PublicPrivacyPageOut>;

export const SubmitPublicPrivacyRequestBody = z.object({
  type: RequestTypeSchema,
  regime: RegimeSchema.default('gdpr'),
  email: Email,
  name: SafeText.pipe(z.string().max(200)).optional(),
  details: SafeText.pipe(z.string().max(5000)).optional(),
});
export type SubmitPublicPrivacyRequestBody = z.input<typeof SubmitPublicPrivacyRequestBody>;

/** Always the same shape, known address or not; the token goes with the code to /verify. */
export const PublicPrivacyRequestAccepted = z.object({ requestToken: z.string() });
export type PublicPrivacyRequestAccepted = z.infer<typeof PublicPrivacyRequestAccepted>;

export const VerifyPublicPrivacyRequestBody = z.object({
  requestToken: z
    .string()
    .min(20)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be the token the request answered with'),
  code: z
    .string()
    .trim()
    .regex(/^\d{6,8}$/, 'must be the 6 to 8 digit code from the e-mail'),
});
export type VerifyPublicPrivacyRequestBody = z.input<typeof VerifyPublicPrivacyRequestBody>;

export const PublicPrivacyRequestVerified = z.object({
  /** What the requester quotes when writing to the organization. */
  reference: z.string(),
  type: RequestTypeSchema,
  regime: RegimeSchema,
  receivedAt: Timestamp,
  /** YYYY-MM-DD in the organization's time zone. */
  dueDate: z.string(),
  organization: z.object({ name: z.string() }),
});
export type PublicPrivacyRequestVerified = z.infer<typeof PublicPrivacyRequestVerified>;
