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
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

/** Signature type byte for Ed25519 in the key ID and the encoded keys. */
export const ED25519_SIGNATURE_TYPE = 0x01;

/**
 * Most signatures a note may carry. The spec asks verifiers to accept at least 16; Go accepts 100.
 * Bounding it keeps a hostile note from costing unbounded verification time.
 */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;

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

/** Key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key). */
export function ed25519KeyId(name: string, rawPublicKey: Buffer): number {
  return keyIdOf(name, Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), rawPublicKey]));
}

/** The ID of a key given its type-prefixed encoding (what the key strings carry after the ID). */
function keyIdOf(name: string, typedKey: Buffer): number {
  return createHash('sha256').update(name).update('\n').update(typedKey).digest().readUInt32BE(0);
}

/** A fresh Ed25519 key pair as encoded key strings. The signer key is a secret. */
export function generateSignerKey(name: string): { signerKey: string; verifierKey: string } {
  assertKeyName(name);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const rawPublicKey = rawEd25519PublicKey(publicKey);
  const keyId = ed25519KeyId(name, rawPublicKey);
  return {
    signerKey: `${SIGNER_KEY_PREFIX}${name}+${formatKeyId(keyId)}+${typedKeyBase64(seed)}`,
    verifierKey: encodeVerifierKey(name, rawPublicKey),
  };
}

/** The verifier key string for a name and raw 32-byte Ed25519 public key. */
export function encodeVerifierKey(name: string, rawPublicKey: Buffer): string {
  assertKeyName(name);
  if (rawPublicKey.length !== ED25519_KEY_SIZE) {
    throw new MalformedKeyError(
      `an Ed25519 public key is ${ED25519_KEY_SIZE} bytes, got ${rawPublicKey.length}`,
    );
  }
  return `${name}+${formatKeyId(ed25519KeyId(name, rawPublicKey))}+${typedKeyBase64(rawPublicKey)}`;
}

/** Parses `<name>+<8 hex key ID>+<base64(0x01 ‖ public key)>`, checking the ID against the key. */
export function parseVerifierKey(encoded: string): NoteVerifier {
  const fields = splitKeyFields(encoded, 'verifier');
  const rawPublicKey = ed25519KeyBytes(fields.typedKey);
  if (ed25519KeyId(fields.name, rawPublicKey) !== fields.keyId) {
    throw new MalformedKeyError(`key ID ${formatKeyId(fields.keyId)} does not match the key`);
  }
  return {
    name: fields.name,
    keyId: fields.keyId,
    publicKey: ed25519PublicKeyObject(rawPublicKey),
    verifierKey: encodeVerifierKey(fields.name, rawPublicKey),
  };
}

/**
 * Parses `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 ‖ seed)>`. The ID names the *public*
 * key, so it is checked after deriving the public key from the seed.
 */
export function parseSignerKey(encoded: string): NoteSigner {
  if (!encoded.startsWith(SIGNER_KEY_PREFIX)) {
    throw new MalformedKeyError(`a signer key starts with ${SIGNER_KEY_PREFIX}`);
  }
  const fields = splitKeyFields(encoded.slice(SIGNER_KEY_PREFIX.length), 'signer');
  const seed = ed25519KeyBytes(fields.typedKey);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const rawPublicKey = rawEd25519PublicKey(createPublicKey(privateKey));
  if (ed25519KeyId(fields.name, rawPublicKey) !== fields.keyId) {
    throw new MalformedKeyError(`key ID ${formatKeyId(fields.keyId)} does not match the key`);
  }
  const verifier: NoteVerifier = {
    name: fields.name,
    keyId: fields.keyId,
    publicKey: ed25519PublicKeyObject(rawPublicKey),
    verifierKey: encodeVerifierKey(fields.name, rawPublicKey),
  };
  return { name: fields.name, keyId: fields.keyId, privateKey, verifier };
}

interface KeyFields {
  name: string;
  keyId: number;
  typedKey: Buffer;
}

/** Splits `<name>+<hex id>+<base64 key>`; base64 may itself contain '+', so only the first two count. */
function splitKeyFields(encoded: string, kind: 'signer' | 'verifier'): KeyFields {
  const first = encoded.indexOf('+');
  const second = first < 0 ? -1 : encoded.indexOf('+', first + 1);
  if (second < 0) throw new MalformedKeyError(`a ${kind} key is <name>+<key id>+<key>`);
  const name = encoded.slice(0, first);
  const idHex = encoded.slice(first + 1, second);
  const typedKey = decodeBase64Strict(encoded.slice(second + 1));
  if (!isValidKeyName(name)) throw new MalformedKeyError(`invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw new MalformedKeyError('the key ID is 8 hex digits');
  if (typedKey === null || typedKey.length === 0) throw new MalformedKeyError('the key is not base64');
  return { name, keyId: Number.parseInt(idHex, 16), typedKey };
}

/** The 32 key bytes after the 0x01 type byte. */
function ed25519KeyBytes(typedKey: Buffer): Buffer {
  if (typedKey[0] !== ED25519_SIGNATURE_TYPE) {
    throw new MalformedKeyError(
      `unknown key algorithm 0x${(typedKey[0] ?? 0).toString(16).padStart(2, '0')}`,
    );
  }
  const key = typedKey.subarray(1);
  if (key.length !== ED25519_KEY_SIZE) {
    throw new MalformedKeyError(`an Ed25519 key is ${ED25519_KEY_SIZE} bytes, got ${key.length}`);
  }
  return key;
}

function ed25519PublicKeyObject(rawPublicKey: Buffer): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, rawPublicKey]),
    format: 'der',
    type: 'spki',
  });
}

function rawEd25519PublicKey(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

function typedKeyBase64(key: Buffer): string {
  return Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), key]).toString('base64');
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new MalformedKeyError(`invalid key name ${JSON.stringify(name)}`);
}

// ---------------------------------------------------------------------------------------------
// Text rules shared by notes and checkpoints.

/** Index of the first ASCII control character other than '\n', or -1. */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return i;
  }
  return -1;
}

/** Notes must be valid UTF-8 (no lone surrogates once in a JS string) without control characters. */
function assertNoteText(text: string, what: string): void {
  if (!text.isWellFormed()) throw new MalformedNoteError(`${what} is not valid Unicode`);
  const control = firstControlCharacter(text);
  if (control >= 0) {
    throw new MalformedNoteError(
      `${what} contains control character U+${text.charCodeAt(control).toString(16).padStart(4, '0')} at ${control}`,
    );
  }
}

/**
 * Canonical standard base64 (RFC 4648 §4, padded) or null. Buffer.from(…, 'base64') would skip
 * garbage and accept unpadded or URL-safe input; a signature must have exactly one spelling.
 */
function decodeBase64Strict(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
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
  if (list.length > MAX_NOTE_SIGNATURES)
    throw new MalformedNoteError(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const message = Buffer.from(body, 'utf8');
  const lines = list.map((signer) => {
    assertKeyName(signer.name);
    const keyId = Buffer.alloc(KEY_ID_SIZE);
    keyId.writeUInt32BE(signer.keyId);
    const signature = sign(null, message, signer.privateKey);
    return `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
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
  for (const line of signatureLines.map(parseSignatureLine)) {
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

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a leading U+FEFF as text: it was signed, so it must stay in the body.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new MalformedNoteError('the note is not valid UTF-8');
  }
}

/** The text ends at the last empty line; after it come one or more newline-terminated signature lines. */
function splitNote(text: string): { body: string; signatureLines: string[] } {
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new MalformedNoteError('no empty line before the signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) {
    throw new MalformedNoteError('the signatures must be newline-terminated lines after the empty line');
  }
  const signatureLines = block.slice(0, -1).split('\n');
  if (signatureLines.length > MAX_NOTE_SIGNATURES) {
    throw new MalformedNoteError(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  }
  return { body, signatureLines };
}

/** `— <name> <base64(key ID ‖ signature)>` */
function parseSignatureLine(line: string): SignatureLine {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new MalformedNoteError(
      `signature line does not start with an em dash and a space: ${JSON.stringify(line)}`,
    );
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const bytes = space < 0 ? null : decodeBase64Strict(rest.slice(space + 1));
  if (!isValidKeyName(name))
    throw new MalformedNoteError(`invalid key name ${JSON.stringify(name)} in signature`);
  if (bytes === null || bytes.length <= KEY_ID_SIZE) {
    throw new MalformedNoteError(`signature by ${name} is not base64 of a key ID and a signature`);
  }
  return { name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(KEY_ID_SIZE) };
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
