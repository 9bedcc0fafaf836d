/**
 * The C2SP signed-note syntax (https://c2sp.org/signed-note) shared by a log's own signatures
 * (signed-note.ts, Ed25519 type 0x01) and witness cosignatures (cosignature.ts, type 0x04): encoded
 * key strings, signature lines, splitting a note, and the text rules. Internal to platform/crypto;
 * the rest of the server imports signed-note.ts or cosignature.ts. What differs between the two
 * callers is a parameter (the signature type byte, the message for a key of the wrong type) or left
 * to them (what a signature line's blob holds after the key ID).
 *
 * The syntax errors and their base class are defined here, not in signed-note.ts, so that this file
 * needs nothing from signed-note.ts (which imports it); signed-note.ts re-exports them unchanged.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/**
 * Most signatures a note may carry. The spec asks verifiers to accept at least 16; Go accepts 100.
 * Bounding it keeps a hostile note from costing unbounded verification time.
 */
export const MAX_NOTE_SIGNATURES = 100;

export const KEY_ID_SIZE = 4;
const ED25519_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';

// DER wrappers that turn raw Ed25519 key bytes into the SPKI / PKCS#8 forms node:crypto imports.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// ---------------------------------------------------------------------------------------------
// Errors. One base class so callers can catch everything note-related; `code` says which failure.

export type SignedNoteErrorCode =
  | 'MALFORMED_NOTE'
  | 'MALFORMED_KEY'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'AMBIGUOUS_KEY'
  | 'MALFORMED_CHECKPOINT';

export class SignedNoteError extends Error {
  override name = 'SignedNoteError';
  constructor(
    readonly code: SignedNoteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The note text breaks the signed-note syntax. */
export class MalformedNoteError extends SignedNoteError {
  constructor(reason: string) {
    super('MALFORMED_NOTE', `malformed note: ${reason}`);
  }
}

/** A signer or verifier key string that cannot be used. */
export class MalformedKeyError extends SignedNoteError {
  constructor(reason: string) {
    super('MALFORMED_KEY', `malformed key: ${reason}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Keys: `<name>+<8 hex key ID>+<base64(type ‖ key)>`, signer keys behind `PRIVATE+KEY+`.

/** A parsed verifier key string (NoteVerifier in signed-note.ts, CosignatureVerifier in cosignature.ts). */
export interface VerifierKey {
  name: string;
  keyId: number;
  publicKey: KeyObject;
  verifierKey: string;
}

/** A parsed signer key string (NoteSigner in signed-note.ts, CosignatureSigner in cosignature.ts). */
export interface SignerKey {
  name: string;
  keyId: number;
  privateKey: KeyObject;
  verifier: VerifierKey;
}

/** Says what is wrong with a key whose type byte is not the expected one (`found` is two hex digits). */
export type WrongKeyType = (found: string) => string;

export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/**
 * Key names must be non-empty and contain no Unicode space (Go's unicode.IsSpace is exactly the
 * White_Space property) and no '+', which separates the fields of encoded keys. Control characters
 * are refused too: a note carrying one could never be opened.
 */
export function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 &&
    name.isWellFormed() &&
    !name.includes('+') &&
    !/\p{White_Space}/u.test(name) &&
    firstControlCharacter(name) === -1
  );
}

export function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new MalformedKeyError(`invalid key name ${JSON.stringify(name)}`);
}

/** Key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ type ‖ raw key). */
export function keyIdOf(name: string, type: number, rawKey: Buffer): number {
  return createHash('sha256')
    .update(name)
    .update('\n')
    .update(typedKey(type, rawKey))
    .digest()
    .readUInt32BE(0);
}

/** A fresh Ed25519 key pair as encoded key strings of signature type `type`. The signer key is a secret. */
export function generateKeyStrings(name: string, type: number): { signerKey: string; verifierKey: string } {
  assertKeyName(name);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const rawPublicKey = rawEd25519PublicKey(publicKey);
  const keyId = formatKeyId(keyIdOf(name, type, rawPublicKey));
  return {
    signerKey: `${SIGNER_KEY_PREFIX}${name}+${keyId}+${typedKeyBase64(type, seed)}`,
    verifierKey: encodeVerifierKeyString(name, type, rawPublicKey),
  };
}

/** The verifier key string of signature type `type` for a name and raw 32-byte Ed25519 public key. */
export function encodeVerifierKeyString(name: string, type: number, rawPublicKey: Buffer): string {
  assertKeyName(name);
  if (rawPublicKey.length !== ED25519_KEY_SIZE) {
    throw new MalformedKeyError(
      `an Ed25519 public key is ${ED25519_KEY_SIZE} bytes, got ${rawPublicKey.length}`,
    );
  }
  const keyId = formatKeyId(keyIdOf(name, type, rawPublicKey));
  return `${name}+${keyId}+${typedKeyBase64(type, rawPublicKey)}`;
}

/** Parses `<name>+<8 hex key ID>+<base64(type ‖ public key)>`, checking the ID against the key. */
export function parseVerifierKeyString(encoded: string, type: number, wrongType: WrongKeyType): VerifierKey {
  const fields = splitKeyFields(encoded, 'verifier');
  return verifierKeyFor(fields.name, fields.keyId, type, ed25519KeyBytes(fields.typedKey, type, wrongType));
}

/**
 * Parses `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(type ‖ seed)>`. The ID names the *public*
 * key, so it is checked after deriving the public key from the seed.
 */
export function parseSignerKeyString(encoded: string, type: number, wrongType: WrongKeyType): SignerKey {
  if (!encoded.startsWith(SIGNER_KEY_PREFIX)) {
    throw new MalformedKeyError(`a signer key starts with ${SIGNER_KEY_PREFIX}`);
  }
  const fields = splitKeyFields(encoded.slice(SIGNER_KEY_PREFIX.length), 'signer');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, ed25519KeyBytes(fields.typedKey, type, wrongType)]),
    format: 'der',
    type: 'pkcs8',
  });
  const rawPublicKey = rawEd25519PublicKey(createPublicKey(privateKey));
  const verifier = verifierKeyFor(fields.name, fields.keyId, type, rawPublicKey);
  return { name: fields.name, keyId: fields.keyId, privateKey, verifier };
}

function verifierKeyFor(name: string, keyId: number, type: number, rawPublicKey: Buffer): VerifierKey {
  if (keyIdOf(name, type, rawPublicKey) !== keyId) {
    throw new MalformedKeyError(`key ID ${formatKeyId(keyId)} does not match the key`);
  }
  const publicKey = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, rawPublicKey]),
    format: 'der',
    type: 'spki',
  });
  return { name, keyId, publicKey, verifierKey: encodeVerifierKeyString(name, type, rawPublicKey) };
}

/** Splits `<name>+<hex id>+<base64 key>`; base64 may itself contain '+', so only the first two count. */
function splitKeyFields(
  encoded: string,
  kind: 'signer' | 'verifier',
): { name: string; keyId: number; typedKey: Buffer } {
  const first = encoded.indexOf('+');
  const second = first < 0 ? -1 : encoded.indexOf('+', first + 1);
  if (second < 0) throw new MalformedKeyError(`a ${kind} key is <name>+<key id>+<key>`);
  const name = encoded.slice(0, first);
  const idHex = encoded.slice(first + 1, second);
  const typedKey = decodeBase64Strict(encoded.slice(second + 1));
  assertKeyName(name);
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw new MalformedKeyError('the key ID is 8 hex digits');
  if (typedKey === null || typedKey.length === 0) throw new MalformedKeyError('the key is not base64');
  return { name, keyId: Number.parseInt(idHex, 16), typedKey };
}

/** The 32 key bytes after the type byte, which must be `type`. */
function ed25519KeyBytes(typedKey: Buffer, type: number, wrongType: WrongKeyType): Buffer {
  if (typedKey[0] !== type) {
    throw new MalformedKeyError(wrongType((typedKey[0] ?? 0).toString(16).padStart(2, '0')));
  }
  const key = typedKey.subarray(1);
  if (key.length !== ED25519_KEY_SIZE) {
    throw new MalformedKeyError(`an Ed25519 key is ${ED25519_KEY_SIZE} bytes, got ${key.length}`);
  }
  return key;
}

function rawEd25519PublicKey(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

function typedKey(type: number, key: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), key]);
}

function typedKeyBase64(type: number, key: Buffer): string {
  return typedKey(type, key).toString('base64');
}

// ---------------------------------------------------------------------------------------------
// Notes: `<body ending in \n>\n— <name> <base64(key ID ‖ …)>\n…`.

/** A signature line's key and its decoded blob, key ID included (what follows it is the caller's). */
export interface SignatureLineFields {
  name: string;
  keyId: number;
  blob: Buffer;
}

/** `— <name> <base64(blob)>\n`, the blob starting with the 4-byte key ID. */
export function formatSignatureLine(name: string, blob: Buffer): string {
  return `${SIGNATURE_PREFIX}${name} ${blob.toString('base64')}\n`;
}

/** Refuses more than MAX_NOTE_SIGNATURES signature lines. */
export function assertSignatureCount(count: number): void {
  if (count > MAX_NOTE_SIGNATURES)
    throw new MalformedNoteError(`more than ${MAX_NOTE_SIGNATURES} signatures`);
}

/** The text ends at the last empty line; after it come one or more newline-terminated signature lines. */
export function splitNote(text: string): { body: string; signatureLines: string[] } {
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new MalformedNoteError('no empty line before the signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) {
    throw new MalformedNoteError('the signatures must be newline-terminated lines after the empty line');
  }
  const signatureLines = block.slice(0, -1).split('\n');
  assertSignatureCount(signatureLines.length);
  return { body, signatureLines };
}

/** `— <name> <base64(key ID ‖ …)>`, without its newline. */
export function parseSignatureLine(line: string): SignatureLineFields {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new MalformedNoteError(
      `signature line does not start with an em dash and a space: ${JSON.stringify(line)}`,
    );
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const blob = space < 0 ? null : decodeBase64Strict(rest.slice(space + 1));
  if (!isValidKeyName(name))
    throw new MalformedNoteError(`invalid key name ${JSON.stringify(name)} in signature`);
  if (blob === null || blob.length <= KEY_ID_SIZE) {
    throw new MalformedNoteError(`signature by ${name} is not base64 of a key ID and a signature`);
  }
  return { name, keyId: blob.readUInt32BE(0), blob };
}

// ---------------------------------------------------------------------------------------------
// Text rules shared by notes, signature lines and checkpoints.

/** Index of the first ASCII control character other than '\n', or -1. */
export function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return i;
  }
  return -1;
}

/**
 * Notes must be valid UTF-8 (no lone surrogates once in a JS string) without control characters.
 * `controlMessage` replaces the default description of the first control character found.
 */
export function assertNoteText(text: string, what: string, controlMessage?: (index: number) => string): void {
  if (!text.isWellFormed()) throw new MalformedNoteError(`${what} is not valid Unicode`);
  const control = firstControlCharacter(text);
  if (control >= 0) {
    const code = text.charCodeAt(control).toString(16).padStart(4, '0');
    throw new MalformedNoteError(
      controlMessage?.(control) ?? `${what} contains control character U+${code} at ${control}`,
    );
  }
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a leading U+FEFF as text: it was signed, so it must stay in the body.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new MalformedNoteError('the note is not valid UTF-8');
  }
}

/**
 * Canonical standard base64 (RFC 4648 §4, padded) or null. Buffer.from(…, 'base64') would skip
 * garbage and accept unpadded or URL-safe input; a signature must have exactly one spelling.
 */
export function decodeBase64Strict(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
