/**
 * Offline verification of a `custos.audit.export/v1` JSONL export (docs/audit-export.md): pure
 * streaming logic over its lines, no database. Memory stays constant — a StreamingTree of ≤ 53
 * hashes, the last checkpoint, a few counters — so a file of any size verifies in one pass.
 *
 * Trust comes only from the verifier keys the caller passes: every checkpoint's signed note must
 * open with them, and everything else in the file (leaves, bodies, proofs) is recomputed against
 * the roots those notes sign.
 */

import {
  type NoteVerifier,
  openCheckpoint,
  parseVerifierKey,
  SignedNoteError,
} from '../../platform/crypto/signed-note';
import { leafHash, MerkleError, rootFromInclusionProof, StreamingTree, verifyConsistency } from './merkle';
import { PurgeLedger } from './verify-purges';

export const EXPORT_FORMAT = 'custos.audit.export/v1';

export type ProblemKind =
  | 'modified'
  | 'missing'
  | 'inserted'
  | 'reordered'
  | 'bad-signature'
  | 'inconsistent'
  | 'rolled-back'
  | 'malformed';

export interface VerifyProblem {
  kind: ProblemKind;
  /** The log position concerned, when there is one. */
  seq?: number;
  /** 1-based line of the export where it was found. */
  line: number;
  message: string;
}

export interface VerifiedCheckpoint {
  treeSize: number;
  rootHash: string;
  /** The signed note (with any co-signatures): keep it and pass it back with --checkpoint. */
  note: string | null;
  /** Names of the trusted keys whose signatures verified. */
  signedBy: string[];
}

export interface VerifyReport {
  ok: boolean;
  origin: string | null;
  organizationId: string | null;
  complete: boolean | null;
  /** The tree size the export claims to cover (its header). */
  treeSize: number | null;
  /** Event lines verified (up to the first problem). */
  events: number;
  /** Checkpoints whose signature and root were checked. */
  checkpoints: number;
  /** Events whose body retention purged (their leaf still counts). */
  purged: number;
  /** Events with personal fields erased by crypto-shredding (their body, and so the proof, is intact). */
  erased: number;
  /** The last checkpoint that verified. */
  checkpoint: VerifiedCheckpoint | null;
  /** Whether the trusted keys were taken from the export's own header. */
  keysFromExport: boolean;
  /** Trusted checkpoints (kept outside Custos) the log was shown to extend. */
  trustedCheckpoints: number;
  firstProblem: VerifyProblem | null;
  seconds: number;
}

export interface VerifyOptions {
  /** Trusted signed-note verifier keys (`<name>+<id>+<key>`). */
  verifierKeys: readonly string[];
  /**
   * Trust the keys listed in the export's own header when `verifierKeys` is empty. That proves the
   * file is self-consistent, not that it came from your server: pin keys whenever you can.
   */
  trustExportKeys?: boolean;
  /**
   * Signed checkpoints kept outside Custos (notes, as `custos audit verify --checkpoint` reads
   * them): the log must be at least as long as each and hash to its root at its size.
   */
  trustedCheckpoints?: readonly string[];
  /**
   * Witness co-signatures the export's last checkpoint must carry: a check per witness key,
   * answering the witness names whose co-signatures verified (see cosignature.ts).
   */
  requireCosignatures?: (note: string) => { missing: string[] };
}

/**
 * Verifies an export; resolves with the first problem in log order, or ok. Lines may come one by
 * one or in batches (as `splitLines` yields them): a batch saves an async step per line.
 */
export async function verifyExport(
  lines: AsyncIterable<string | readonly string[]>,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const started = performance.now();
  const verifier = new ExportVerifier(options.verifierKeys.map(parseVerifierKey), {
    trustExportKeys: options.trustExportKeys ?? false,
    trusted: options.trustedCheckpoints ?? [],
    requireCosignatures: options.requireCosignatures ?? null,
  });
  let line = 0;
  for await (const item of lines) {
    for (const text of typeof item === 'string' ? [item] : item) {
      line += 1;
      verifier.line(text, line);
      // Stop reading (and downloading) as soon as the verdict cannot change.
      if (verifier.settled) break;
    }
    if (verifier.settled) break;
  }
  verifier.end(line);
  return verifier.report((performance.now() - started) / 1000);
}

/** Longest line accepted before it is cut (and so fails as malformed): bounds memory on hostile input. */
const MAX_LINE_BYTES = 16 * 1_048_576;

/**
 * Splits a byte or text stream into lines without their '\n', yielding the complete lines of each
 * chunk together. Cuts at the last newline *byte* of a chunk and decodes up to it in one call:
 * 0x0A never occurs inside a multi-byte UTF-8 sequence, so no character is split, and one
 * `toString` per chunk is several times faster than a streaming TextDecoder plus string joins.
 */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<string[]> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
    const end = data.lastIndexOf(0x0a);
    if (end < 0) {
      carry = data;
      // A line this long cannot be an export line: hand it on (as garbage) rather than grow without bound.
      if (carry.length > MAX_LINE_BYTES) {
        yield [carry.toString('utf8')];
        carry = Buffer.alloc(0);
      }
      continue;
    }
    carry = data.subarray(end + 1);
    yield data.toString('utf8', 0, end).split('\n');
  }
  if (carry.length > 0) yield [carry.toString('utf8')];
}

// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

interface Header {
  origin: string;
  organizationId: string;
  complete: boolean;
  treeSize: number;
  /** What the server itself found wrong with the log (and so refused to sign). */
  alarms: { kind: string; message: string; seq: number | null }[];
}

interface VerifierSettings {
  trustExportKeys: boolean;
  trusted: readonly string[];
  requireCosignatures: ((note: string) => { missing: string[] }) | null;
}

interface SignedRoot {
  size: number;
  root: Buffer;
}

/** A problem before it is placed: findings deferred from an earlier line keep theirs. */
type Finding = Omit<VerifyProblem, 'line'> & { line?: number };

const HEX_HASH = /^[0-9a-f]{64}$/;
const isHash = (v: unknown): v is string => typeof v === 'string' && HEX_HASH.test(v);
const isTextOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
const isSize = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isHashList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isHash);
const hashes = (list: string[]) => list.map((h) => Buffer.from(h, 'hex'));

/**
 * A hex hash as bytes, or null. On the per-event path a length check and one decode replace the
 * regex: a non-hex character stops Buffer's decoder short of 32 bytes.
 */
function hashBytes(value: unknown): Buffer | null {
  if (typeof value !== 'string' || value.length !== 64) return null;
  const bytes = Buffer.from(value, 'hex');
  return bytes.length === 32 ? bytes : null;
}

/** The state of one pass over an export. Each line either advances it or settles the verdict. */
class ExportVerifier {
  settled = false;
  #problem: VerifyProblem | null = null;
  /** Filtered exports settle at their checkpoint: an event-level finding waits for root findings. */
  #deferred: Finding | null = null;
  #header: Header | null = null;
  #trailerSeen = false;
  #keysFromExport = false;
  #verifiers: NoteVerifier[];
  readonly #settings: VerifierSettings;
  /** Trusted checkpoints still ahead of the tree, smallest first; opened once the header names the log. */
  #trusted: SignedRoot[] = [];
  #trustedChecked = 0;
  /** The last signed note seen, for the co-signature check. */
  #lastNote: string | null = null;
  readonly #purges = new PurgeLedger();

  readonly #tree = new StreamingTree();
  /** Complete exports: the last seq verified (the next must follow it). Filtered: the last seq seen. */
  #seq = 0;
  #last: (SignedRoot & { signedBy: string[] }) | null = null;
  #pendingConsistency: { from: SignedRoot; to: SignedRoot } | null = null;
  /** Filtered exports: the root the first event's proof reaches, and the first event reaching another. */
  #firstRoot: { seq: number; root: Buffer } | null = null;
  #divergentSeq: number | null = null;
  #inStrays = false;

  #events = 0;
  #checkpoints = 0;
  #purged = 0;
  #erased = 0;

  constructor(verifiers: NoteVerifier[], settings: VerifierSettings) {
    this.#verifiers = verifiers;
    this.#settings = settings;
  }

  line(text: string, line: number): void {
    const finding = this.#read(text, line);
    if (finding) this.#fail(line, finding);
  }

  #read(text: string, line: number): Finding | null {
    // Blank lines carry nothing to verify (an editor may add one at the end).
    if (text === '' || text === '\r') return null;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      return malformed('the line is not JSON');
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return malformed('the line is not a JSON object');
    }
    return this.#dispatch(record as Json, line);
  }

  #dispatch(r: Json, line: number): Finding | null {
    const header = this.#header;
    if (!header) return this.#readHeader(r);
    if (this.#trailerSeen) return malformed('a line follows the trailer');
    switch (r.type) {
      case 'event':
        return header.complete ? this.#completeEvent(r, header) : this.#filteredEvent(r, line, header);
      case 'checkpoint':
        return this.#checkpoint(r, header);
      case 'consistency':
        return this.#consistency(r);
      case 'stray':
        return this.#stray(r, header);
      case 'quarantined':
        return this.#quarantined(r, header);
      case 'trailer':
        return this.#trailer(r, header);
      default:
        return malformed(`unknown line type ${JSON.stringify(r.type)}`);
    }
  }

  #readHeader(r: Json): Finding | null {
    if (r.type !== 'header') return malformed('the first line must be the header');
    if (r.format !== EXPORT_FORMAT) return malformed(`unsupported format ${JSON.stringify(r.format)}`);
    const { origin, organizationId, complete, treeSize, verifierKeys } = r;
    if (typeof origin !== 'string' || typeof organizationId !== 'string' || typeof complete !== 'boolean') {
      return malformed('the header needs origin, organizationId and complete');
    }
    if (!isSize(treeSize)) return malformed('the header needs a tree size');
    // The origin names the log; a header claiming another organization's log is a spliced file.
    if (!origin.endsWith(`/custos/audit/${organizationId}`)) {
      return malformed(`the origin ${origin} is not the log of organization ${organizationId}`);
    }
    if (this.#verifiers.length === 0 && this.#settings.trustExportKeys) {
      if (!Array.isArray(verifierKeys)) return malformed('the header lists no verifier keys');
      try {
        this.#verifiers = verifierKeys.map((k) => parseVerifierKey(String(k)));
      } catch (error) {
        if (error instanceof SignedNoteError) return malformed(`a header verifier key: ${error.message}`);
        throw error;
      }
      this.#keysFromExport = true;
    }
    if (this.#verifiers.length === 0) return { kind: 'bad-signature', message: 'no verifier keys to trust' };
    this.#header = { origin, organizationId, complete, treeSize, alarms: headerAlarms(r.integrityAlarms) };
    return this.#openTrusted(origin, complete, treeSize);
  }

  /** Opens the caller's trusted checkpoints: signed by a trusted key, for this very log. */
  #openTrusted(origin: string, complete: boolean, treeSize: number): Finding | null {
    const opened: SignedRoot[] = [];
    for (const [i, note] of this.#settings.trusted.entries()) {
      let checkpoint: ReturnType<typeof openCheckpoint>['checkpoint'];
      try {
        checkpoint = openCheckpoint(note, this.#verifiers).checkpoint;
      } catch (error) {
        if (!(error instanceof SignedNoteError)) throw error;
        return { kind: 'bad-signature', message: `trusted checkpoint ${i + 1}: ${error.message}` };
      }
      if (checkpoint.origin !== origin) {
        return {
          kind: 'bad-signature',
          message: `trusted checkpoint ${i + 1} is of the log ${checkpoint.origin}, not of this one (${origin})`,
        };
      }
      if (!complete && checkpoint.size !== treeSize && checkpoint.size <= treeSize) {
        return malformed(
          `trusted checkpoint ${checkpoint.size} can only be checked against a complete export (or one of its exact size)`,
        );
      }
      opened.push({ size: checkpoint.size, root: checkpoint.rootHash });
    }
    this.#trusted = opened.sort((a, b) => a.size - b.size);
    return null;
  }

  /** Complete exports: at each trusted checkpoint's size, the leaves so far must hash to its root. */
  #checkTrusted(): Finding | null {
    const size = this.#tree.size;
    while (this.#trusted[0] && this.#trusted[0].size <= size) {
      const trusted = this.#trusted.shift() as SignedRoot;
      if (trusted.size < size) continue; // of size 0, or two of one size: the first decided
      if (!this.#tree.root().equals(trusted.root)) {
        const from = (this.#last && this.#last.size < size ? this.#last.size : 0) + 1;
        return {
          kind: 'inconsistent',
          seq: from,
          message:
            `the log's history differs from your trusted checkpoint ${size}: the events from seq ${from} to ${size} ` +
            `no longer hash to its root (rewritten${from > 1 ? `; the server's signed checkpoint ${from - 1} still matches` : ''})`,
        };
      }
      this.#trustedChecked += 1;
    }
    return null;
  }

  /** A complete export's event: the tree leaf at `seq`, the row stored for it, and its body. */
  #completeEvent(r: Json, header: Header): Finding | null {
    const { seq, leafHash: leafHex, storedLeafHash: stored, body } = r;
    const leaf = hashBytes(leafHex);
    if (!isSeq(seq) || !leaf) return malformed('an event line needs seq and leafHash');
    if (!isTextOrNull(stored) || !isTextOrNull(body)) {
      return malformed(`event ${seq}: storedLeafHash and body must be strings or null`);
    }
    if (this.#inStrays) return malformed(`event ${seq} comes after the stray section`);
    const finding =
      this.#checkPosition(seq, header) ??
      checkRow(seq, leafHex as string, stored, body) ??
      this.#checkBody(seq, body, leaf, r.event);
    if (finding) return finding;
    const nodeFinding = this.#pushLeaf(seq, leaf, r.nodes);
    if (nodeFinding) return nodeFinding;
    this.#seq = seq;
    this.#events += 1;
    return this.#checkTrusted();
  }

  /**
   * Adds the leaf; when the export lists the stored interior nodes the leaf completes, each must be
   * the hash of its children — the nodes every proof the server serves is built from.
   */
  #pushLeaf(seq: number, leaf: Buffer, stored: unknown): Finding | null {
    if (stored === undefined) {
      this.#tree.push(leaf);
      return null;
    }
    if (!Array.isArray(stored)) return malformed(`event ${seq}: nodes must be a list`);
    const computed = this.#tree.pushWithNodes(leaf);
    if (stored.length !== computed.length)
      return malformed(`event ${seq}: it completes ${computed.length} tree nodes`);
    for (const [i, hash] of computed.entries()) {
      const level = i + 1;
      const first = seq - 2 ** level + 1;
      const node = stored[i];
      if (node === null) {
        return {
          kind: 'missing',
          seq: first,
          message: `the stored tree node over seqs ${first}–${seq} is gone`,
        };
      }
      const bytes = hashBytes(node);
      if (!bytes?.equals(hash)) {
        return {
          kind: 'modified',
          seq: first,
          message:
            `the stored tree node over seqs ${first}–${seq} (level ${level}) is not the hash of its events: ` +
            'the tree was altered, so proofs through it are false',
        };
      }
    }
    return null;
  }

  /** Complete exports list every leaf once, in order. */
  #checkPosition(seq: number, header: Header): Finding | null {
    if (seq > header.treeSize) return beyondTree(seq, header.treeSize);
    if (seq <= this.#seq)
      return { kind: 'reordered', seq, message: `event ${seq} comes after event ${this.#seq}` };
    if (seq > this.#seq + 1) return missingLeaves(this.#seq + 1, seq - 1);
    return null;
  }

  /** A filtered export's event: its body re-hashed, and its inclusion proof folded into a root. */
  #filteredEvent(r: Json, line: number, header: Header): Finding | null {
    const { seq, body, proof } = r;
    const leaf = hashBytes(r.leafHash);
    if (!isSeq(seq) || !leaf) return malformed('an event line needs seq and leafHash');
    if (!isTextOrNull(body)) return malformed(`event ${seq}: body must be a string or null`);
    if (seq <= this.#seq)
      return { kind: 'reordered', seq, message: `event ${seq} comes after event ${this.#seq}` };
    if (seq > header.treeSize) return beyondTree(seq, header.treeSize);
    this.#seq = seq;
    this.#events += 1;
    const finding =
      this.#checkBody(seq, body, leaf, r.event) ?? this.#foldProof(seq, leaf, proof, header.treeSize);
    if (finding && !this.#deferred) this.#deferred = { ...finding, line };
    return null;
  }

  #checkBody(seq: number, body: string | null, leaf: Buffer, event: unknown): Finding | null {
    if (body === null) {
      this.#purged += 1;
      this.#purges.bodyGone(seq);
      return null;
    }
    if (!leafHash(body).equals(leaf)) {
      const bodySeq = seqOfBody(body);
      if (bodySeq !== null && bodySeq !== seq) {
        return {
          kind: 'reordered',
          seq,
          message: `the row at seq ${seq} holds the body of event ${bodySeq}`,
        };
      }
      return { kind: 'modified', seq, message: `the body of event ${seq} does not hash to its leaf` };
    }
    if (hasErasedFields(event)) this.#erased += 1;
    return this.#purges.read(seq, body);
  }

  #foldProof(seq: number, leaf: Buffer, proof: unknown, treeSize: number): Finding | null {
    if (proof === null) {
      return {
        kind: 'missing',
        seq,
        message: `the server could not prove event ${seq}: tree nodes are missing`,
      };
    }
    if (!isHashList(proof)) return malformed(`event ${seq}: proof must be a list of hashes`);
    let root: Buffer;
    try {
      root = rootFromInclusionProof(seq - 1, treeSize, leaf, hashes(proof));
    } catch (error) {
      if (!(error instanceof MerkleError)) throw error;
      return { kind: 'modified', seq, message: `the inclusion proof of event ${seq} does not fit the tree` };
    }
    if (!this.#firstRoot) this.#firstRoot = { seq, root };
    else if (this.#divergentSeq === null && !root.equals(this.#firstRoot.root)) this.#divergentSeq = seq;
    return null;
  }

  #checkpoint(r: Json, header: Header): Finding | null {
    const { treeSize, rootHash, note } = r;
    if (!isSize(treeSize) || !isHash(rootHash) || typeof note !== 'string') {
      return malformed('a checkpoint line needs treeSize, rootHash and note');
    }
    if (this.#pendingConsistency)
      return malformed(`checkpoint ${treeSize} follows a checkpoint with no consistency line`);
    const opened = this.#openNote(note, treeSize, header);
    if ('kind' in opened) return opened;
    const { size, root, signedBy } = opened;
    if (size !== treeSize || root.toString('hex') !== rootHash) {
      return malformed(`checkpoint ${treeSize}: the line disagrees with its signed note`);
    }
    if (this.#last && size <= this.#last.size)
      return malformed(`checkpoint ${size} comes after checkpoint ${this.#last.size}`);
    if (size > header.treeSize)
      return malformed(`checkpoint ${size} is beyond the exported tree of ${header.treeSize}`);
    const finding = header.complete
      ? this.#checkCompleteRoot(size, root)
      : this.#checkFilteredRoot(size, root, header);
    if (finding) return finding;
    const previous = this.#last;
    this.#last = { size, root, signedBy };
    this.#lastNote = note;
    this.#checkpoints += 1;
    if (header.complete && previous) this.#pendingConsistency = { from: previous, to: this.#last };
    return null;
  }

  #openNote(note: string, treeSize: number, header: Header): (SignedRoot & { signedBy: string[] }) | Finding {
    try {
      const { checkpoint, verifiedBy } = openCheckpoint(note, this.#verifiers);
      if (checkpoint.origin !== header.origin) {
        return {
          kind: 'bad-signature',
          message: `checkpoint ${treeSize} is signed for ${checkpoint.origin}, not for this log (${header.origin})`,
        };
      }
      return { size: checkpoint.size, root: checkpoint.rootHash, signedBy: verifiedBy.map((k) => k.name) };
    } catch (error) {
      if (!(error instanceof SignedNoteError)) throw error;
      const malformedNote = error.code === 'MALFORMED_NOTE' || error.code === 'MALFORMED_CHECKPOINT';
      return {
        kind: malformedNote ? 'malformed' : 'bad-signature',
        message: `checkpoint ${treeSize}: ${error.message}`,
      };
    }
  }

  /** Complete exports: the leaves so far must hash to exactly the signed root. */
  #checkCompleteRoot(size: number, root: Buffer): Finding | null {
    if (this.#tree.size < size) return missingLeaves(this.#tree.size + 1, size);
    if (this.#tree.size > size) return malformed(`checkpoint ${size} comes after event ${this.#tree.size}`);
    if (this.#tree.root().equals(root)) return null;
    const from = (this.#last?.size ?? 0) + 1;
    return {
      kind: 'modified',
      seq: from,
      message: `the events from seq ${from} to ${size} do not hash to the root signed in checkpoint ${size}`,
    };
  }

  /**
   * Filtered exports: every proof must reach the signed root. If the first event's root is wrong,
   * that event is the first problem; if it is right, the first event reaching another root is.
   */
  #checkFilteredRoot(size: number, root: Buffer, header: Header): Finding | null {
    if (size !== header.treeSize) return malformed(`checkpoint ${size} is not of the exported tree size`);
    const wrongSeq =
      this.#firstRoot && !this.#firstRoot.root.equals(root) ? this.#firstRoot.seq : this.#divergentSeq;
    const rootFinding: Finding | null =
      wrongSeq === null
        ? null
        : {
            kind: 'modified',
            seq: wrongSeq,
            message: `the inclusion proof of event ${wrongSeq} does not reach the root signed in checkpoint ${size}`,
          };
    const first = earliest(this.#deferred, rootFinding);
    this.#deferred = null;
    return first;
  }

  #consistency(r: Json): Finding | null {
    const pending = this.#pendingConsistency;
    const { from, to, proof } = r;
    if (!pending || from !== pending.from.size || to !== pending.to.size) {
      return malformed(`unexpected consistency line ${String(from)} → ${String(to)}`);
    }
    this.#pendingConsistency = null;
    if (
      proof === null ||
      !isHashList(proof) ||
      !verifyConsistency(from, to, hashes(proof), pending.from.root, pending.to.root)
    ) {
      return {
        kind: 'inconsistent',
        seq: from + 1,
        message: `checkpoint ${to} is not proven to extend checkpoint ${from}: the consistency proof fails`,
      };
    }
    return null;
  }

  /** An event row that has no leaf in the tree. Inside the tree's range, the tree lost that leaf. */
  #stray(r: Json, header: Header): Finding | null {
    const { seq } = r;
    if (!header.complete) return malformed('a filtered export has no stray lines');
    if (!Number.isSafeInteger(seq)) return malformed('a stray line needs seq');
    const at = seq as number;
    this.#inStrays = true;
    if (at >= 1 && at <= header.treeSize) {
      return missingLeaves(Math.min(this.#seq + 1, at), at, `an event row claims seq ${at}`);
    }
    // Strays beyond the tree follow every event line: a body no purge covers is final, and earlier.
    const unproven = this.#purges.unproven();
    if (unproven && unproven.seq < at) return unproven;
    return { kind: 'inserted', seq: at, message: `an event row at seq ${at} was added outside the tree` };
  }

  /** A row the server found past the log's head (written around it) and moved aside. */
  #quarantined(r: Json, header: Header): Finding | null {
    if (!header.complete) return malformed('a filtered export has no quarantined lines');
    if (!isSeq(r.seq)) return malformed('a quarantined line needs seq');
    const unproven = this.#purges.unproven();
    if (unproven && unproven.seq < r.seq) return unproven;
    this.#inStrays = true;
    const when =
      typeof r.quarantinedAt === 'string' ? ` (moved aside by the server at ${r.quarantinedAt})` : '';
    return {
      kind: 'inserted',
      seq: r.seq,
      message: `an event row at seq ${r.seq} was written around Custos, past the log's head${when}`,
    };
  }

  #trailer(r: Json, header: Header): Finding | null {
    if (!isSize(r.events)) return malformed('the trailer needs an event count');
    if (this.#pendingConsistency) return malformed('the export ends with a consistency line missing');
    if (header.complete && this.#tree.size < header.treeSize)
      return missingLeaves(this.#tree.size + 1, header.treeSize);
    const finding =
      this.#checkTrustedAtEnd(header) ??
      this.#purges.unproven() ??
      serverAlarm(header) ??
      this.#checkSignedHead(header);
    if (finding) return finding;
    if (r.events !== this.#events)
      return malformed(`the trailer counts ${r.events} events, the export has ${this.#events}`);
    this.#trailerSeen = true;
    return null;
  }

  /** Trusted checkpoints beyond the log: it was rolled back (or events deleted and renumbered). */
  #checkTrustedAtEnd(header: Header): Finding | null {
    if (!header.complete) {
      const exact = this.#trusted.filter((t) => t.size === header.treeSize);
      if (exact.some((t) => this.#last?.size !== t.size || !this.#last.root.equals(t.root))) {
        return {
          kind: 'inconsistent',
          message: `the exported tree differs from your trusted checkpoint ${header.treeSize}`,
        };
      }
      this.#trustedChecked += exact.length;
      this.#trusted = this.#trusted.filter((t) => t.size !== header.treeSize);
    }
    const beyond = this.#trusted.find((t) => t.size > header.treeSize);
    if (!beyond) return null;
    return {
      kind: 'rolled-back',
      seq: header.treeSize + 1,
      message:
        `the log holds ${header.treeSize} events, fewer than the ${beyond.size} of your trusted checkpoint: ` +
        `events from seq ${header.treeSize + 1} on were removed (rolled back, or deleted and renumbered)`,
    };
  }

  /** The export's own last checkpoint covers it all, with the co-signatures asked for. */
  #checkSignedHead(header: Header): Finding | null {
    if (header.treeSize > 0 && this.#last?.size !== header.treeSize) {
      return malformed(`no checkpoint of the exported tree size ${header.treeSize}`);
    }
    const require = this.#settings.requireCosignatures;
    if (!require || header.treeSize === 0) return null;
    const { missing } = require(this.#lastNote ?? '');
    if (missing.length === 0) return null;
    return {
      kind: 'bad-signature',
      message: `checkpoint ${header.treeSize} carries no valid co-signature by the witness ${missing.join(', ')}`,
    };
  }

  end(lines: number): void {
    if (this.settled) return;
    if (this.#deferred) this.#fail(lines, this.#deferred);
    else if (!this.#header) this.#fail(Math.max(lines, 1), malformed('the export is empty'));
    else if (!this.#trailerSeen)
      this.#fail(lines, malformed('the export ends before its trailer: it was cut short'));
  }

  #fail(line: number, finding: Finding): void {
    if (this.#problem) return;
    this.#problem = { ...finding, line: finding.line ?? line };
    this.settled = true;
  }

  report(seconds: number): VerifyReport {
    const header = this.#header;
    return {
      ok: this.#problem === null,
      origin: header?.origin ?? null,
      organizationId: header?.organizationId ?? null,
      complete: header?.complete ?? null,
      treeSize: header?.treeSize ?? null,
      events: this.#events,
      checkpoints: this.#checkpoints,
      purged: this.#purged,
      erased: this.#erased,
      checkpoint: this.#last
        ? {
            treeSize: this.#last.size,
            rootHash: this.#last.root.toString('hex'),
            note: this.#lastNote,
            signedBy: this.#last.signedBy,
          }
        : null,
      keysFromExport: this.#keysFromExport,
      trustedCheckpoints: this.#trustedChecked,
      firstProblem: this.#problem,
      seconds,
    };
  }
}

/** The stored row beside a tree leaf: gone, or carrying another leaf hash than the tree. */
function checkRow(seq: number, leafHex: string, stored: string | null, body: string | null): Finding | null {
  if (stored === null) {
    if (body !== null) return malformed(`event ${seq} has a body but no stored row`);
    return {
      kind: 'missing',
      seq,
      message: `the event row of seq ${seq} is gone; the tree still holds its leaf`,
    };
  }
  if (stored === leafHex) return null;
  const bodySeq = body === null ? null : seqOfBody(body);
  if (bodySeq !== null && bodySeq !== seq) {
    return { kind: 'reordered', seq, message: `the row at seq ${seq} holds the body of event ${bodySeq}` };
  }
  return {
    kind: 'modified',
    seq,
    message: `the leaf hash stored with event ${seq} differs from the tree leaf: the row or the tree was altered`,
  };
}

function beyondTree(seq: number, treeSize: number): Finding {
  return { kind: 'inserted', seq, message: `event ${seq} lies beyond the exported tree of ${treeSize}` };
}

function malformed(message: string): Finding {
  return { kind: 'malformed', message };
}

function missingLeaves(from: number, to: number, why = ''): Finding {
  const range = from === to ? `seq ${from}` : `seqs ${from} to ${to}`;
  return {
    kind: 'missing',
    seq: from,
    message: `the tree has no leaf for ${range}${why ? ` (${why})` : ''}`,
  };
}

/** The body's own seq, to tell a moved body from an altered one. Null when it is not an event body. */
function seqOfBody(body: string): number | null {
  try {
    const parsed: unknown = JSON.parse(body);
    const seq = typeof parsed === 'object' && parsed !== null ? (parsed as Json).seq : undefined;
    return typeof seq === 'number' ? seq : null;
  } catch {
    return null;
  }
}

function hasErasedFields(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const erased = (event as Json).erased;
  return Array.isArray(erased) && erased.length > 0;
}

function earliest(a: Finding | null, b: Finding | null): Finding | null {
  if (!a || !b) return a ?? b;
  return (a.seq ?? Number.MAX_SAFE_INTEGER) <= (b.seq ?? Number.MAX_SAFE_INTEGER) ? a : b;
}

const ALARM_KINDS: Record<string, ProblemKind> = {
  rewritten: 'inconsistent',
  rolled_back: 'rolled-back',
  inserted_row: 'inserted',
  signer_state_unreadable: 'bad-signature',
};

function headerAlarms(value: unknown): Header['alarms'] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((a: unknown) => {
    if (typeof a !== 'object' || a === null) return [];
    const { kind, message, seq } = a as Json;
    if (typeof kind !== 'string' || typeof message !== 'string') return [];
    return [{ kind, message, seq: isSeq(seq) ? seq : null }];
  });
}

/** The server's own alarm, when the file itself showed nothing worse: it refused to sign this log. */
function serverAlarm(header: Header): Finding | null {
  const alarm = header.alarms[0];
  if (!alarm) return null;
  return {
    kind: ALARM_KINDS[alarm.kind] ?? 'inconsistent',
    ...(alarm.seq !== null ? { seq: alarm.seq } : {}),
    message: `the server refuses to sign this log: ${alarm.message}`,
  };
}
