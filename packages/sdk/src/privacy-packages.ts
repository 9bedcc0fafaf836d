import {
  CERTIFICATE_SIGNATURE_FORMAT,
  type DownloadPublicPackageBody,
  PACKAGE_SIGNATURE_FORMAT,
  type PrivacyPackageOfRequest,
  type PrivacySignature,
  type PublicPackageCodeSent,
  type PublicPackageOut,
  type SignedPrivacyCertificate,
} from '@custos/shared';
import { sha256, toHex, utf8 } from './bytes';
import { CustosClient } from './client';
import { NoteError, openNote, parseVerifierKey } from './signed-note';

/**
 * Offline checks of what Custos signs for data subject requests, with the verifier keys published
 * at `<custos>/.well-known/custos/audit-keys` (`keys[].verifierKey`). A signature is a C2SP signed
 * note by the audit key whose body is `<format>\nsha256:<hex>\n`:
 *  - an access package's `manifest.sig` covers the bytes of its `manifest.json`, which lists the
 *    SHA-256 of every other file in the ZIP;
 *  - a completion certificate's signature covers the RFC 8785 canonical JSON of `certificate`.
 * Runs in browsers and Node (WebCrypto Ed25519).
 */

export interface SignatureCheck {
  valid: boolean;
  /** `<name>+<key id>` of the trusted keys that signed. */
  signedBy: string[];
  /** Why it failed, when it did. */
  problem: string | null;
}

const hexOf = async (data: Uint8Array) => toHex(await sha256(Uint8Array.from(data)));

/** RFC 8785 canonical JSON of plain JSON data (sorted keys, ECMAScript number and string forms). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    // RFC 8785 sorts by UTF-16 code units, which is what plain string comparison does.
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Checks a signed note over `digestHex` for `format` against the published verifier keys. */
export async function verifySignedDigest(
  note: string,
  format: string,
  digestHex: string,
  verifierKeys: readonly string[],
): Promise<SignatureCheck> {
  try {
    const keys = await Promise.all(verifierKeys.map(parseVerifierKey));
    const { body, signedBy } = await openNote(note, keys);
    if (body !== `${format}\nsha256:${digestHex}\n`) {
      return { valid: false, signedBy, problem: `the signature covers another ${format} document` };
    }
    return { valid: true, signedBy, problem: null };
  } catch (error) {
    if (error instanceof NoteError) return { valid: false, signedBy: [], problem: error.message };
    throw error;
  }
}

/** A completion certificate as `GET /api/v1/privacy/requests/:id/certificate` answers it. */
export async function verifyPrivacyCertificate(
  signed: SignedPrivacyCertificate | { certificate: unknown; signature: PrivacySignature },
  verifierKeys: readonly string[],
): Promise<SignatureCheck> {
  const digest = await hexOf(utf8(canonicalJson(signed.certificate)));
  return verifySignedDigest(signed.signature.note, CERTIFICATE_SIGNATURE_FORMAT, digest, verifierKeys);
}

export interface PackageCheck extends SignatureCheck {
  /** Files whose SHA-256 differs from the manifest, or that the manifest lists and are missing. */
  mismatched: string[];
  /** Files in the ZIP the manifest does not list (besides manifest.json and manifest.sig). */
  unlisted: string[];
}

/**
 * An access package, unzipped by the caller (any ZIP reader): `files` maps each path in the ZIP
 * to its bytes. Valid when the manifest's signature verifies and every file matches it.
 */
export async function verifyPrivacyPackage(
  files: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>,
  verifierKeys: readonly string[],
): Promise<PackageCheck> {
  const all = files instanceof Map ? files : new Map(Object.entries(files));
  const manifestBytes = all.get('manifest.json');
  const sig = all.get('manifest.sig');
  if (!manifestBytes || !sig) {
    return {
      valid: false,
      signedBy: [],
      problem: 'manifest.json or manifest.sig is missing',
      mismatched: [],
      unlisted: [],
    };
  }
  const check = await verifySignedDigest(
    new TextDecoder().decode(sig),
    PACKAGE_SIGNATURE_FORMAT,
    await hexOf(manifestBytes),
    verifierKeys,
  );
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as {
    files?: { path: string; sha256: string }[];
  };
  const listed = new Set<string>();
  const mismatched: string[] = [];
  for (const file of manifest.files ?? []) {
    listed.add(file.path);
    const bytes = all.get(file.path);
    if (!bytes || (await hexOf(bytes)) !== file.sha256) mismatched.push(file.path);
  }
  const unlisted = [...all.keys()].filter(
    (p) => !listed.has(p) && p !== 'manifest.json' && p !== 'manifest.sig',
  );
  const valid = check.valid && mismatched.length === 0 && unlisted.length === 0;
  const problem = check.problem ?? (valid ? null : 'files differ from the manifest');
  return { ...check, valid, problem, mismatched, unlisted };
}

const requestPath = (id: string) => `/api/v1/privacy/requests/${encodeURIComponent(id)}`;

/** `client.privacy.packages`: a request's access package and its completion certificate. */
export function createPackagesApi(client: CustosClient) {
  return {
    /** The package of an access or portability request (null until it is made). */
    get: (requestId: string) =>
      client.request<PrivacyPackageOfRequest>('GET', `${requestPath(requestId)}/package`),
    /** Mails the download link to the subject again (privacy:manage). */
    resendLink: (requestId: string) =>
      client.request<{ sent: true; expiresAt: string }>(
        'POST',
        `${requestPath(requestId)}/package/resend`,
        {},
      ),
    /** The signed completion certificate (check it with `verifyPrivacyCertificate`). */
    certificate: (requestId: string) =>
      client.request<SignedPrivacyCertificate>('GET', `${requestPath(requestId)}/certificate`),
    /** The certificate as a PDF document. */
    async certificatePdf(requestId: string): Promise<Uint8Array> {
      const res = await client.send('GET', `${requestPath(requestId)}/certificate?format=pdf`, undefined, {
        accept: 'application/pdf',
      });
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

/** The public download page's calls (no account, no cookie). */
export function publicPrivacyPackages(baseUrl = '', options: { fetch?: typeof fetch } = {}) {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const client = new CustosClient({
    baseUrl,
    fetch: (input, init) => fetchImpl(input, { ...init, credentials: 'omit' }),
  });
  const at = (slug: string, packageId: string) =>
    `/api/v1/public/privacy/${encodeURIComponent(slug)}/packages/${encodeURIComponent(packageId)}`;
  return {
    describe: (slug: string, packageId: string) =>
      client.request<PublicPackageOut>('GET', at(slug, packageId)),
    /** Mails a code to the subject; answers the token to send back with it. */
    sendCode: (slug: string, packageId: string) =>
      client.request<PublicPackageCodeSent>('POST', `${at(slug, packageId)}/code`, {}),
    /** The ZIP for the right code; a wrong, expired or used one is `PRIVACY_PACKAGE_CODE_INVALID`. */
    async download(slug: string, packageId: string, body: DownloadPublicPackageBody): Promise<Blob> {
      const res = await client.send('POST', `${at(slug, packageId)}/download`, body, {
        accept: 'application/zip',
      });
      return res.blob();
    },
  };
}
