/**
 * C2SP tlog-cosignature v1 (https://c2sp.org/tlog-cosignature): a transparency-log witness's
 * timestamped Ed25519 signature on a checkpoint, carried as one more signature line of the note:
 *
 *     — <witness name> <base64(4-byte key ID ‖ 8-byte big-endian timestamp ‖ 64-byte signature)>
 *
 * The signature covers `cosignature/v1\ntime <timestamp>\n` followed by the checkpoint body, so it
 * can never be mistaken for (or replayed as) a log's own type 0x01 note signature. The key ID and
 * the encoded keys use signature type 0x04:
 *   verifier  `<name>+<8 hex key ID>+<base64(0x04 ‖ 32-byte public key)>`
 *   signer    `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x04 ‖ 32-byte seed)>`
 *
 * signed-note.ts keeps its parsing helpers private and only knows type 0x01 keys, so the few
 * helpers needed here (strict base64, note splitting, DER wrapping) are re-implemented locally.
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
import {
  AmbiguousKeyError,
  describeKey,
  formatKeyId,
  InvalidSignatureError,
  isValidKeyName,
  MAX_NOTE_SIGNATURES,
  MalformedKeyError,
  MalformedNoteError,
  type NoteKeyIdentity,
  parseCheckpoint,
} from './signed-note';

/** Signature type byte of Ed25519 cosignature/v1 in key IDs and encoded keys. */
export const COSIGNATURE_V1_TYPE = 0x04;

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const ED25519_KEY_SIZE = 32;
const KEY_ID_SIZE = 4;
const TIMESTAMP_SIZE = 8;
const ED25519_SIGNATURE_SIZE = 64;
const COSIGNATURE_SIZE = KEY_ID_SIZE + TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE;

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// ---------------------------------------------------------------------------------------------
// Keys.

/** A witness public key that checks cosignatures. Build with `parseWitnessVerifierKey`. */
export interface CosignatureVerifier extends NoteKeyIdentity {
  publicKey: KeyObject;
  /** The encoded `<name>+<id>+<key>` string, as handed to logs and auditors. */
  verifierKey: string;
}

/** A witness private key. Build with `parseWitnessSignerKey`. */
export interface CosignatureSigner extends NoteKeyIdentity {
  privateKey: KeyObject;
  verifier: CosignatureVerifier;
}

/** Key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key). */
export function cosignatureKeyId(name: string, rawPublicKey: Buffer): number {
  return createHash('sha256')
    .update(name)
    .update('\n')
    .update(Buffer.from([COSIGNATURE_V1_TYPE]))
    .update(rawPublicKey)
    .digest()
    .readUInt32BE(0);
}

/** A fresh witness key pair as encoded key strings. The signer key is a secret. */
export function generateWitnessKey(name: string): { signerKey: string; verifierKey: string } {
  assertKeyName(name);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const rawPublicKey = rawEd25519PublicKey(publicKey);
  const keyId = formatKeyId(cosignatureKeyId(name, rawPublicKey));
  return {
    signerKey: `${SIGNER_KEY_PREFIX}${name}+${keyId}+${typedKeyBase64(seed)}`,
    verifierKey: encodeWitnessVerifierKey(name, rawPublicKey),
  };
}

/** The witness verifier key string for a name and raw 32-byte Ed25519 public key. */
export function encodeWitnessVerifierKey(name: string, rawPublicKey: Buffer): string {
  assertKeyName(name);
  if (rawPublicKey.length !== ED25519_KEY_SIZE) {
    throw new MalformedKeyError(
      `an Ed25519 public key is ${ED25519_KEY_SIZE} bytes, got ${rawPublicKey.length}`,
    );
  }
  const keyId = formatKeyId(cosignatureKeyId(name, rawPublicKey));
  return `${name}+${keyId}+${typedKeyBase64(rawPublicKey)}`;
}

/** Parses `<name>+<8 hex key ID>+<base64(0x04 ‖ public key)>`, checking the ID against the key. */
export function parseWitnessVerifierKey(encoded: string): CosignatureVerifier {
  const fields = splitKeyFields(encoded, 'verifier');
  return verifierFor(fields.name, fields.keyId, ed25519KeyBytes(fields.typedKey));
}

/** Parses `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x04 ‖ seed)>`; the ID names the public key. */
export function parseWitnessSignerKey(encoded: string): CosignatureSigner {
  if (!encoded.startsWith(SIGNER_KEY_PREFIX)) {
    throw new MalformedKeyError(`a signer key starts with ${SIGNER_KEY_PREFIX}`);
  }
  const fields = splitKeyFields(encoded.slice(SIGNER_KEY_PREFIX.length), 'signer');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, ed25519KeyBytes(fields.typedKey)]),
    format: 'der',
    type: 'pkcs8',
  });
  const verifier = verifierFor(fields.name, fields.keyId, rawEd25519PublicKey(createPublicKey(privateKey)));
  return { name: fields.name, keyId: fields.keyId, privateKey, verifier };
}

function verifierFor(name: string, keyId: number, rawPublicKey: Buffer): CosignatureVerifier {
  if (cosignatureKeyId(name, rawPublicKey) !== keyId) {
    throw new MalformedKeyError(`key ID ${formatKeyId(keyId)} does not match the key`);
  }
  const publicKey = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, rawPublicKey]),
    format: 'der',
    type: 'spki',
  });
  return { name, keyId, publicKey, verifierKey: encodeWitnessVerifierKey(name, rawPublicKey) };
}

/** Splits `<name>+<hex id>+<base64 key>`; base64 may itself contain '+', so only the first two count. */
function splitKeyFields(encoded: string, kind: 'signer' | 'verifier') {
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

/** The 32 key bytes after the 0x04 type byte; a 0x01 log key here is a configuration mistake. */
function ed25519KeyBytes(typedKey: Buffer): Buffer {
  if (typedKey[0] !== COSIGNATURE_V1_TYPE) {
    const type = (typedKey[0] ?? 0).toString(16).padStart(2, '0');
    throw new MalformedKeyError(`not a cosignature/v1 (0x04) key: type 0x${type}`);
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

function typedKeyBase64(key: Buffer): string {
  return Buffer.concat([Buffer.from([COSIGNATURE_V1_TYPE]), key]).toString('base64');
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new MalformedKeyError(`invalid key name ${JSON.stringify(name)}`);
}

// ---------------------------------------------------------------------------------------------
// Signing and verifying.

/** `cosignature/v1\ntime <t>\n` ‖ checkpoint body: the exact bytes the witness signs. */
export function cosignatureMessage(checkpointBody: string, timeSeconds: number | bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timeSeconds}\n${checkpointBody}`, 'utf8');
}

/**
 * The witness's cosignature line (newline-terminated, as in a note and in the add-checkpoint
 * response) on a checkpoint body. Refuses anything that is not a checkpoint: the signature states
 * that this is the largest consistent tree the witness has seen, which only means something there.
 */
export function cosign(checkpointBody: string, signer: CosignatureSigner, timeSeconds: number): string {
  parseCheckpoint(checkpointBody);
  if (!Number.isSafeInteger(timeSeconds) || timeSeconds < 0) {
    throw new RangeError(
      `the cosignature time must be a non-negative integer of seconds, got ${timeSeconds}`,
    );
  }
  assertKeyName(signer.name);
  const blob = Buffer.alloc(KEY_ID_SIZE + TIMESTAMP_SIZE);
  blob.writeUInt32BE(signer.keyId, 0);
  blob.writeBigUInt64BE(BigInt(timeSeconds), KEY_ID_SIZE);
  const signature = sign(null, cosignatureMessage(checkpointBody, timeSeconds), signer.privateKey);
  return `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([blob, signature]).toString('base64')}\n`;
}

export interface VerifiedCosignature extends NoteKeyIdentity {
  /** When the witness cosigned, in POSIX seconds. */
  time: number;
}

/**
 * Finds and checks, among a note's signature lines, the cosignatures of the given witnesses. Lines
 * from other keys (the log's own, unknown witnesses) are ignored; a line from a given witness that
 * does not verify throws InvalidSignatureError, as a bad signature from a known key does in
 * openNote. Repeated lines by one key: the first decides, as in Go. Returns the verified ones, in
 * note order, possibly none: how many are enough is the caller's policy.
 */
export function verifyCosignatures(
  note: string | Uint8Array,
  witnessVerifierKeys: readonly (string | CosignatureVerifier)[],
): { verified: VerifiedCosignature[] } {
  const witnesses = witnessVerifierKeys.map((key) =>
    typeof key === 'string' ? parseWitnessVerifierKey(key) : key,
  );
  const { body, lines } = splitNote(typeof note === 'string' ? note : decodeUtf8(note));
  const verified: VerifiedCosignature[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const id = describeKey(line);
    if (seen.has(id)) continue;
    seen.add(id);
    const witness = findWitness(witnesses, line);
    if (witness === undefined) continue;
    const time = verifyLine(body, line, witness);
    verified.push({ name: line.name, keyId: line.keyId, time });
  }
  return { verified };
}

/** Checks one witness's line and returns its timestamp, or throws InvalidSignatureError. */
function verifyLine(body: string, line: SignatureLine, witness: CosignatureVerifier): number {
  const identity = { name: line.name, keyId: line.keyId };
  if (line.blob.length !== COSIGNATURE_SIZE) throw new InvalidSignatureError(identity);
  const timestamp = line.blob.readBigUInt64BE(KEY_ID_SIZE);
  // Past 2^53 a number cannot carry the time exactly; an honest witness is nowhere near it.
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidSignatureError(identity);
  const signature = line.blob.subarray(KEY_ID_SIZE + TIMESTAMP_SIZE);
  if (!verify(null, cosignatureMessage(body, timestamp), witness.publicKey, signature)) {
    throw new InvalidSignatureError(identity);
  }
  return Number(timestamp);
}

function findWitness(
  witnesses: readonly CosignatureVerifier[],
  key: NoteKeyIdentity,
): CosignatureVerifier | undefined {
  const [first, ...others] = witnesses.filter((w) => w.name === key.name && w.keyId === key.keyId);
  if (first !== undefined && others.some((other) => !other.publicKey.equals(first.publicKey))) {
    throw new AmbiguousKeyError(key);
  }
  return first;
}

/**
 * Appends signature lines (with or without their final newline) to a note, skipping any whose key
 * (name and key ID) already signed it or appeared earlier in `lines`. The line already there wins:
 * lines are not verified here, so a later one must not be able to push out a good one.
 */
export function addCosignatures(note: string, lines: readonly string[]): string {
  const { body, lines: existing } = splitNote(note);
  const seen = new Set(existing.map(describeKey));
  const kept = existing.map((line) => line.text);
  for (const raw of lines) {
    const text = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    const line = parseSignatureLine(text);
    if (seen.has(describeKey(line))) continue;
    seen.add(describeKey(line));
    kept.push(line.text);
  }
  if (kept.length > MAX_NOTE_SIGNATURES)
    throw new MalformedNoteError(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  return `${body}\n${kept.map((text) => `${text}\n`).join('')}`;
}

/** The signature lines of an add-checkpoint response body (each newline-terminated), checked for syntax. */
export function parseSignatureLines(text: string): string[] {
  if (text.length === 0 || !text.endsWith('\n')) {
    throw new MalformedNoteError('signature lines must be newline-terminated');
  }
  assertNoteText(text);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES)
    throw new MalformedNoteError(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  return lines.map((line) => `${parseSignatureLine(line).text}\n`);
}

// ---------------------------------------------------------------------------------------------
// Note syntax (mirrors the private helpers of signed-note.ts).

interface SignatureLine extends NoteKeyIdentity {
  blob: Buffer;
  /** The line as it appeared, without its newline. */
  text: string;
}

/** The text ends at the last empty line; after it come newline-terminated signature lines. */
function splitNote(text: string): { body: string; lines: SignatureLine[] } {
  assertNoteText(text);
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new MalformedNoteError('no empty line before the signatures');
  const block = text.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) {
    throw new MalformedNoteError('the signatures must be newline-terminated lines after the empty line');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES)
    throw new MalformedNoteError(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  return { body: text.slice(0, split + 1), lines: lines.map(parseSignatureLine) };
}

/** `— <name> <base64(key ID ‖ signature)>` */
function parseSignatureLine(text: string): SignatureLine {
  if (!text.startsWith(SIGNATURE_PREFIX)) {
    throw new MalformedNoteError(
      `signature line does not start with an em dash and a space: ${JSON.stringify(text)}`,
    );
  }
  const rest = text.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const blob = space < 0 ? null : decodeBase64Strict(rest.slice(space + 1));
  if (!isValidKeyName(name))
    throw new MalformedNoteError(`invalid key name ${JSON.stringify(name)} in signature`);
  if (blob === null || blob.length <= KEY_ID_SIZE) {
    throw new MalformedNoteError(`signature by ${name} is not base64 of a key ID and a signature`);
  }
  return { name, keyId: blob.readUInt32BE(0), blob, text };
}

/** Valid Unicode without control characters other than '\n', as signed notes require. */
function assertNoteText(text: string): void {
  if (!text.isWellFormed()) throw new MalformedNoteError('the note is not valid Unicode');
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) throw new MalformedNoteError(`control character at ${i}`);
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new MalformedNoteError('the note is not valid UTF-8');
  }
}

/** Canonical padded standard base64 or null: a signature must have exactly one spelling. */
function decodeBase64Strict(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
