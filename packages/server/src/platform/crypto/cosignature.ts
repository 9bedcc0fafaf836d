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
 * The note syntax (key strings, signature lines, note text rules) is shared with signed-note.ts
 * through note-syntax.ts, with the type byte as a parameter.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import {
  assertKeyName,
  assertNoteText,
  assertSignatureCount,
  decodeUtf8,
  ED25519_SIGNATURE_SIZE,
  encodeVerifierKeyString,
  formatSignatureLine,
  generateKeyStrings,
  KEY_ID_SIZE,
  keyIdOf,
  MalformedNoteError,
  parseSignatureLine,
  parseSignerKeyString,
  parseVerifierKeyString,
  type SignatureLineFields,
  splitNote,
  type WrongKeyType,
} from './note-syntax';
import {
  AmbiguousKeyError,
  describeKey,
  InvalidSignatureError,
  type NoteKeyIdentity,
  parseCheckpoint,
} from './signed-note';

/** Signature type byte of Ed25519 cosignature/v1 in key IDs and encoded keys. */
export const COSIGNATURE_V1_TYPE = 0x04;

const TIMESTAMP_SIZE = 8;
const COSIGNATURE_SIZE = KEY_ID_SIZE + TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE;

// A 0x01 log key where a witness key belongs is a configuration mistake: say so.
const wrongKeyType: WrongKeyType = (found) => `not a cosignature/v1 (0x04) key: type 0x${found}`;

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
  return keyIdOf(name, COSIGNATURE_V1_TYPE, rawPublicKey);
}

/** A fresh witness key pair as encoded key strings. The signer key is a secret. */
export function generateWitnessKey(name: string): { signerKey: string; verifierKey: string } {
  return generateKeyStrings(name, COSIGNATURE_V1_TYPE);
}

/** The witness verifier key string for a name and raw 32-byte Ed25519 public key. */
export function encodeWitnessVerifierKey(name: string, rawPublicKey: Buffer): string {
  return encodeVerifierKeyString(name, COSIGNATURE_V1_TYPE, rawPublicKey);
}

/** Parses `<name>+<8 hex key ID>+<base64(0x04 ‖ public key)>`, checking the ID against the key. */
export function parseWitnessVerifierKey(encoded: string): CosignatureVerifier {
  return parseVerifierKeyString(encoded, COSIGNATURE_V1_TYPE, wrongKeyType);
}

/** Parses `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x04 ‖ seed)>`; the ID names the public key. */
export function parseWitnessSignerKey(encoded: string): CosignatureSigner {
  return parseSignerKeyString(encoded, COSIGNATURE_V1_TYPE, wrongKeyType);
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
  return formatSignatureLine(signer.name, Buffer.concat([blob, signature]));
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
  const { body, lines } = splitCosignedNote(typeof note === 'string' ? note : decodeUtf8(note));
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
  const { body, lines: existing } = splitCosignedNote(note);
  const seen = new Set(existing.map(describeKey));
  const kept = existing.map((line) => line.text);
  for (const raw of lines) {
    const text = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    const line = parseLine(text);
    if (seen.has(describeKey(line))) continue;
    seen.add(describeKey(line));
    kept.push(line.text);
  }
  assertSignatureCount(kept.length);
  return `${body}\n${kept.map((text) => `${text}\n`).join('')}`;
}

/** The signature lines of an add-checkpoint response body (each newline-terminated), checked for syntax. */
export function parseSignatureLines(text: string): string[] {
  if (text.length === 0 || !text.endsWith('\n')) {
    throw new MalformedNoteError('signature lines must be newline-terminated');
  }
  assertCosignedText(text);
  const lines = text.slice(0, -1).split('\n');
  assertSignatureCount(lines.length);
  return lines.map((line) => `${parseLine(line).text}\n`);
}

// ---------------------------------------------------------------------------------------------
// Note syntax: the shared parsers, keeping each line's text so it can be passed on verbatim.

interface SignatureLine extends SignatureLineFields {
  /** The line as it appeared, without its newline. */
  text: string;
}

/** The body and the parsed signature lines of a note, its text checked first. */
function splitCosignedNote(text: string): { body: string; lines: SignatureLine[] } {
  assertCosignedText(text);
  const { body, signatureLines } = splitNote(text);
  return { body, lines: signatureLines.map(parseLine) };
}

function parseLine(text: string): SignatureLine {
  return { ...parseSignatureLine(text), text };
}

/** The note text rules, with this module's shorter message for a control character. */
function assertCosignedText(text: string): void {
  assertNoteText(text, 'the note', (index) => `control character at ${index}`);
}
