/**
 * Opening C2SP signed notes (https://c2sp.org/signed-note) that carry tlog checkpoints, with
 * Ed25519 through WebCrypto so it runs in browsers and Node alike. The format and its strictness
 * follow the server's `platform/crypto/signed-note.ts`, which signs them:
 *
 *     origin\nsize\nbase64(root)\n        (the signed body)
 *     \n
 *     — <key name> <base64(4-byte key ID ‖ 64-byte signature)>\n   (one or more)
 *
 * Verifier keys: `<name>+<8 hex key ID>+<base64(0x01 ‖ 32-byte public key)>`, where the key ID is
 * the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
 */
import { type Bytes, concatBytes, fromBase64Strict, readUint32, sha256, utf8 } from './bytes';

const ED25519_TYPE = 0x01;
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;
const ROOT_HASH_SIZE = 32;
/** As on the server: bounds what a hostile note can cost to check. */
const MAX_SIGNATURES = 100;
const SIGNATURE_PREFIX = '\u2014 '; // em dash, space

/** Why a note was refused: it cannot be read at all, or no trusted key vouches for it. */
export class NoteError extends Error {
  override name = 'NoteError';
  constructor(
    readonly kind: 'malformed' | 'bad-signature',
    message: string,
  ) {
    super(message);
  }
}

/** WebCrypto's key type, named the same way under Node's typings and the DOM's. */
type WebCryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

/** A verifier key ready for WebCrypto. */
export interface TrustedKey {
  name: string;
  keyId: number;
  key: WebCryptoKey;
}

/** A checkpoint whose note a trusted key signed. */
export interface OpenedCheckpoint {
  origin: string;
  size: number;
  rootHash: Bytes;
  /** `<name>+<key ID>` of each trusted key whose signature verified. */
  signedBy: string[];
}

const describeKey = (name: string, keyId: number) => `${name}+${keyId.toString(16).padStart(8, '0')}`;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return true;
  }
  return false;
}

function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 &&
    name.isWellFormed() &&
    !name.includes('+') &&
    !/\p{White_Space}/u.test(name) &&
    !hasControlCharacter(name)
  );
}

async function keyIdOf(name: string, rawPublicKey: Bytes): Promise<number> {
  return readUint32(
    await sha256(concatBytes(utf8(name), utf8('\n'), Uint8Array.of(ED25519_TYPE), rawPublicKey)),
  );
}

/** Parses a verifier key string, checking its key ID against the key. Throws NoteError('malformed'). */
export async function parseVerifierKey(encoded: string): Promise<TrustedKey> {
  const bad = (reason: string) => new NoteError('malformed', `verifier key ${encoded}: ${reason}`);
  // base64 may itself contain '+', so only the first two separate fields.
  const first = encoded.indexOf('+');
  const second = first < 0 ? -1 : encoded.indexOf('+', first + 1);
  if (second < 0) throw bad('a verifier key is <name>+<key id>+<key>');
  const name = encoded.slice(0, first);
  const idHex = encoded.slice(first + 1, second);
  const typed = fromBase64Strict(encoded.slice(second + 1));
  if (!isValidKeyName(name)) throw bad('invalid key name');
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw bad('the key ID is 8 hex digits');
  if (typed === null || typed[0] !== ED25519_TYPE || typed.length !== 1 + ED25519_KEY_SIZE) {
    throw bad('the key is not base64 of 0x01 and a 32-byte Ed25519 public key');
  }
  const raw = typed.slice(1);
  const keyId = Number.parseInt(idHex, 16);
  if ((await keyIdOf(name, raw)) !== keyId) throw bad('the key ID does not match the key');
  const key = await globalThis.crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
  return { name, keyId, key };
}

interface SignatureLine {
  name: string;
  keyId: number;
  signature: Bytes;
}

/** `— <name> <base64(key ID ‖ signature)>` */
function parseSignatureLine(line: string): SignatureLine {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new NoteError('malformed', 'a signature line starts with an em dash and a space');
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const bytes = space < 0 ? null : fromBase64Strict(rest.slice(space + 1));
  if (!isValidKeyName(name)) throw new NoteError('malformed', 'invalid key name in a signature');
  if (bytes === null || bytes.length <= KEY_ID_SIZE) {
    throw new NoteError('malformed', `the signature by ${name} is not base64 of a key ID and a signature`);
  }
  return { name, keyId: readUint32(bytes), signature: bytes.slice(KEY_ID_SIZE) };
}

/** The body (final newline included) and the signature lines after the last empty line. */
function splitNote(text: string): { body: string; lines: SignatureLine[] } {
  if (!text.isWellFormed() || hasControlCharacter(text)) {
    throw new NoteError('malformed', 'the note holds invalid or control characters');
  }
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed', 'no empty line before the signatures');
  const block = text.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) {
    throw new NoteError('malformed', 'the signatures must be newline-terminated lines after the empty line');
  }
  const raw = block.slice(0, -1).split('\n');
  if (raw.length > MAX_SIGNATURES) throw new NoteError('malformed', 'too many signatures');
  return { body: text.slice(0, split + 1), lines: raw.map(parseSignatureLine) };
}

function parseCheckpointBody(body: string): Omit<OpenedCheckpoint, 'signedBy'> {
  const [origin, sizeLine, rootLine] = body.slice(0, -1).split('\n');
  if (origin === undefined || sizeLine === undefined || rootLine === undefined || origin === '') {
    throw new NoteError('malformed', 'a checkpoint has an origin, a tree size and a root hash');
  }
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) {
    throw new NoteError('malformed', 'the tree size is not a decimal number');
  }
  const rootHash = fromBase64Strict(rootLine);
  if (rootHash === null || rootHash.length !== ROOT_HASH_SIZE) {
    throw new NoteError('malformed', 'the root hash is not base64 of 32 bytes');
  }
  return { origin, size: Number(sizeLine), rootHash };
}

/**
 * Opens a checkpoint note: at least one trusted key must have signed it, and every trusted key's
 * signature on it must verify (one bad one rejects the note, as the spec asks). Signatures by
 * other keys are ignored. Throws NoteError.
 */
export async function openCheckpoint(note: string, keys: readonly TrustedKey[]): Promise<OpenedCheckpoint> {
  const { body, signedBy } = await openNote(note, keys, 'checkpoint');
  return { ...parseCheckpointBody(body), signedBy };
}

/**
 * Opens any signed note under the same rules as a checkpoint (privacy packages and certificates
 * are signed notes too); answers its body, final newline included. Throws NoteError.
 */
export async function openNote(
  note: string,
  keys: readonly TrustedKey[],
  what = 'note',
): Promise<{ body: string; signedBy: string[] }> {
  const { body, lines } = splitNote(note);
  const message = utf8(body);
  const signedBy: string[] = [];
  const others: string[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const id = describeKey(line.name, line.keyId);
    if (seen.has(id)) continue; // repeated signatures by one key: the first one decides, as in Go
    seen.add(id);
    const trusted = keys.find((k) => k.name === line.name && k.keyId === line.keyId);
    if (!trusted) {
      others.push(id);
      continue;
    }
    const valid =
      line.signature.length === ED25519_SIGNATURE_SIZE &&
      (await globalThis.crypto.subtle.verify({ name: 'Ed25519' }, trusted.key, line.signature, message));
    if (!valid) throw new NoteError('bad-signature', `the signature by ${id} does not verify`);
    signedBy.push(id);
  }
  if (signedBy.length === 0) {
    throw new NoteError(
      'bad-signature',
      `no trusted key signed this ${what} (signed by ${others.join(', ') || 'nobody'})`,
    );
  }
  return { body, signedBy };
}

/**
 * The tree size and root a note's body claims, without checking any signature: for reporting
 * which checkpoint failed. Null when the body cannot be read.
 */
export function claimedCheckpoint(note: string): { size: number; rootHash: Bytes } | null {
  try {
    const { size, rootHash } = parseCheckpointBody(splitNote(note).body);
    return { size, rootHash };
  } catch {
    return null;
  }
}
