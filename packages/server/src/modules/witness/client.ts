/**
 * The Custos side of C2SP tlog-witness: submit a signed checkpoint with a consistency proof from
 * the size the witness last cosigned, and read back its cosignature lines, the size it expects
 * instead (409), or its refusal. Lines are returned unverified: check them with
 * `verifyCosignatures(addCosignatures(note, lines), [witnessVerifierKey])` before trusting them.
 */
import { parseSignatureLines } from '../../platform/crypto/cosignature';
import { SignedNoteError } from '../../platform/crypto/signed-note';
import {
  ADD_CHECKPOINT_PATH,
  formatAddCheckpointRequest,
  parseTlogSize,
  TLOG_SIZE_CONTENT_TYPE,
} from './protocol';

export type WitnessSubmission =
  | { kind: 'cosigned'; lines: string[] }
  /** The witness has cosigned `size` for this log: resubmit with a proof from there. */
  | { kind: 'conflict'; size: number }
  | { kind: 'refused'; status: number; message: string };

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_MESSAGE_LENGTH = 500;

/**
 * POSTs to `<url>/add-checkpoint`, `url` being the witness's submission prefix. Network failures
 * and timeouts reject; every HTTP answer becomes one of the three outcomes.
 */
export async function submitToWitness(
  url: string,
  request: { oldSize: number; proof: readonly Buffer[]; note: string },
  fetchImpl: FetchLike = fetch,
  options: { timeoutMs?: number } = {},
): Promise<WitnessSubmission> {
  const endpoint = `${url.replace(/\/+$/, '')}${ADD_CHECKPOINT_PATH}`;
  const response = await fetchImpl(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: formatAddCheckpointRequest(request),
    signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status === 200) return cosigned(text);
  if (response.status === 409 && isTlogSize(response.headers.get('content-type'))) {
    const size = parseTlogSize(text);
    if (size !== null) return { kind: 'conflict', size };
  }
  return { kind: 'refused', status: response.status, message: text.trim().slice(0, MAX_MESSAGE_LENGTH) };
}

function cosigned(text: string): WitnessSubmission {
  try {
    return { kind: 'cosigned', lines: parseSignatureLines(text) };
  } catch (error) {
    if (!(error instanceof SignedNoteError)) throw error;
    // A 200 that is not signature lines is a broken witness, not a cosignature.
    return { kind: 'refused', status: 200, message: `not signature lines: ${error.message}` };
  }
}

/** `text/x.tlog.size`, ignoring case and parameters. */
function isTlogSize(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === TLOG_SIZE_CONTENT_TYPE;
}
