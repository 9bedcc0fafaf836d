import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  appendLeaf,
  consistencyProof,
  consistencyProofPlan,
  EMPTY_ROOT,
  type Frontier,
  frontierFor,
  HASH_SIZE,
  hashFromSubtrees,
  inclusionProof,
  inclusionProofPlan,
  isCompleteIn,
  leafHash,
  MerkleError,
  type NodeAddress,
  type NodeReader,
  nodeHash,
  type ProofPlan,
  resolveProof,
  rootFromFrontier,
  rootFromInclusionProof,
  type StoredNode,
  StreamingTree,
  subtreeAddresses,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// ---------------------------------------------------------------------------------------------
// Fixtures: RFC 6962 vectors from github.com/transparency-dev/merkle (see `_source` in the file).

interface UpstreamInclusionCase {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}

interface UpstreamConsistencyCase {
  file: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  wantErr: boolean;
}

interface GoNodeList {
  ids: [number, number][];
  rehash?: [number, number];
}

interface Vectors {
  leafInputs: string[];
  nodeHashes: string[][];
  rootHashes: string[];
  inclusionProofs: { leafIndex: number; treeSize: number; proof: string[] }[];
  consistencyProofs: { size1: number; size2: number; proof: string[] }[];
  upstreamCases: { inclusion: UpstreamInclusionCase[]; consistency: UpstreamConsistencyCase[] };
  proofNodes: {
    inclusion: (GoNodeList & { size: number; index: number })[];
    consistency: (GoNodeList & { size1: number; size2: number })[];
  };
}

const vectors = JSON.parse(
  readFileSync(new URL('./testdata/rfc6962-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

const hex = (value: string): Buffer => Buffer.from(value, 'hex');
const b64 = (value: string): Buffer => Buffer.from(value, 'base64');
const at = <T>(list: readonly T[], index: number): T => {
  const value = list[index];
  if (value === undefined) throw new Error(`no element ${index}`);
  return value;
};

const leaves = vectors.leafInputs.map((input) => leafHash(hex(input)));
const roots = vectors.rootHashes.map(hex);
const someHash = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

// ---------------------------------------------------------------------------------------------
// An in-memory node store built only through appendLeaf, and a reader that records what it is asked.

const key = (node: NodeAddress): string => `${node.level}:${node.index}`;

interface Store {
  nodes: Map<string, Buffer>;
  frontier: StoredNode[];
  size: number;
}

function buildStore(leafHashes: readonly Buffer[]): Store {
  const store: Store = { nodes: new Map(), frontier: [], size: 0 };
  for (const leaf of leafHashes) appendToStore(store, leaf);
  return store;
}

function appendToStore(store: Store, leaf: Buffer): StoredNode[] {
  const { frontier, created } = appendLeaf(store.frontier, store.size, leaf);
  for (const node of created) {
    expect(store.nodes.has(key(node))).toBe(false); // append-only: nothing is ever rewritten
    store.nodes.set(key(node), node.hash);
  }
  store.frontier = frontier;
  store.size++;
  return created;
}

interface RecordingReader {
  read: NodeReader;
  calls: NodeAddress[][];
}

/** Serves nodes of `store`, failing the test on any node that is not complete in `treeSize`. */
function readerFor(store: Store, treeSize: number): RecordingReader {
  const calls: NodeAddress[][] = [];
  const read: NodeReader = async (nodes) => {
    calls.push([...nodes]);
    return nodes.map((node) => {
      if (!isCompleteIn(node, treeSize))
        throw new Error(`asked for incomplete node ${key(node)} in ${treeSize}`);
      const hash = store.nodes.get(key(node));
      if (hash === undefined) throw new Error(`no stored node ${key(node)}`);
      return hash;
    });
  };
  return { read, calls };
}

// ---------------------------------------------------------------------------------------------
// Reference implementation: RFC 6962 §2.1 MTH, §2.1.1 PATH and §2.1.2 PROOF/SUBPROOF, written as
// literally as possible over the list of leaf hashes.

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function mth(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return EMPTY_ROOT;
  if (d.length === 1) return at(d, 0);
  const k = largestPowerOfTwoBelow(d.length);
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}

function path(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const k = largestPowerOfTwoBelow(d.length);
  return m < k
    ? [...path(m, d.slice(0, k)), mth(d.slice(k))]
    : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

function subproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = largestPowerOfTwoBelow(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

const rfcProof = (m: number, d: readonly Buffer[]): Buffer[] => subproof(m, d, true);

// ---------------------------------------------------------------------------------------------
// Deterministic randomness, so a failure reproduces.

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function randomLeaves(count: number, random: () => number): Buffer[] {
  return Array.from({ length: count }, (_, i) => leafHash(`entry ${i} ${random()}`));
}

const log2Ceil = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

// ---------------------------------------------------------------------------------------------
// Corruptions, ported from corruptInclusionProof / corruptConsistencyProof in proof/verify_test.go
// (only 32-byte substitutes here: wrong-size hashes are rejected before any hashing, tested apart).

function flipBit(hash: Buffer, mask: number): Buffer {
  const copy = Buffer.from(hash);
  copy[0] = (copy[0] ?? 0) ^ mask;
  return copy;
}

interface InclusionProbe {
  index: number;
  size: number;
  leaf: Buffer;
  proof: Buffer[];
  root: Buffer;
  desc: string;
}

function corruptInclusion(
  index: number,
  size: number,
  leaf: Buffer,
  proof: Buffer[],
  root: Buffer,
): InclusionProbe[] {
  const probes: InclusionProbe[] = [
    { index: index - 1, size, leaf, proof, root, desc: 'index - 1' },
    { index: index + 1, size, leaf, proof, root, desc: 'index + 1' },
    { index: index ^ 2, size, leaf, proof, root, desc: 'index ^ 2' },
    { index, size: size * 2, leaf, proof, root, desc: 'size * 2' },
    { index, size: Math.floor(size / 2), leaf, proof, root, desc: 'size / 2' },
    { index, size, leaf: leafHash('WrongLeaf'), proof, root, desc: 'wrong leaf' },
    { index, size, leaf, proof, root: EMPTY_ROOT, desc: 'empty root' },
    { index, size, leaf, proof, root: someHash, desc: 'random root' },
    { index, size, leaf, proof: [...proof, someHash], root, desc: 'trailing garbage' },
    { index, size, leaf, proof: [...proof, root], root, desc: 'trailing root' },
    { index, size, leaf, proof: [someHash, ...proof], root, desc: 'preceding garbage' },
    { index, size, leaf, proof: [root, ...proof], root, desc: 'preceding root' },
  ];
  proof.forEach((_, i) => {
    const wrong = proof.map((hash, j) => (j === i ? flipBit(hash, 8) : hash));
    probes.push({ index, size, leaf, proof: wrong, root, desc: `modified proof[${i}] bit 3` });
  });
  if (proof.length > 0)
    probes.push({ index, size, leaf, proof: proof.slice(0, -1), root, desc: 'removed component' });
  if (proof.length > 1) {
    const inserted = [at(proof, 0), someHash, ...proof.slice(1)];
    probes.push({ index, size, leaf, proof: inserted, root, desc: 'inserted component' });
  }
  return probes;
}

interface ConsistencyProbe {
  size1: number;
  size2: number;
  proof: Buffer[];
  root1: Buffer;
  root2: Buffer;
  desc: string;
}

function corruptConsistency(
  size1: number,
  size2: number,
  proof: Buffer[],
  root1: Buffer,
  root2: Buffer,
): ConsistencyProbe[] {
  const probes: ConsistencyProbe[] = [
    { size1: size1 - 1, size2, proof, root1, root2, desc: 'size1 - 1' },
    { size1: size1 + 1, size2, proof, root1, root2, desc: 'size1 + 1' },
    { size1: size1 ^ 2, size2, proof, root1, root2, desc: 'size1 ^ 2' },
    { size1, size2: size2 * 2, proof, root1, root2, desc: 'size2 * 2' },
    { size1, size2: Math.floor(size2 / 2), proof, root1, root2, desc: 'size2 / 2' },
    { size1, size2, proof, root1: someHash, root2, desc: 'wrong root1' },
    { size1, size2, proof, root1, root2: someHash, desc: 'wrong root2' },
    { size1, size2, proof, root1: root2, root2: root1, desc: 'swapped roots' },
    { size1, size2, proof: [], root1, root2, desc: 'empty proof' },
    { size1, size2, proof: [...proof, someHash], root1, root2, desc: 'trailing garbage' },
    { size1, size2, proof: [...proof, root1], root1, root2, desc: 'trailing root1' },
    { size1, size2, proof: [...proof, root2], root1, root2, desc: 'trailing root2' },
    { size1, size2, proof: [someHash, ...proof], root1, root2, desc: 'preceding garbage' },
    { size1, size2, proof: [root1, ...proof], root1, root2, desc: 'preceding root1' },
    { size1, size2, proof: [root2, ...proof], root1, root2, desc: 'preceding root2' },
    { size1, size2, proof: [at(proof, 0), ...proof], root1, root2, desc: 'preceding proof[0]' },
    { size1, size2, proof: proof.slice(0, -1), root1, root2, desc: 'truncated proof' },
  ];
  proof.forEach((_, i) => {
    const wrong = proof.map((hash, j) => (j === i ? flipBit(hash, 16) : hash));
    probes.push({ size1, size2, proof: wrong, root1, root2, desc: `modified proof[${i}] bit 4` });
  });
  return probes;
}

const acceptedInclusionProbes = (probes: InclusionProbe[]): string[] =>
  probes.filter((p) => verifyInclusion(p.index, p.size, p.leaf, p.proof, p.root)).map((p) => p.desc);

const acceptedConsistencyProbes = (probes: ConsistencyProbe[]): string[] =>
  probes.filter((p) => verifyConsistency(p.size1, p.size2, p.proof, p.root1, p.root2)).map((p) => p.desc);

// ---------------------------------------------------------------------------------------------

describe('RFC 6962 hashing', () => {
  it('hashes leaves with 0x00 and nodes with 0x01, per the test vectors', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(vectors.rootHashes[0]);
    expect(leaves.map((leaf) => leaf.toString('hex'))).toEqual(vectors.nodeHashes[0]);
    expect(nodeHash(at(leaves, 0), at(leaves, 1)).toString('hex')).toBe(at(at(vectors.nodeHashes, 1), 0));
    expect(leafHash('').equals(leafHash(Buffer.alloc(0)))).toBe(true);
    expect(leafHash('abc').equals(leafHash(Buffer.from('abc')))).toBe(true);
    expect(leafHash('abc')).toHaveLength(HASH_SIZE);
  });

  it('hashes a string leaf as its UTF-8 bytes, whatever characters it holds', () => {
    for (const text of ['é', '\u0000', '日本語 🔐', '\uD800']) {
      expect(leafHash(text).equals(leafHash(Buffer.from(text, 'utf8')))).toBe(true);
    }
  });

  it('the reference MTH reproduces every root of the vectors (the reference itself is right)', () => {
    for (let size = 0; size <= 8; size++) expect(mth(leaves.slice(0, size))).toEqual(at(roots, size));
  });
});

describe('subtreeAddresses / frontierFor', () => {
  it('decomposes ranges into maximal aligned complete subtrees, left to right', () => {
    expect(frontierFor(0)).toEqual([]);
    expect(frontierFor(1)).toEqual([{ level: 0, index: 0 }]);
    expect(frontierFor(7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(subtreeAddresses(3, 13)).toEqual([
      { level: 0, index: 3 },
      { level: 2, index: 1 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(subtreeAddresses(5, 11)).toEqual([
      { level: 0, index: 5 },
      { level: 1, index: 3 },
      { level: 1, index: 4 },
      { level: 0, index: 10 },
    ]);
    expect(subtreeAddresses(5, 5)).toEqual([]);
    expect(() => subtreeAddresses(6, 5)).toThrow(MerkleError);
    expect(() => subtreeAddresses(-1, 5)).toThrow(MerkleError);
    expect(() => frontierFor(1.5)).toThrow(MerkleError);
  });

  it('covers [lo, hi) exactly with aligned subtrees no pair of which could merge', () => {
    for (let lo = 0; lo <= 70; lo++) {
      for (let hi = lo; hi <= 70; hi++) {
        const nodes = subtreeAddresses(lo, hi);
        let cursor = lo;
        for (const node of nodes) {
          expect(node.index * 2 ** node.level).toBe(cursor);
          cursor += 2 ** node.level;
        }
        expect(cursor).toBe(hi);
        expect(nodes.length).toBeLessThanOrEqual(2 * log2Ceil(hi - lo + 1));
        nodes.forEach((node, i) => {
          const next = nodes[i + 1];
          const mergeable = next?.level === node.level && node.index % 2 === 0;
          expect(mergeable).toBe(false);
        });
      }
    }
  });

  it('works beyond 32 bits', () => {
    const size = 2 ** 40 + 2 ** 33 + 5;
    expect(frontierFor(size)).toEqual([
      { level: 40, index: 0 },
      { level: 33, index: 2 ** 7 },
      { level: 2, index: (2 ** 40 + 2 ** 33) / 4 },
      { level: 0, index: 2 ** 40 + 2 ** 33 + 4 },
    ]);
    expect(frontierFor(Number.MAX_SAFE_INTEGER)).toHaveLength(53);
  });
});

describe('appendLeaf / rootFromFrontier', () => {
  it('creates exactly the complete nodes of the vectors and the roots of every prefix', () => {
    const store: Store = { nodes: new Map(), frontier: [], size: 0 };
    expect(rootFromFrontier(store.frontier)).toEqual(EMPTY_ROOT);
    const createdPerAppend: string[][] = [];
    for (const leaf of leaves) {
      createdPerAppend.push(appendToStore(store, leaf).map(key));
      expect(rootFromFrontier(store.frontier)).toEqual(at(roots, store.size));
      // compact.Tree vectors (testonly.CompactTrees): the frontier is the list of subtree roots.
      expect(store.frontier.map(({ level, index }) => ({ level, index }))).toEqual(frontierFor(store.size));
    }
    expect(createdPerAppend).toEqual([
      ['0:0'],
      ['0:1', '1:0'],
      ['0:2'],
      ['0:3', '1:1', '2:0'],
      ['0:4'],
      ['0:5', '1:2'],
      ['0:6'],
      ['0:7', '1:3', '2:1', '3:0'],
    ]);
    vectors.nodeHashes.forEach((level, l) => {
      level.forEach((hash, i) => {
        expect(store.nodes.get(`${l}:${i}`)?.toString('hex')).toBe(hash);
      });
    });
    expect(store.nodes.size).toBe(15);
  });

  it('refuses a frontier that does not belong to the given size, and bad leaf hashes', () => {
    const store = buildStore(leaves.slice(0, 5));
    const leaf = at(leaves, 5);
    expect(() => appendLeaf(store.frontier, 6, leaf)).toThrow(MerkleError);
    expect(() => appendLeaf(store.frontier.slice(1), 5, leaf)).toThrow(MerkleError);
    const moved: Frontier = store.frontier.map((node) => ({ ...node, index: node.index + 1 }));
    expect(() => appendLeaf(moved, 5, leaf)).toThrow(MerkleError);
    const shortHash: Frontier = store.frontier.map((node) => ({ ...node, hash: node.hash.subarray(1) }));
    expect(() => appendLeaf(shortHash, 5, leaf)).toThrow(MerkleError);
    expect(() => appendLeaf(store.frontier, 5, Buffer.alloc(31))).toThrow(MerkleError);
    expect(() => appendLeaf([], -1, leaf)).toThrow(MerkleError);
    // The input frontier is not mutated.
    const before = store.frontier.map(key);
    appendLeaf(store.frontier, 5, leaf);
    expect(store.frontier.map(key)).toEqual(before);
  });
});

describe('StreamingTree', () => {
  it('matches the vector roots and the frontier of appendLeaf at every size', () => {
    const tree = new StreamingTree();
    expect(tree.size).toBe(0);
    expect(tree.root()).toEqual(EMPTY_ROOT);
    const store: Store = { nodes: new Map(), frontier: [], size: 0 };
    for (const leaf of leaves) {
      tree.push(leaf);
      appendToStore(store, leaf);
      expect(tree.root()).toEqual(at(roots, tree.size));
      expect(tree.frontier()).toEqual(store.frontier);
    }
    expect(() => tree.push(Buffer.alloc(20))).toThrow(MerkleError);
    expect(tree.size).toBe(8);
  });

  it('agrees with the RFC reference on random trees, and on a large one', () => {
    const random = prng(7);
    const data = randomLeaves(300, random);
    const tree = new StreamingTree();
    data.forEach((leaf, i) => {
      tree.push(leaf);
      expect(tree.root()).toEqual(mth(data.slice(0, i + 1)));
    });
    const big = randomLeaves(50_003, random);
    const bigTree = new StreamingTree();
    for (const leaf of big) bigTree.push(leaf);
    expect(bigTree.size).toBe(50_003);
    expect(bigTree.root()).toEqual(mth(big));
    expect(bigTree.frontier()).toHaveLength(frontierFor(50_003).length);
  });
});

describe('treeRoot', () => {
  it('gives the root of every prefix from the stored nodes of the full tree, in one read', async () => {
    const store = buildStore(leaves);
    expect(await treeRoot(0, readerFor(store, 0).read)).toEqual(EMPTY_ROOT);
    for (let size = 1; size <= 8; size++) {
      const reader = readerFor(store, size);
      expect(await treeRoot(size, reader.read)).toEqual(at(roots, size));
      expect(reader.calls).toHaveLength(1);
      expect(reader.calls[0]).toEqual(frontierFor(size));
    }
  });
});

describe('inclusion proofs', () => {
  const store = buildStore(leaves);

  it('generates exactly the vector proofs, which verify', async () => {
    for (const vector of vectors.inclusionProofs) {
      const expected = vector.proof.map(hex);
      const reader = readerFor(store, vector.treeSize);
      const proof = await inclusionProof(vector.leafIndex, vector.treeSize, reader.read);
      expect(proof).toEqual(expected);
      expect(reader.calls.length).toBeLessThanOrEqual(1);
      const root = at(roots, vector.treeSize);
      const leaf = at(leaves, vector.leafIndex);
      expect(rootFromInclusionProof(vector.leafIndex, vector.treeSize, leaf, proof)).toEqual(root);
      expect(verifyInclusion(vector.leafIndex, vector.treeSize, leaf, proof, root)).toBe(true);
    }
  });

  it('rejects every corruption of the vector proofs (verify_test.go probes)', () => {
    for (const vector of vectors.inclusionProofs) {
      const probes = corruptInclusion(
        vector.leafIndex,
        vector.treeSize,
        at(leaves, vector.leafIndex),
        vector.proof.map(hex),
        at(roots, vector.treeSize),
      );
      expect(acceptedInclusionProbes(probes)).toEqual([]);
    }
  });

  it('verifies every leaf of every prefix of the vector tree', async () => {
    for (let size = 1; size <= 8; size++) {
      for (let index = 0; index < size; index++) {
        const proof = await inclusionProof(index, size, readerFor(store, size).read);
        expect(proof).toEqual(path(index, leaves.slice(0, size)));
        expect(verifyInclusion(index, size, at(leaves, index), proof, at(roots, size))).toBe(true);
        expect(
          verifyInclusion(index, size, at(leaves, index), proof, at(roots, size === 8 ? 7 : size + 1)),
        ).toBe(false);
      }
    }
  });

  it('agrees with the upstream JSON cases', () => {
    for (const c of vectors.upstreamCases.inclusion) {
      const ok = verifyInclusion(
        c.leafIdx,
        c.treeSize,
        b64(c.leafHash),
        (c.proof ?? []).map(b64),
        b64(c.root),
      );
      expect({ file: c.file, ok }).toEqual({ file: c.file, ok: !c.wantErr });
    }
  });

  it('plans the same nodes as proof.Inclusion in proof_test.go', () => {
    for (const vector of vectors.proofNodes.inclusion) {
      expect(inclusionProofPlan(vector.index, vector.size)).toEqual(goNodesToPlan(vector));
    }
  });

  it('handles the edge cases of verify_test.go', () => {
    const single = leafHash('data');
    expect(verifyInclusion(0, 1, single, [], single)).toBe(true);
    expect(verifyInclusion(0, 1, single, [], Buffer.alloc(0))).toBe(false);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], single)).toBe(false);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], Buffer.alloc(0))).toBe(false);
    for (const [index, size] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [2, 1],
    ] as const) {
      expect(verifyInclusion(index, size, someHash, [], Buffer.alloc(0))).toBe(false);
      expect(verifyInclusion(index, size, Buffer.alloc(0), [], EMPTY_ROOT)).toBe(false);
      expect(verifyInclusion(index, size, someHash, [], EMPTY_ROOT)).toBe(false);
    }
    expect(verifyInclusion(-1, 8, at(leaves, 0), [], at(roots, 8))).toBe(false);
    expect(verifyInclusion(0.5, 8, at(leaves, 0), [], at(roots, 8))).toBe(false);
    const proof = vectors.inclusionProofs[1]?.proof.map(hex) ?? [];
    expect(verifyInclusion(0, 8, at(leaves, 0), [...proof.slice(0, 2), Buffer.alloc(0)], at(roots, 8))).toBe(
      false,
    );
    expect(() => rootFromInclusionProof(8, 8, at(leaves, 0), proof)).toThrow(/not in a tree/);
    expect(() => rootFromInclusionProof(0, 8, at(leaves, 0), proof.slice(1))).toThrow(/has 2 hashes, want 3/);
  });

  it('refuses to plan proofs for leaves outside the tree', async () => {
    const read = readerFor(store, 8).read;
    await expect(inclusionProof(0, 0, read)).rejects.toThrow(MerkleError);
    await expect(inclusionProof(8, 8, read)).rejects.toThrow(MerkleError);
    await expect(inclusionProof(9, 7, read)).rejects.toThrow(MerkleError);
    await expect(inclusionProof(-1, 7, read)).rejects.toThrow(MerkleError);
  });
});

describe('consistency proofs', () => {
  const store = buildStore(leaves);

  it('generates exactly the vector proofs, which verify', async () => {
    for (const vector of vectors.consistencyProofs) {
      const expected = vector.proof.map(hex);
      const proof = await consistencyProof(vector.size1, vector.size2, readerFor(store, vector.size2).read);
      expect(proof).toEqual(expected);
      expect(
        verifyConsistency(
          vector.size1,
          vector.size2,
          proof,
          at(roots, vector.size1),
          at(roots, vector.size2),
        ),
      ).toBe(true);
    }
  });

  it('rejects every corruption of the non-trivial vector proofs (verify_test.go probes)', () => {
    for (const vector of vectors.consistencyProofs.filter((v) => v.proof.length > 0)) {
      const probes = corruptConsistency(
        vector.size1,
        vector.size2,
        vector.proof.map(hex),
        at(roots, vector.size1),
        at(roots, vector.size2),
      );
      expect(acceptedConsistencyProbes(probes)).toEqual([]);
    }
  });

  it('proves every pair of prefix sizes of the vector tree', async () => {
    for (let size2 = 1; size2 <= 8; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        const proof = await consistencyProof(size1, size2, readerFor(store, size2).read);
        const expected = size1 === 0 ? [] : rfcProof(size1, leaves.slice(0, size2));
        expect(proof).toEqual(expected);
        expect(verifyConsistency(size1, size2, proof, at(roots, size1), at(roots, size2))).toBe(true);
      }
    }
  });

  it('agrees with the upstream JSON cases', () => {
    for (const c of vectors.upstreamCases.consistency) {
      const ok = verifyConsistency(c.size1, c.size2, (c.proof ?? []).map(b64), b64(c.root1), b64(c.root2));
      expect({ file: c.file, ok }).toEqual({ file: c.file, ok: !c.wantErr });
    }
  });

  it('plans the same nodes as proof.Consistency in proof_test.go', () => {
    for (const vector of vectors.proofNodes.consistency) {
      expect(consistencyProofPlan(vector.size1, vector.size2)).toEqual(goNodesToPlan(vector));
    }
  });

  it('handles the edge cases of TestVerifyConsistency in verify_test.go', () => {
    const root1 = leafHash("don't care 1");
    const root2 = leafHash("don't care 2");
    const nonEmpty = [EMPTY_ROOT];
    const cases: [number, number, Buffer, Buffer, Buffer[], boolean][] = [
      [0, 0, root1, root2, [], false],
      [1, 1, root1, root2, [], false],
      // Sizes that are always consistent.
      [0, 0, root1, root1, [], true],
      [0, 1, root1, root2, [], true],
      [1, 1, root2, root2, [], true],
      // Time travel to the past.
      [1, 0, root1, root2, [], false],
      [2, 1, root1, root2, [], false],
      // Empty proof.
      [1, 2, root1, root2, [], false],
      // Roots don't match.
      [0, 0, EMPTY_ROOT, root2, [], false],
      [1, 1, EMPTY_ROOT, root2, [], false],
      // Roots match but the proof is not empty.
      [0, 0, EMPTY_ROOT, EMPTY_ROOT, nonEmpty, false],
      [0, 1, EMPTY_ROOT, EMPTY_ROOT, nonEmpty, false],
      [1, 1, EMPTY_ROOT, EMPTY_ROOT, nonEmpty, false],
    ];
    for (const [size1, size2, r1, r2, proof, want] of cases) {
      expect({ size1, size2, ok: verifyConsistency(size1, size2, proof, r1, r2) }).toEqual({
        size1,
        size2,
        ok: want,
      });
    }
    // Stricter than Go on one point: roots must be 32-byte hashes even when the sizes are equal.
    expect(verifyConsistency(3, 3, [], Buffer.from('short'), Buffer.from('short'))).toBe(false);
    expect(verifyConsistency(-1, 3, [], root1, root2)).toBe(false);
    const proof = vectors.consistencyProofs[2]?.proof.map(hex) ?? [];
    expect(verifyConsistency(6, 8, [...proof.slice(0, 2), Buffer.alloc(0)], at(roots, 6), at(roots, 8))).toBe(
      false,
    );
  });

  it('refuses to plan a proof from a bigger tree to a smaller one', async () => {
    await expect(consistencyProof(5, 4, readerFor(store, 8).read)).rejects.toThrow(/tree size 5 > 4/);
    expect(() => consistencyProofPlan(0, 0)).not.toThrow();
  });
});

/** Go's Nodes{IDs, begin, end} → our plan: the IDs in [begin, end) fold into one element. */
function goNodesToPlan(nodes: GoNodeList): ProofPlan {
  const ids = nodes.ids.map(([level, index]) => ({ level, index }));
  const [begin, end] = nodes.rehash ?? [0, 0];
  if (begin === end) return ids.map((id) => [id]);
  // Go lists an ephemeral node's parts lowest level first; ours go left to right.
  const ephemeral = ids.slice(begin, end).reverse();
  return [...ids.slice(0, begin).map((id) => [id]), ephemeral, ...ids.slice(end).map((id) => [id])];
}

describe('random trees against the RFC 6962 reference', () => {
  const random = prng(42);
  const data = randomLeaves(300, random);
  const store = buildStore(data);
  const sizes = [
    1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 255, 256, 257, 299,
    300,
  ];
  const pick = (n: number): number => Math.floor(random() * n);

  it('inclusion proofs equal PATH(m, D[n]), verify, and read O(log n) complete nodes once', async () => {
    let checked = 0;
    for (const size of sizes) {
      const tree = data.slice(0, size);
      const root = mth(tree);
      const indices = new Set([0, size - 1, Math.floor(size / 2), pick(size), pick(size), pick(size)]);
      for (const index of indices) {
        const reader = readerFor(store, size);
        const proof = await inclusionProof(index, size, reader.read);
        expect(proof).toEqual(path(index, tree));
        expect(verifyInclusion(index, size, at(tree, index), proof, root)).toBe(true);
        expect(acceptedInclusionProbes(corruptInclusion(index, size, at(tree, index), proof, root))).toEqual(
          [],
        );
        expect(reader.calls.length).toBeLessThanOrEqual(1);
        expect(reader.calls.flat().length).toBeLessThanOrEqual(2 * log2Ceil(size));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('consistency proofs equal PROOF(m, D[n]), verify, and read O(log n) complete nodes once', async () => {
    let checked = 0;
    for (const size2 of sizes) {
      const tree = data.slice(0, size2);
      const root2 = mth(tree);
      const firsts = new Set([1, size2, size2 - 1, Math.floor(size2 / 2), pick(size2) + 1, pick(size2) + 1]);
      for (const size1 of firsts) {
        if (size1 < 1) continue;
        const root1 = mth(tree.slice(0, size1));
        const reader = readerFor(store, size2);
        const proof = await consistencyProof(size1, size2, reader.read);
        expect(proof).toEqual(rfcProof(size1, tree));
        expect(verifyConsistency(size1, size2, proof, root1, root2)).toBe(true);
        if (proof.length > 0) {
          expect(acceptedConsistencyProbes(corruptConsistency(size1, size2, proof, root1, root2))).toEqual(
            [],
          );
        }
        expect(reader.calls.length).toBeLessThanOrEqual(1);
        expect(reader.calls.flat().length).toBeLessThanOrEqual(2 * log2Ceil(size2) + 1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('every (index, size) and (size1, size2) up to 64 matches the reference', async () => {
    for (let size = 1; size <= 64; size++) {
      const tree = data.slice(0, size);
      for (let m = 0; m < size; m++) {
        expect(await inclusionProof(m, size, readerFor(store, size).read)).toEqual(path(m, tree));
        expect(await consistencyProof(m + 1, size, readerFor(store, size).read)).toEqual(
          rfcProof(m + 1, tree),
        );
      }
    }
  });
});

describe('sizes beyond 32 bits', () => {
  // A tree whose leaves are all equal has one hash per level, so any stored node is O(1) to serve
  // and the reference root is cheap: exercises the 53-bit arithmetic without 2^40 leaves.
  const leaf = leafHash('same');
  const levelHashes: Buffer[] = [leaf];
  for (let level = 1; level <= 53; level++) {
    const below = at(levelHashes, level - 1);
    levelHashes.push(nodeHash(below, below));
  }
  const referenceRoot = (size: number): Buffer =>
    hashFromSubtrees(frontierFor(size).map((node) => at(levelHashes, node.level)));
  const uniformReader =
    (treeSize: number): NodeReader =>
    async (nodes) =>
      nodes.map((node) => {
        if (!isCompleteIn(node, treeSize)) throw new Error(`incomplete node ${key(node)} in ${treeSize}`);
        return at(levelHashes, node.level);
      });

  it('matches the recursive definition on the uniform tree for small sizes', () => {
    for (let size = 1; size <= 40; size++) {
      expect(referenceRoot(size)).toEqual(mth(Array.from({ length: size }, () => leaf)));
    }
  });

  it('builds and verifies proofs for trees of about 2^40 and 2^52 leaves', async () => {
    const cases: [number, number][] = [
      [2 ** 40 + 12_345, 2 ** 41 + 7],
      [2 ** 32, 2 ** 32 + 1],
      [2 ** 32 - 1, 2 ** 33 - 1],
      [2 ** 52 - 3, 2 ** 52 + 2 ** 35 + 9],
      [Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER],
    ];
    for (const [size1, size2] of cases) {
      const read = uniformReader(size2);
      const root1 = referenceRoot(size1);
      const root2 = referenceRoot(size2);
      expect(await treeRoot(size2, read)).toEqual(root2);
      for (const index of [0, size1 - 1, size2 - 1, Math.floor(size2 / 3)]) {
        const proof = await inclusionProof(index, size2, read);
        expect(verifyInclusion(index, size2, leaf, proof, root2)).toBe(true);
        expect(verifyInclusion(index, size2, leaf, proof, root1)).toBe(false);
      }
      const proof = await consistencyProof(size1, size2, read);
      expect(verifyConsistency(size1, size2, proof, root1, root2)).toBe(true);
      expect(verifyConsistency(size1, size2, proof, root2, root1)).toBe(false);
    }
  });
});

describe('resolveProof', () => {
  const store = buildStore(leaves);

  it('never reads when the plan is empty', async () => {
    const reader = readerFor(store, 8);
    expect(await resolveProof([], 8, reader.read)).toEqual([]);
    expect(await consistencyProof(8, 8, reader.read)).toEqual([]);
    expect(await consistencyProof(0, 8, reader.read)).toEqual([]);
    expect(reader.calls).toEqual([]);
  });

  it('refuses plans with incomplete nodes and readers that answer wrongly', async () => {
    const read = readerFor(store, 8).read;
    await expect(resolveProof([[{ level: 1, index: 3 }]], 7, read)).rejects.toThrow(/not complete/);
    const tooFew: NodeReader = async () => [];
    await expect(inclusionProof(0, 8, tooFew)).rejects.toThrow(/node reader returned 0 hashes for 3/);
    const shortHashes: NodeReader = async (nodes) => nodes.map(() => Buffer.alloc(16));
    await expect(treeRoot(8, shortHashes)).rejects.toThrow(MerkleError);
  });
});
