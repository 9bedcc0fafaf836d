import type { Config } from '../../config';
import { configuredOrFileSecret } from '../../platform/crypto/key-files';
import {
  formatCheckpoint,
  formatKeyId,
  generateSignerKey,
  parseSignerKey,
  signNote,
} from '../../platform/crypto/signed-note';
import type { CheckpointSigner } from './checkpoints';

/**
 * The checkpoint signer: an Ed25519 signed-note key from CUSTOS_AUDIT_SIGNING_KEY, or else from
 * `audit-signing.key` in the data directory, generated on first start. Its name travels inside the
 * key, so changing the public URL later does not change what verifiers were told.
 */
export function loadCheckpointSigner(config: Config): CheckpointSigner {
  const encoded = configuredOrFileSecret(config.auditSigningKey, config.dataDir, 'audit-signing.key', () => {
    const host = new URL(config.publicUrl).host;
    return generateSignerKey(`${host}/custos-audit`).signerKey;
  });
  const signer = parseSignerKey(encoded);
  return {
    keyName: signer.name,
    keyId: formatKeyId(signer.keyId),
    verifierKey: signer.verifier.verifierKey,
    sign: (body) => signNote(body, signer),
    body: (origin, size, root) => formatCheckpoint({ origin, size, rootHash: root }),
  };
}
