/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and the tlog checkpoint body
 * carried in them (https://c2sp.org/tlog-checkpoint). Wire-compatible with golang.org/x/mod/sumdb/note,
 * so Go tooling (and any other transparency-log client) can verify what Custos signs:
 *
 *     <body text ending in \n>
 *     <empty line>
 *     — <key name> <base64(4-byte key ID ‖ 64-byte Ed25519 signature of the body)>
 *
 * Keys travel as strings in the sumdb/note encoding:
 *   verifier  `<name>+<8 hex key ID>+<base64(0x01 ‖ 32-byte public key)>`
 *   signer    `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 ‖ 32-byte seed)>`
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import {
  assertKeyName,
  assertNoteText,
  assertSignatureCount,
  decodeBase64Strict,
  decodeUtf8,
  ED25519_SIGNATURE_SIZE,
  encodeVerifierKeyString,
  firstControlCharacter,
  formatKeyId,
  formatSignatureLine,
  generateKeyStrings,
  isValidKeyName,
  KEY_ID_SIZE,
  keyIdOf,
  MAX_NOTE_SIGNATURES,
  MalformedKeyError,
  MalformedNoteError,
  parseSignatureLine,
  parseSignerKeyString,
  parseVerifierKeyString,
  SignedNoteError,
  type SignedNoteErrorCode,
  splitNote,
  type WrongKeyType,
} from './note-syntax';

/** Signature type byte for Ed25519 in the key ID and the encoded keys. */
export const ED25519_SIGNATURE_TYPE = 0x01;

// The syntax shared with cosignature.ts lives in note-syntax.ts; these are part of this module's API.
export {
  formatKeyId,
  isValidKeyName,
  MAX_NOTE_SIGNATURES,
  MalformedKeyError,
  MalformedNoteError,
  SignedNoteError,
  type SignedNoteErrorCode,
};

const wrongKeyType: WrongKeyType = (found) => `unknown key algorithm 0x${found}`;

// ---------------------------------------------------------------------------------------------
// Errors. SignedNoteError (the base: catch it for everything note-related; `code` says which
// failure), MalformedNoteError and MalformedKeyError are defined in note-syntax.ts.

/** The note parsed, but none of its signatures is from a key we were given. */
export class UnverifiedNoteError extends SignedNoteError {
  constructor(readonly signers: readonly NoteKeyIdentity[]) {
    const seen = signers.map(describeKey).join(', ');
    super('UNKNOWN_KEY', `note has no signature from a known key (signed by: ${seen || 'nobody'})`);
  }
}

/** A known key's signature does not verify: the whole note is rejected, not just that line. */
export class InvalidSignatureError extends SignedNoteError {
  constructor(readonly key: NoteKeyIdentity) {
    super('BAD_SIGNATURE', `invalid signature for key ${describeKey(key)}`);
  }
}

/** Two different verifier keys share a name and key ID, so a signature cannot be attributed. */
export class AmbiguousKeyError extends SignedNoteError {
  constructor(readonly key: NoteKeyIdentity) {
    super('AMBIGUOUS_KEY', `ambiguous key ${describeKey(key)}`);
  }
}

/** A checkpoint body that breaks the tlog-checkpoint format. */
export class MalformedCheckpointError extends SignedNoteError {
  constructor(reason: string) {
    super('MALFORMED_CHECKPOINT', `malformed checkpoint: ${reason}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Keys.

/** What identifies a key on a signature line: its name and 32-bit key ID. */
export interface NoteKeyIdentity {
  name: string;
  keyId: number;
}

/** A public key that can verify notes. Build with `parseVerifierKey`. */
export interface NoteVerifier extends NoteKeyIdentity {
  publicKey: KeyObject;
  /** The encoded `<name>+<id>+<key>` string, as handed to verifiers. */
  verifierKey: string;
}

/** A private key that signs notes. Build with `parseSignerKey`. */
export interface NoteSigner extends NoteKeyIdentity {
  privateKey: KeyObject;
  verifier: NoteVerifier;
}

/** `<name>+<8 hex key ID>`, the way Go names a key in errors. */
export function describeKey(key: NoteKeyIdentity): string {
  return `${key.name}+${formatKeyId(key.keyId)}`;
}

/** Key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key). */
export function ed25519KeyId(name: string, rawPublicKey: Buffer): number {
  return keyIdOf(name, ED25519_SIGNATURE_TYPE, rawPublicKey);
}

/** A fresh Ed25519 key pair as encoded key strings. The signer key is a secret. */
export function generateSignerKey(name: string): { signerKey: string; verifierKey: string } {
  return generateKeyStrings(name, ED25519_SIGNATURE_TYPE);
}

/** The verifier key string for a name and raw 32-byte Ed25519 public key. */
export function encodeVerifierKey(name: string, rawPublicKey: Buffer): string {
  return encodeVerifierKeyString(name, ED25519_SIGNATURE_TYPE, rawPublicKey);
}

/** Parses `<name>+<8 hex key ID>+<base64(0x01 ‖ public key)>`, checking the ID against the key. */
export function parseVerifierKey(encoded: string): NoteVerifier {
  return parseVerifierKeyString(encoded, ED25519_SIGNATURE_TYPE, wrongKeyType);
}

/**
 * Parses `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 ‖ seed)>`. The ID names the *public*
 * key, so it is checked after deriving the public key from the seed.
 */
export function parseSignerKey(encoded: string): NoteSigner {
  return parseSignerKeyString(encoded, ED25519_SIGNATURE_TYPE, wrongKeyType);
}

// ---------------------------------------------------------------------------------------------
// Notes.

/**
 * Signs `body` (which must end in '\n') with each signer and returns the note text. The signature
 * covers the body's UTF-8 bytes exactly, final newline included, separator line excluded.
 */
export function signNote(body: string, signers: NoteSigner | readonly NoteSigner[]): string {
  const list: readonly NoteSigner[] = Array.isArray(signers) ? signers : [signers as NoteSigner];
  if (!body.endsWith('\n')) throw new MalformedNoteError('the text must end with a newline');
  assertNoteText(body, 'the text');
  if (list.length === 0) throw new MalformedNoteError('a note needs at least one signature');
  assertSignatureCount(list.length);
  const message = Buffer.from(body, 'utf8');
  const lines = list.map((signer) => {
    assertKeyName(signer.name);
    const keyId = Buffer.alloc(KEY_ID_SIZE);
    keyId.writeUInt32BE(signer.keyId);
    const signature = sign(null, message, signer.privateKey);
    return formatSignatureLine(signer.name, Buffer.concat([keyId, signature]));
  });
  return `${body}\n${lines.join('')}`;
}

export interface OpenedNote {
  /** The signed text, final newline included. */
  body: string;
  /** Known keys whose signatures verified, in note order. Never empty. */
  verifiedBy: NoteKeyIdentity[];
  /** Signatures from keys we were not given (ignored, as the spec requires), de-duplicated. */
  unverified: NoteKeyIdentity[];
}

interface SignatureLine extends NoteKeyIdentity {
  signature: Buffer;
}

/**
 * Parses a signed note and checks its signatures against `verifiers`. Signatures from unknown keys
 * are ignored (a key is known only if both name and ID match). Throws MalformedNoteError on bad
 * syntax, InvalidSignatureError if any known key's signature fails, AmbiguousKeyError if two
 * different verifiers share a name and ID, and UnverifiedNoteError if no known key signed it.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const text = typeof note === 'string' ? note : decodeUtf8(note);
  assertNoteText(text, 'the note');
  const { body, signatureLines } = splitNote(text);
  const message = Buffer.from(body, 'utf8');

  const verifiedBy: NoteKeyIdentity[] = [];
  const unverified: NoteKeyIdentity[] = [];
  const seen = new Set<string>();
  for (const line of signatureLines.map(parseNoteSignature)) {
    const id = describeKey(line);
    if (seen.has(id)) continue; // repeated signatures by one key: the first one decides, as in Go
    seen.add(id);
    const verifier = findVerifier(verifiers, line);
    if (verifier === undefined) {
      unverified.push({ name: line.name, keyId: line.keyId });
      continue;
    }
    if (!verifyEd25519(message, line.signature, verifier.publicKey)) throw new InvalidSignatureError(line);
    verifiedBy.push({ name: line.name, keyId: line.keyId });
  }
  if (verifiedBy.length === 0) throw new UnverifiedNoteError(unverified);
  return { body, verifiedBy, unverified };
}

/** A signature line as openNote checks it: the key, then the signature after the key ID. */
function parseNoteSignature(text: string): SignatureLine {
  const { name, keyId, blob } = parseSignatureLine(text);
  return { name, keyId, signature: blob.subarray(KEY_ID_SIZE) };
}

/** The verifier with this name and ID, if any; two *different* keys under one identity are an error. */
function findVerifier(verifiers: readonly NoteVerifier[], key: NoteKeyIdentity): NoteVerifier | undefined {
  const matches = verifiers.filter((v) => v.name === key.name && v.keyId === key.keyId);
  const [first, ...others] = matches;
  if (first !== undefined && others.some((other) => !other.publicKey.equals(first.publicKey))) {
    throw new AmbiguousKeyError(key);
  }
  return first;
}

function verifyEd25519(message: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  return signature.length === ED25519_SIGNATURE_SIZE && verify(null, message, publicKey, signature);
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (c2sp.org/tlog-checkpoint): the note body "origin\nsize\nbase64(root)\n[extensions\n]".

export interface Checkpoint {
  /** Unique name of the log, e.g. `example.com/log42`. */
  origin: string;
  /** Number of leaves. */
  size: number;
  /** RFC 6962 root hash at that size (32 bytes). */
  rootHash: Buffer;
  /** Opaque extra lines (discouraged by the spec; each non-empty). */
  extensions: string[];
}

const ROOT_HASH_SIZE = 32;

/** The checkpoint body to sign with `signNote`. */
export function formatCheckpoint(checkpoint: {
  origin: string;
  size: number;
  rootHash: Buffer;
  extensions?: readonly string[];
}): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  assertCheckpointLine(origin, 'the origin');
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new MalformedCheckpointError(`the tree size must be a non-negative integer, got ${size}`);
  }
  if (rootHash.length !== ROOT_HASH_SIZE) {
    throw new MalformedCheckpointError(
      `the root hash must be ${ROOT_HASH_SIZE} bytes, got ${rootHash.length}`,
    );
  }
  for (const line of extensions) assertCheckpointLine(line, 'an extension line');
  const lines = [origin, String(size), rootHash.toString('base64'), ...extensions];
  return `${lines.join('\n')}\n`;
}

/** Parses and validates a checkpoint body (the `body` of an opened note). */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) throw new MalformedCheckpointError('the body must end with a newline');
  const [origin, sizeLine, rootLine, ...extensions] = body.slice(0, -1).split('\n');
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    throw new MalformedCheckpointError('a checkpoint has at least three lines: origin, tree size, root hash');
  }
  assertCheckpointLine(origin, 'the origin');
  extensions.forEach((line) => {
    assertCheckpointLine(line, 'an extension line');
  });
  return { origin, size: parseTreeSize(sizeLine), rootHash: parseRootHash(rootLine), extensions };
}

/** Opens a signed checkpoint note and parses its body in one step. */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): { checkpoint: Checkpoint; verifiedBy: NoteKeyIdentity[] } {
  const opened = openNote(note, verifiers);
  return { checkpoint: parseCheckpoint(opened.body), verifiedBy: opened.verifiedBy };
}

/** Decimal, no sign, no leading zeros (except "0" itself), within the safe-integer range. */
function parseTreeSize(line: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(line)) {
    throw new MalformedCheckpointError(
      `the tree size must be decimal without leading zeros, got ${JSON.stringify(line)}`,
    );
  }
  const size = Number(line);
  if (!Number.isSafeInteger(size)) throw new MalformedCheckpointError(`the tree size ${line} is too large`);
  return size;
}

function parseRootHash(line: string): Buffer {
  const rootHash = decodeBase64Strict(line);
  if (rootHash === null || rootHash.length !== ROOT_HASH_SIZE) {
    throw new MalformedCheckpointError(`the root hash must be base64 of ${ROOT_HASH_SIZE} bytes`);
  }
  return rootHash;
}

function assertCheckpointLine(line: string, what: string): void {
  if (line.length === 0) throw new MalformedCheckpointError(`${what} must not be empty`);
  if (line.includes('\n')) throw new MalformedCheckpointError(`${what} must be a single line`);
  if (!line.isWellFormed() || firstControlCharacter(line) >= 0) {
    throw new MalformedCheckpointError(`${what} contains a control character or invalid Unicode`);
  }
}
