import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditWitnessConfig } from '../../config';
import { nowIso } from '../../platform/clock';
import {
  addCosignatures,
  type CosignatureVerifier,
  parseWitnessVerifierKey,
  verifyCosignatures,
} from '../../platform/crypto/cosignature';
import type { DB } from '../../platform/db/schema';
import { type FetchLike, submitToWitness } from '../witness/client';
import type { Checkpoint, Checkpoints } from './checkpoints';
import * as cpStore from './checkpoints-store';
import { consistencyProof } from './merkle';
import * as store from './store';

interface Witness {
  url: string;
  verifier: CosignatureVerifier;
}

export interface WitnessingDeps {
  db: Kysely<DB>;
  checkpoints: Checkpoints;
  witnesses: readonly AuditWitnessConfig[];
  log: Logger;
  fetch?: FetchLike;
}

/**
 * Sends every new checkpoint to the configured C2SP tlog-witnesses, each with a consistency proof
 * from the size that witness last co-signed for the log, and stores the co-signatures that verify.
 * A witness refuses a checkpoint that does not extend what it saw, so a history rewritten in the
 * database cannot gather co-signatures even if the signer were fooled. One submission at a time
 * per witness and log; a failure is logged and retried with the next checkpoint.
 */
export function createWitnessing(deps: WitnessingDeps) {
  const { db, checkpoints, log } = deps;
  const witnesses: Witness[] = deps.witnesses.map((w) => ({
    url: w.url,
    verifier: parseWitnessVerifierKey(w.verifierKey),
  }));
  const lanes = new Map<string, Promise<void>>();

  const witnessSize = (witness: Witness, logId: string) =>
    cpStore.witnessSize(db, witness.verifier.name, logId);
  const rememberSize = (witness: Witness, logId: string, size: number) =>
    cpStore.rememberWitnessSize(db, witness.verifier.name, logId, size, nowIso());

  async function proofFrom(logId: string, oldSize: number, size: number): Promise<Buffer[]> {
    if (oldSize === 0 || oldSize === size) return [];
    return consistencyProof(oldSize, size, (nodes) => store.readNodes(db, logId, [...nodes]));
  }

  /** Submits once, and once more from the witness' own size if it answers with another (409). */
  async function submit(witness: Witness, logId: string, checkpoint: Checkpoint): Promise<void> {
    let oldSize = await witnessSize(witness, logId);
    if (oldSize > checkpoint.treeSize) return; // it already co-signed a later checkpoint
    for (let attempt = 0; attempt < 2; attempt++) {
      const proof = await proofFrom(logId, oldSize, checkpoint.treeSize);
      const answer = await submitToWitness(
        witness.url,
        { oldSize, proof, note: checkpoint.note },
        deps.fetch,
      );
      if (answer.kind === 'conflict') {
        if (answer.size > checkpoint.treeSize) return;
        oldSize = answer.size;
        continue;
      }
      if (answer.kind === 'refused') {
        log.warn(
          { witness: witness.verifier.name, logId, treeSize: checkpoint.treeSize, status: answer.status },
          `audit witness refused the checkpoint: ${answer.message}`,
        );
        return;
      }
      const cosigned = addCosignatures(checkpoint.note, answer.lines);
      const { verified } = verifyCosignatures(cosigned, [witness.verifier]);
      if (verified.length === 0) {
        log.warn(
          { witness: witness.verifier.name, logId },
          'audit witness answered without its co-signature',
        );
        return;
      }
      const own = answer.lines.filter((line) => line.startsWith(`\u2014 ${witness.verifier.name} `));
      await checkpoints.addCosignatures(logId, checkpoint.treeSize, own);
      await rememberSize(witness, logId, checkpoint.treeSize);
      return;
    }
  }

  function enqueue(witness: Witness, logId: string, checkpoint: Checkpoint): Promise<void> {
    const key = `${witness.verifier.name}\u0000${logId}`;
    const next = (lanes.get(key) ?? Promise.resolve())
      .then(() => submit(witness, logId, checkpoint))
      .catch((error: unknown) =>
        log.warn({ err: error, witness: witness.verifier.name, logId }, 'audit witness unreachable'),
      );
    lanes.set(key, next);
    void next.finally(() => {
      if (lanes.get(key) === next) lanes.delete(key);
    });
    return next;
  }

  return {
    enabled: witnesses.length > 0,
    /** Sends the checkpoint to every witness; resolves when each has answered (or failed). */
    async witness(logId: string, checkpoint: Checkpoint): Promise<void> {
      await Promise.all(witnesses.map((w) => enqueue(w, logId, checkpoint)));
    },
    /**
     * Waits (at most `timeoutMs`) for the submissions of one log started so far, so an export can
     * carry the co-signatures of the checkpoint it just had signed.
     */
    async settled(logId: string, timeoutMs = 5_000): Promise<void> {
      const pending = [...lanes.entries()]
        .filter(([key]) => key.endsWith(`\u0000${logId}`))
        .map(([, p]) => p);
      if (pending.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all(pending), timeout]);
      clearTimeout(timer);
    },
    /** Resolves once every submission started so far is done (tests, shutdown). */
    async idle(): Promise<void> {
      while (lanes.size > 0) await Promise.all(lanes.values());
    },
  };
}

export type Witnessing = ReturnType<typeof createWitnessing>;
