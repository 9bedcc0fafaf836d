import { createHash } from 'node:crypto';
import type { PrivacySignature } from '@custos/shared';
import canonicalize from 'canonicalize';

/**
 * Packages and certificates are signed with the audit checkpoint key (published at
 * /.well-known/custos/audit-keys) as C2SP signed notes whose body names what is signed and its
 * SHA-256: `<format>\nsha256:<hex>\n`. The first line keeps such a note from ever reading as a
 * checkpoint (whose second line is a tree size), so one key can sign both safely.
 */
export interface DigestSigner {
  keyName: string;
  keyId: string;
  /** Signs a note body (ending in a newline); answers the whole note. */
  sign(body: string): string;
}

export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

export function signDigest(signer: DigestSigner, format: string, digestHex: string): PrivacySignature {
  return {
    algorithm: 'ed25519',
    keyName: signer.keyName,
    keyId: signer.keyId,
    note: signer.sign(`${format}\nsha256:${digestHex}\n`),
  };
}

/** RFC 8785 canonical JSON: what a certificate's signature covers. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('privacy: the value has no canonical JSON');
  return text;
}
