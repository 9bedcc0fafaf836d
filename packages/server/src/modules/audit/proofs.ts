import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { badRequest } from '../../platform/http/errors';
import { consistencyProof, inclusionProof, type NodeReader, treeRoot, verifyInclusion } from './merkle';
import * as store from './store';

const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));

/** Proofs from stored node hashes: O(log n) reads each, never a scan of the events. */
export function createProofs(db: Kysely<DB>) {
  const reader =
    (logId: string): NodeReader =>
    (nodes) =>
      store.readNodes(db, logId, [...nodes]);

  async function assertSize(logId: string, treeSize: number): Promise<void> {
    const size = await store.logSize(db, logId);
    if (treeSize > size) {
      throw badRequest(
        'AUDIT_TREE_SIZE_INVALID',
        `The log has ${size} events; tree size ${treeSize} does not exist yet.`,
      );
    }
  }

  return {
    reader,
    async inclusion(logId: string, leafIndex: number, treeSize: number, leafHash: string) {
      if (leafIndex >= treeSize) {
        throw badRequest(
          'AUDIT_TREE_SIZE_INVALID',
          `Event ${leafIndex + 1} is not inside a tree of size ${treeSize}.`,
        );
      }
      await assertSize(logId, treeSize);
      const read = reader(logId);
      const [proof, root] = await Promise.all([
        inclusionProof(leafIndex, treeSize, read),
        treeRoot(treeSize, read),
      ]);
      const verified = verifyInclusion(leafIndex, treeSize, Buffer.from(leafHash, 'hex'), proof, root);
      return { proof: hex(proof), root: root.toString('hex'), verified };
    },
    async consistency(logId: string, from: number, to: number) {
      if (from > to) throw badRequest('AUDIT_TREE_SIZE_INVALID', '`from` must not be larger than `to`.');
      await assertSize(logId, to);
      const read = reader(logId);
      const [proof, fromRoot, toRoot] = await Promise.all([
        consistencyProof(from, to, read),
        treeRoot(from, read),
        treeRoot(to, read),
      ]);
      return { proof: hex(proof), fromRoot: fromRoot.toString('hex'), toRoot: toRoot.toString('hex') };
    },
  };
}

export type Proofs = ReturnType<typeof createProofs>;
