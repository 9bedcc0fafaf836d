/**
 * Checks that the server's audit log still extends the signed checkpoints a client saw earlier.
 * Someone who can write to the database can rewrite the log, and the server would then present
 * the rewritten history; only a client that kept an earlier checkpoint can tell, by asking for a
 * consistency proof from that checkpoint to the current one and checking it itself.
 *
 * Pure WebCrypto (SHA-256, Ed25519): runs in browsers and in Node 20.
 */

import { fromHex, toHex } from './bytes';
import { CustosApiError } from './client';
import { verifyConsistency } from './merkle';
import {
  claimedCheckpoint,
  NoteError,
  type OpenedCheckpoint,
  openCheckpoint,
  parseVerifierKey,
  type TrustedKey,
} from './signed-note';
import type { AuditCheckpointOut, AuditKeysOut, ConsistencyProofOut } from './types';

export interface AuditVerifyOptions {
  /** Signed checkpoint notes (the exact text) the caller saved earlier. */
  checkpoints: readonly string[];
  /** Verifier keys to trust; default: the server's, from `/.well-known/custos/audit-keys`. */
  verifierKeys?: readonly string[];
}

export type CheckpointCheckStatus =
  | 'consistent'
  | 'inconsistent'
  | 'rolled-back'
  | 'bad-signature'
  | 'other-log'
  | 'malformed';

/** The verdict on one remembered checkpoint, in the order they were given. */
export interface CheckpointCheck {
  /** What the remembered note claims; null when it cannot be read at all. */
  treeSize: number | null;
  rootHash: string | null;
  status: CheckpointCheckStatus;
  message: string;
}

export interface AuditVerifyResult {
  /** The current checkpoint is signed by a trusted key and every remembered one is consistent with it. */
  ok: boolean;
  /** The server's latest checkpoint, and whether its note holds up (`empty`: the log has no events). */
  current: {
    origin: string;
    treeSize: number;
    rootHash: string;
    note: string;
    signedBy: string[];
    status: 'verified' | 'bad-signature' | 'malformed' | 'empty';
    message: string;
  };
  /** `pinned`: the caller's `verifierKeys`; `server`: the keys the server publishes. */
  keysFrom: 'pinned' | 'server';
  checks: CheckpointCheck[];
}

/** The reads verification needs: what `client.audit` offers. */
export interface AuditHistorySource {
  checkpoint(): Promise<AuditCheckpointOut>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProofOut>;
  keys(): Promise<AuditKeysOut>;
}

type Current = AuditVerifyResult['current'];

/** MTH of the empty tree: SHA-256 of nothing. */
const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A NoteError message ("no trusted key signed …") as a sentence. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
const plural = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'event' : 'events'}`;

async function trustedKeys(
  source: AuditHistorySource,
  pinned: readonly string[] | undefined,
): Promise<{ keys: TrustedKey[]; keysFrom: 'pinned' | 'server' }> {
  if (pinned) {
    if (pinned.length === 0) throw new TypeError('verifierKeys is empty: pass keys to pin, or leave it out');
    return { keys: await Promise.all(pinned.map(parseVerifierKey)), keysFrom: 'pinned' };
  }
  const listed = (await source.keys()).keys.map((k) => k.verifierKey);
  // A key the server lists that cannot be parsed vouches for nothing; the others still count.
  const parsed = await Promise.all(listed.map((k) => parseVerifierKey(k).catch(() => null)));
  return { keys: parsed.filter((k): k is TrustedKey => k !== null), keysFrom: 'server' };
}

/** The server's latest checkpoint; a 404 means its log is empty, which a remembered checkpoint contradicts. */
async function latestCheckpoint(source: AuditHistorySource): Promise<AuditCheckpointOut | null> {
  try {
    return await source.checkpoint();
  } catch (error) {
    if (error instanceof CustosApiError && error.status === 404) return null;
    throw error;
  }
}

async function checkCurrent(served: AuditCheckpointOut, keys: readonly TrustedKey[]): Promise<Current> {
  const { origin, treeSize, rootHash, note } = served;
  const base = { origin, treeSize, rootHash, note, signedBy: [] };
  let opened: OpenedCheckpoint;
  try {
    opened = await openCheckpoint(served.note, keys);
  } catch (error) {
    if (!(error instanceof NoteError)) throw error;
    return { ...base, status: error.kind, message: `The current checkpoint: ${error.message}.` };
  }
  const matches =
    opened.origin === served.origin &&
    opened.size === served.treeSize &&
    toHex(opened.rootHash) === served.rootHash.toLowerCase();
  if (!matches) {
    return {
      ...base,
      status: 'malformed',
      message: 'The current checkpoint’s signed note does not say what its origin, size and root fields say.',
    };
  }
  return {
    ...base,
    rootHash: toHex(opened.rootHash),
    signedBy: opened.signedBy,
    status: 'verified',
    message: `Signed by ${opened.signedBy.join(', ')}.`,
  };
}

/** Whether the server can prove its current tree extends `remembered`; a refusal to prove is a no. */
async function proveExtension(
  source: AuditHistorySource,
  remembered: OpenedCheckpoint,
  current: Current,
): Promise<boolean> {
  let answer: ConsistencyProofOut;
  try {
    answer = await source.consistencyProof(remembered.size, current.treeSize);
  } catch (error) {
    const refused =
      error instanceof CustosApiError &&
      error.status >= 400 &&
      error.status < 500 &&
      ![401, 403, 408, 429].includes(error.status);
    if (refused) return false;
    throw error;
  }
  const proof = answer.proof.map(fromHex);
  const currentRoot = fromHex(current.rootHash);
  if (currentRoot === null || !proof.every((hash) => hash !== null)) return false;
  return verifyConsistency(
    remembered.size,
    current.treeSize,
    proof.filter((hash) => hash !== null),
    remembered.rootHash,
    currentRoot,
  );
}

async function checkRemembered(
  source: AuditHistorySource,
  note: string,
  keys: readonly TrustedKey[],
  current: Current,
): Promise<CheckpointCheck> {
  let opened: OpenedCheckpoint;
  try {
    opened = await openCheckpoint(note, keys);
  } catch (error) {
    if (!(error instanceof NoteError)) throw error;
    const claimed = claimedCheckpoint(note);
    return {
      treeSize: claimed?.size ?? null,
      rootHash: claimed ? toHex(claimed.rootHash) : null,
      status: error.kind,
      message: sentence(error.message),
    };
  }
  const { size } = opened;
  const rootHash = toHex(opened.rootHash);
  const verdict = (status: CheckpointCheckStatus, message: string) => ({
    treeSize: size,
    rootHash,
    status,
    message,
  });
  if (current.status === 'empty' && size > 0) {
    return verdict('rolled-back', `This checkpoint covers ${plural(size)}, but the server’s log is empty.`);
  }
  if (opened.origin !== current.origin && current.status !== 'empty') {
    return verdict('other-log', `This checkpoint is of the log ${opened.origin}, not ${current.origin}.`);
  }
  if (size > current.treeSize) {
    return verdict(
      'rolled-back',
      `The server signed this checkpoint of ${plural(size)}, but its log now has only ${plural(current.treeSize)}: the log was rolled back or truncated.`,
    );
  }
  if (size === 0 || size === current.treeSize) {
    const expected = size === 0 ? EMPTY_ROOT : current.rootHash.toLowerCase();
    return rootHash === expected
      ? verdict('consistent', `The log still has exactly this checkpoint’s ${plural(size)}.`)
      : verdict(
          'inconsistent',
          `The log has ${plural(size)} as this checkpoint does, under another root hash: the history was rewritten.`,
        );
  }
  return (await proveExtension(source, opened, current))
    ? verdict(
        'consistent',
        `The log of ${plural(current.treeSize)} extends this checkpoint of ${plural(size)}: the consistency proof verifies.`,
      )
    : verdict(
        'inconsistent',
        `The log of ${plural(current.treeSize)} does not extend this checkpoint of ${plural(size)}: no valid consistency proof, so the history up to it was rewritten.`,
      );
}

/**
 * Verifies that the server's current signed checkpoint extends every checkpoint in `checkpoints`.
 * Throws only for transport errors (CustosApiError) and unusable pinned keys; every verification
 * failure is reported in the result.
 */
export async function verifyAuditHistory(
  source: AuditHistorySource,
  options: AuditVerifyOptions,
): Promise<AuditVerifyResult> {
  const { keys, keysFrom } = await trustedKeys(source, options.verifierKeys);
  const served = await latestCheckpoint(source);
  const current: Current = served
    ? await checkCurrent(served, keys)
    : {
        origin: '',
        treeSize: 0,
        rootHash: EMPTY_ROOT,
        note: '',
        signedBy: [],
        status: 'empty',
        message: 'The server’s log has no events, so it has signed no checkpoint.',
      };
  const checks = await Promise.all(
    options.checkpoints.map((note) => checkRemembered(source, note, keys, current)),
  );
  const currentHolds = current.status === 'verified' || current.status === 'empty';
  return { ok: currentHolds && checks.every((c) => c.status === 'consistent'), current, keysFrom, checks };
}
