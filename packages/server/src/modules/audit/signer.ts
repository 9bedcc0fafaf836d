import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config';
import { configuredOrFileSecret } from '../../platform/crypto/key-files';
import {
  formatCheckpoint,
  formatKeyId,
  generateSignerKey,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../platform/crypto/signed-note';
import type { CheckpointSigner } from './checkpoints';
import { SignerState } from './signer-state';

/**
 * The checkpoint signer: an Ed25519 signed-note key from CUSTOS_AUDIT_SIGNING_KEY, or else from
 * its file (CUSTOS_AUDIT_SIGNING_KEY_FILE, by default `audit-signing.key` in the data directory),
 * generated on first start. Its name travels inside the key, so changing the public URL later does
 * not change what verifiers were told.
 */
export function loadCheckpointSigner(config: Config): CheckpointSigner {
  const file = config.auditSigningKeyFile;
  const encoded = configuredOrFileSecret(
    config.auditSigningKey,
    path.dirname(file),
    path.basename(file),
    () => {
      const host = new URL(config.publicUrl).host;
      return generateSignerKey(`${host}/custos-audit`).signerKey;
    },
  );
  const signer = parseSignerKey(encoded);
  return {
    keyName: signer.name,
    keyId: formatKeyId(signer.keyId),
    verifierKey: signer.verifier.verifierKey,
    sign: (body) => signNote(body, signer),
    body: (origin, size, root) => formatCheckpoint({ origin, size, rootHash: root }),
    open(note) {
      const { checkpoint } = openCheckpoint(note, [signer.verifier]);
      return { origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.rootHash };
    },
  };
}

/** The signer's memory of what it signed, in its state directory (beside the key by default). */
export function loadSignerState(config: Config, signer: CheckpointSigner): SignerState {
  return new SignerState(config.auditSignerStateDir, [parseVerifierKey(signer.verifierKey)]);
}

/**
 * Where the key and the signer's memory sit relative to the database, for the start-up warning:
 * whoever copies (or can write) the data directory then holds the key, or can rewrite the memory.
 */
export function signerPlacementWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const databaseDir =
    config.database.kind === 'sqlite' ? path.dirname(path.resolve(config.database.file)) : null;
  const near = (target: string) =>
    [config.dataDir, databaseDir].some((dir) => dir !== null && isInside(target, dir));
  if (!config.auditSigningKey && near(config.auditSigningKeyFile)) {
    warnings.push(
      `the audit signing key ${config.auditSigningKeyFile} sits beside the database: whoever copies the data ` +
        'directory copies both. Move it (CUSTOS_AUDIT_SIGNING_KEY_FILE) to a disk the database does not live on.',
    );
  }
  if (near(config.auditSignerStateDir)) {
    warnings.push(
      `the audit signer's memory ${config.auditSignerStateDir} sits beside the database: someone who can write ` +
        'the data directory could rewrite both. Move it (CUSTOS_AUDIT_SIGNER_STATE_DIR) beside the key.',
    );
  }
  return warnings;
}

function isInside(target: string, dir: string): boolean {
  const relative = path.relative(fs.existsSync(dir) ? fs.realpathSync(dir) : dir, realOrSelf(target));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function realOrSelf(target: string): string {
  try {
    return fs.realpathSync(target);
  } catch {
    return path.resolve(target);
  }
}
