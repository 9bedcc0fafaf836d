import { z } from 'zod';
import { Id, Timestamp } from './api';
import { PublicSlugParams } from './privacy-public-api';

/**
 * Access and portability packages (issue 18 item 7) and completion certificates (item 6): what the
 * console, the SDK and the public download page exchange with the server.
 */

/** The signed-note body line that names what a package signature covers. */
export const PACKAGE_SIGNATURE_FORMAT = 'custos-privacy-package/v1';
/** The signed-note body line that names what a certificate signature covers. */
export const CERTIFICATE_SIGNATURE_FORMAT = 'custos-privacy-certificate/v1';

export const PrivacyPackageOut = z.object({
  id: Id,
  requestId: Id,
  /** Null once the file is deleted (the link expired). */
  sizeBytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  expiresAt: Timestamp,
  downloads: z.number().int(),
  lastDownloadedAt: Timestamp.nullable(),
  deletedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  /** Whether the subject can still download it (not expired, not deleted, key not destroyed). */
  available: z.boolean(),
  /** Whether the request holds an address the link can be sent to. */
  canSendLink: z.boolean(),
});
export type PrivacyPackageOut = z.infer<typeof PrivacyPackageOut>;

export const PrivacyPackageOfRequest = z.object({ package: PrivacyPackageOut.nullable() });
export type PrivacyPackageOfRequest = z.infer<typeof PrivacyPackageOfRequest>;

export const PrivacyPackageLinkSent = z.object({ sent: z.literal(true), expiresAt: Timestamp });

/** A signature over a SHA-256 digest, as a C2SP signed note by the audit signing key. */
export const PrivacySignature = z.object({
  algorithm: z.literal('ed25519'),
  /** `<name>+<hex key id>`: find its verifier key at /.well-known/custos/audit-keys. */
  keyName: z.string(),
  keyId: z.string(),
  /** The signed note: body `<format>\nsha256:<hex>\n`, an empty line, the signature line. */
  note: z.string(),
});
export type PrivacySignature = z.infer<typeof PrivacySignature>;

export const CertificateQuery = z.object({ format: z.enum(['json', 'pdf']).default('json') });

const CertificateTask = z.object({
  taskId: Id,
  kind: z.string(),
  state: z.string(),
  attempts: z.number().int(),
  finishedAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  /** Erasure: how each category was erased, as the data map declared it. */
  strategies: z.array(z.object({ categoryKey: z.string(), erasureStrategy: z.string() })),
  recipient: z.string().nullable(),
});

export const PrivacyCertificate = z.object({
  format: z.literal(CERTIFICATE_SIGNATURE_FORMAT),
  organization: z.object({ id: Id, name: z.string() }),
  request: z.object({
    id: Id,
    type: z.string(),
    regime: z.string(),
    state: z.string(),
    receivedAt: Timestamp,
    verifiedAt: Timestamp.nullable(),
    approvedAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
  }),
  clock: z.object({
    timeZone: z.string(),
    startDate: z.string(),
    acknowledgeBy: z.string().nullable(),
    dueDate: z.string(),
    extensions: z.number().int(),
    /** Completed on or before the due date (in the organization's zone). */
    onTime: z.boolean(),
  }),
  systems: z.array(z.object({ systemId: Id, systemName: z.string(), tasks: z.array(CertificateTask) })),
  timeline: z.object({
    entries: z.number().int(),
    first: Timestamp.nullable(),
    last: Timestamp.nullable(),
    byKind: z.record(z.string(), z.number().int()),
  }),
});
export type PrivacyCertificate = z.infer<typeof PrivacyCertificate>;

export const SignedPrivacyCertificate = z.object({
  certificate: PrivacyCertificate,
  /** Signs the SHA-256 of the certificate's canonical JSON (RFC 8785). */
  signature: PrivacySignature,
});
export type SignedPrivacyCertificate = z.infer<typeof SignedPrivacyCertificate>;

// ---- the public download page ----

export const PublicPackageParams = PublicSlugParams.extend({ packageId: Id });

export const PublicPackageOut = z.object({
  organization: z.object({ name: z.string() }),
  sizeBytes: z.number().int(),
  expiresAt: Timestamp,
  codeValidMinutes: z.number().int(),
});
export type PublicPackageOut = z.infer<typeof PublicPackageOut>;

export const PublicPackageCodeSent = z.object({
  /** Names the code just mailed: send it back with the code. */
  downloadToken: z.string(),
});
export type PublicPackageCodeSent = z.infer<typeof PublicPackageCodeSent>;

export const DownloadPublicPackageBody = z.object({
  downloadToken: z.string().min(16).max(200),
  code: z.string().regex(/^\d{8}$/, 'the code is the 8 digits from the e-mail'),
});
export type DownloadPublicPackageBody = z.infer<typeof DownloadPublicPackageBody>;
