/**
 * The decision of a C2SP tlog-witness (https://c2sp.org/tlog-witness): cosign a checkpoint only if
 * it is signed by a key trusted for its origin and provably extends the last checkpoint cosigned
 * for that origin. Transport-free: the server hands in the body and writes out the reply.
 *
 * Status codes, in the order the spec lists its checks:
 *   400  the request or the checkpoint is malformed, or old size > checkpoint size
 *   404  no trusted key for the origin          ("If the checkpoint origin is unknown … 404")
 *   403  no trusted key's signature verifies    ("If none of the signatures verify … 403")
 *   409  old size ≠ recorded size, body `<recorded size>\n` as text/x.tlog.size
 *   422  the consistency proof does not verify
 *   409  old size = checkpoint size = recorded size but a different root hash: a fork. The spec
 *        says only "MUST respond with a 409 Conflict" here; the size body is defined for the
 *        old-size mismatch, so this one is text/plain. A client that reads 409 + x.tlog.size as
 *        "retry from that size" would otherwise loop forever on a split view.
 *   200  the cosignature line(s), after the new state is on disk
 */

import { type CosignatureSigner, cosign } from '../../platform/crypto/cosignature';
import {
  type Checkpoint,
  openNote,
  parseCheckpoint,
  SignedNoteError,
} from '../../platform/crypto/signed-note';
import { EMPTY_ROOT, verifyConsistency } from '../audit/merkle';
import { type AcceptedLog, verifiersFor } from './logs';
import {
  type AddCheckpointRequest,
  MalformedRequestError,
  noteOrigin,
  parseAddCheckpointRequest,
  TLOG_SIZE_CONTENT_TYPE,
} from './protocol';
import type { WitnessState } from './state';

export interface WitnessReply {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  contentType: string;
  body: string;
}

/** Where suspicious submissions go: a rejected proof signed by the log may be evidence. */
export interface WitnessLog {
  warn(details: object, message: string): void;
}

export interface WitnessOptions {
  signer: CosignatureSigner;
  logs: readonly AcceptedLog[];
  state: WitnessState;
  /** Milliseconds since the epoch; the cosignature carries it in seconds. */
  now?: () => number;
  log?: WitnessLog;
}

const TEXT = 'text/plain; charset=utf-8';

const reply = (status: WitnessReply['status'], body: string, contentType = TEXT): WitnessReply => ({
  status,
  contentType,
  body: body.endsWith('\n') ? body : `${body}\n`,
});

export class Witness {
  readonly #signer: CosignatureSigner;
  readonly #logs: readonly AcceptedLog[];
  readonly #state: WitnessState;
  readonly #now: () => number;
  readonly #log: WitnessLog | undefined;
  readonly #queue = new PerKeyQueue();

  constructor(options: WitnessOptions) {
    this.#signer = options.signer;
    this.#logs = options.logs;
    this.#state = options.state;
    this.#now = options.now ?? Date.now;
    this.#log = options.log;
  }

  /** The witness's `<name>+<id>+<key>`: what logs and auditors are given. */
  get verifierKey(): string {
    return this.#signer.verifier.verifierKey;
  }

  async addCheckpoint(body: Uint8Array): Promise<WitnessReply> {
    let request: AddCheckpointRequest;
    try {
      request = parseAddCheckpointRequest(body);
    } catch (error) {
      if (error instanceof MalformedRequestError) return reply(400, error.message);
      throw error;
    }
    const origin = noteOrigin(request.note);
    const verifiers = verifiersFor(this.#logs, origin);
    if (verifiers.length === 0) return reply(404, `unknown log ${JSON.stringify(origin)}`);

    let checkpoint: Checkpoint;
    let checkpointBody: string;
    try {
      checkpointBody = openNote(request.note, verifiers).body;
      checkpoint = parseCheckpoint(checkpointBody);
    } catch (error) {
      if (!(error instanceof SignedNoteError)) throw error;
      const malformed = error.code === 'MALFORMED_NOTE' || error.code === 'MALFORMED_CHECKPOINT';
      return reply(malformed ? 400 : 403, error.message);
    }
    if (request.oldSize > checkpoint.size) {
      return reply(400, `old size ${request.oldSize} is larger than the checkpoint size ${checkpoint.size}`);
    }
    if (checkpoint.size === 0 && !checkpoint.rootHash.equals(EMPTY_ROOT)) {
      return reply(400, 'the root hash of an empty tree is SHA-256 of the empty string');
    }
    // Check and record under one lock per origin: two requests from the same old size must not
    // both pass the check, or the second to persist would roll the first back (spec, "race").
    return this.#queue.run(origin, () => this.#advance(origin, request, checkpoint, checkpointBody));
  }

  async #advance(
    origin: string,
    request: AddCheckpointRequest,
    checkpoint: Checkpoint,
    checkpointBody: string,
  ): Promise<WitnessReply> {
    const recorded = this.#state.get(origin);
    const known = recorded ?? { size: 0, rootHash: EMPTY_ROOT };
    if (request.oldSize !== known.size) {
      return reply(409, `${known.size}\n`, TLOG_SIZE_CONTENT_TYPE);
    }
    // The signed note is what proves a misbehaving log signed two views; keep it with the proof.
    const evidence = {
      origin,
      oldSize: known.size,
      proof: request.proof.map((hash) => hash.toString('base64')),
      note: request.note.toString('utf8'),
    };
    if (checkpoint.size === known.size) {
      if (request.proof.length > 0) {
        return reply(422, 'the consistency proof between two trees of the same size is empty');
      }
      if (!checkpoint.rootHash.equals(known.rootHash)) {
        this.#log?.warn(evidence, 'witness: a different checkpoint at the size already cosigned');
        return reply(
          409,
          `a different checkpoint of size ${known.size} was already cosigned: the log forked`,
        );
      }
    } else if (
      !verifyConsistency(known.size, checkpoint.size, request.proof, known.rootHash, checkpoint.rootHash)
    ) {
      this.#log?.warn(evidence, 'witness: consistency proof does not verify');
      return reply(422, `the consistency proof from ${known.size} to ${checkpoint.size} does not verify`);
    }
    // Re-submitting the checkpoint already recorded is idempotent: cosign again, nothing to write.
    if (recorded === undefined || checkpoint.size !== recorded.size) {
      await this.#state.record(origin, { size: checkpoint.size, rootHash: checkpoint.rootHash });
    }
    return reply(200, cosign(checkpointBody, this.#signer, Math.floor(this.#now() / 1000)));
  }
}

/** Runs tasks one at a time per key; different keys do not wait for each other. */
class PerKeyQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    // Forget idle keys, so a witness for thousands of organizations does not keep one per log.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
