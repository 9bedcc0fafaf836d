/**
 * The wire format of C2SP tlog-witness add-checkpoint (https://c2sp.org/tlog-witness), shared by
 * the witness server and the Custos client so both sides read and write exactly one spelling:
 *
 *     old <size>\n
 *     <base64 consistency proof hash>\n      (zero to 63 lines)
 *     \n
 *     <signed checkpoint note>
 */

/** The path under the witness's submission prefix. */
export const ADD_CHECKPOINT_PATH = '/add-checkpoint';

/** Content type of a 409 body that names the witness's recorded size. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

/** "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;

/** Enough for 63 proof lines and a checkpoint carrying the note maximum of 100 signatures. */
export const MAX_REQUEST_BYTES = 64 * 1024;

const HASH_SIZE = 32;

export interface AddCheckpointRequest {
  /** The size of the checkpoint the client believes the witness last cosigned (0: none). */
  oldSize: number;
  /** RFC 6962 consistency proof from `oldSize` to the checkpoint's size. */
  proof: Buffer[];
  /** The signed checkpoint note, bytes as sent (its signatures cover them exactly). */
  note: Buffer;
}

/** The request breaks the add-checkpoint syntax: the witness answers 400. */
export class MalformedRequestError extends Error {
  override name = 'MalformedRequestError';
}

export function formatAddCheckpointRequest(request: {
  oldSize: number;
  proof: readonly Buffer[];
  note: string;
}): string {
  if (!Number.isSafeInteger(request.oldSize) || request.oldSize < 0) {
    throw new RangeError(`old size must be a non-negative integer, got ${request.oldSize}`);
  }
  if (request.proof.length > MAX_PROOF_LINES || request.proof.some((hash) => hash.length !== HASH_SIZE)) {
    throw new RangeError(`a consistency proof is at most ${MAX_PROOF_LINES} hashes of ${HASH_SIZE} bytes`);
  }
  const proofLines = request.proof.map((hash) => `${hash.toString('base64')}\n`).join('');
  return `old ${request.oldSize}\n${proofLines}\n${request.note}`;
}

/**
 * Splits a request body at its first empty line. The note is returned as bytes; whether it is a
 * valid signed checkpoint is for the note parser to decide.
 */
export function parseAddCheckpointRequest(body: Uint8Array): AddCheckpointRequest {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const split = bytes.indexOf('\n\n');
  if (split < 0) throw new MalformedRequestError('no empty line after the old size and proof lines');
  const [oldLine = '', ...proofLines] = bytes.subarray(0, split).toString('latin1').split('\n');
  const old = /^old (0|[1-9][0-9]*)$/.exec(oldLine);
  const oldSize = Number(old?.[1]);
  if (old === null || !Number.isSafeInteger(oldSize)) {
    throw new MalformedRequestError('the first line must be "old <size>" in decimal without leading zeros');
  }
  if (proofLines.length > MAX_PROOF_LINES) {
    throw new MalformedRequestError(`more than ${MAX_PROOF_LINES} consistency proof lines`);
  }
  const proof = proofLines.map((line, i) => {
    const hash = decodeHash(line);
    if (hash === null)
      throw new MalformedRequestError(`proof line ${i + 1} is not base64 of ${HASH_SIZE} bytes`);
    return hash;
  });
  return { oldSize, proof, note: bytes.subarray(split + 2) };
}

/** The origin: the first line of the note, which names the log before anything is verified. */
export function noteOrigin(note: Buffer): string {
  const end = note.indexOf('\n');
  return end < 0 ? '' : note.subarray(0, end).toString('utf8');
}

/** A 409 body: `<size>\n`. Null when the body is not one. */
export function parseTlogSize(body: string): number | null {
  const match = /^(0|[1-9][0-9]*)\n$/.exec(body);
  const size = Number(match?.[1]);
  return match !== null && Number.isSafeInteger(size) ? size : null;
}

/** Canonical padded base64 of exactly 32 bytes, or null. */
function decodeHash(line: string): Buffer | null {
  if (line.length !== 44 || !/^[A-Za-z0-9+/]{43}=$/.test(line)) return null;
  const hash = Buffer.from(line, 'base64');
  return hash.length === HASH_SIZE && hash.toString('base64') === line ? hash : null;
}
