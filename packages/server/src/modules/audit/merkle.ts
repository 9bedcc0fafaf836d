/**
 * RFC 6962 Merkle tree hashing for the audit log, in the "stored hashes" layout of transparency
 * logs (golang.org/x/mod/sumdb/tlog, transparency-dev/merkle): every node that is *complete* — the
 * root of a full, aligned subtree — is stored once, addressed by (level, index), and never changes.
 * Nodes on the incomplete right edge of the tree are never stored; whenever one is needed it is
 * recomputed from the complete subtrees that cover the same leaves.
 *
 * Node (L, i) is the root of the complete subtree over leaves [i·2^L, (i+1)·2^L); level 0 holds the
 * leaf hashes. A tree of size n has stored every node with (i+1)·2^L ≤ n.
 *
 * Everything here is pure: the store supplies node hashes through a batch `NodeReader`, and every
 * proof is planned up front (O(log n) addresses), read with one call, then folded.
 *
 * Sizes and indices are JavaScript numbers, valid up to Number.MAX_SAFE_INTEGER; the bit helpers
 * below work on the full 53 bits rather than on the 32 bits of JavaScript's bitwise operators.
 */
import { createHash, hash } from 'node:crypto';

/** SHA-256 output size; every leaf, node and root hash has this length. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);

/** MTH({}) = SHA-256 of the empty string (RFC 6962 §2.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/**
 * The one leaf hash of the audit log (RFC 6962): SHA-256(0x00 ‖ data), a string taken as UTF-8. The
 * prefix keeps leaves and interior nodes from colliding. One-shot hashing skips a Hash object per
 * leaf, which counts when a verifier hashes every body of an export; U+0000 is the single byte 0x00
 * in UTF-8, so a string needs no Buffer to be prefixed.
 */
export function leafHash(data: Buffer | string): Buffer {
  const input = typeof data === 'string' ? `\u0000${data}` : Buffer.concat([LEAF_PREFIX, data]);
  return hash('sha256', input, 'buffer');
}

const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/**
 * Interior node hash: SHA-256(0x01 ‖ left ‖ right). One-shot hashing of a reused 65-byte buffer:
 * verifiers compute a million of these, and a streaming Hash object costs ~1.5× as much.
 */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 1 + HASH_SIZE);
  return hash('sha256', nodeInput, 'buffer');
}

/** The complete subtree over leaves [index·2^level, (index+1)·2^level). */
export interface NodeAddress {
  level: number;
  index: number;
}

/** A complete node with its hash: what a store inserts and reads back. */
export interface StoredNode extends NodeAddress {
  hash: Buffer;
}

/**
 * The roots of the complete subtrees that make up a tree: one per set bit of its size, largest
 * (leftmost) first. The frontier is all a writer needs to append, and all a reader needs for the root.
 */
export type Frontier = readonly StoredNode[];

/** Batch read of stored node hashes, returned in the order asked. */
export type NodeReader = (nodes: readonly NodeAddress[]) => Promise<Buffer[]>;

/**
 * What a proof is made of, before any hash is read: one entry per proof element. An entry with a
 * single address is that stored node; an entry with several is an ephemeral node on the right edge
 * of the tree, rebuilt from the complete subtrees that cover it (listed left to right).
 */
export type ProofPlan = readonly (readonly NodeAddress[])[];

/** Raised for arguments no proof or append can be built from (bad sizes, a frontier that does not fit). */
export class MerkleError extends Error {
  override name = 'MerkleError';
}

// ---------------------------------------------------------------------------------------------
// 53-bit integer helpers. Sizes can exceed 2^32, where `>>`, `^` and friends would silently wrap.

const TWO_32 = 2 ** 32;

const high32 = (n: number): number => Math.floor(n / TWO_32);
const low32 = (n: number): number => n % TWO_32;

/** n >> k for a non-negative safe integer. Division by a power of two is exact in floating point. */
const shiftRight = (n: number, k: number): number => Math.floor(n / 2 ** k);

/** n << k; exact while the result stays a safe integer, which callers guarantee. */
const shiftLeft = (n: number, k: number): number => n * 2 ** k;

function xor(a: number, b: number): number {
  return ((high32(a) ^ high32(b)) >>> 0) * TWO_32 + ((low32(a) ^ low32(b)) >>> 0);
}

/** Number of bits needed to write n (Go's bits.Len64). */
function bitLength(n: number): number {
  const high = high32(n);
  return high > 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(low32(n));
}

function trailingZeros32(n: number): number {
  return n === 0 ? 32 : 31 - Math.clz32(n & -n);
}

/** Trailing zero bits of a positive n (Go's bits.TrailingZeros64). */
function trailingZeros(n: number): number {
  const low = low32(n);
  return low !== 0 ? trailingZeros32(low) : 32 + trailingZeros32(high32(n));
}

function popCount32(n: number): number {
  let count = 0;
  for (let v = n >>> 0; v !== 0; v &= v - 1) count++;
  return count;
}

/** Number of set bits (Go's bits.OnesCount64). */
function popCount(n: number): number {
  return popCount32(high32(n)) + popCount32(low32(n));
}

const isOdd = (n: number): boolean => n % 2 === 1;

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MerkleError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

function isValidCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: Buffer): boolean {
  return Buffer.isBuffer(value) && value.length === HASH_SIZE;
}

// ---------------------------------------------------------------------------------------------
// Addresses.

/** Whether the node is complete (stored) in a tree of `treeSize` leaves: (i+1)·2^L ≤ treeSize. */
export function isCompleteIn(node: NodeAddress, treeSize: number): boolean {
  return shiftLeft(node.index + 1, node.level) <= treeSize;
}

/**
 * The decomposition of the leaf range [lo, hi) into maximal aligned complete subtrees, left to
 * right (compact.RangeNodes in transparency-dev/merkle). Sizes rise then fall along the range;
 * there are at most 2·log2(hi − lo) of them.
 */
export function subtreeAddresses(lo: number, hi: number): NodeAddress[] {
  assertCount('lo', lo);
  assertCount('hi', hi);
  if (lo > hi) throw new MerkleError(`empty range [${lo}, ${hi})`);
  const nodes: NodeAddress[] = [];
  let start = lo;
  while (start < hi) {
    // The biggest subtree starting at `start` is limited by its alignment and by the room left.
    const byRoom = bitLength(hi - start) - 1;
    const level = start === 0 ? byRoom : Math.min(trailingZeros(start), byRoom);
    nodes.push({ level, index: shiftRight(start, level) });
    start += 2 ** level;
  }
  return nodes;
}

/** The addresses of the frontier of a tree of `treeSize` leaves: what a store loads to append. */
export function frontierFor(treeSize: number): NodeAddress[] {
  return subtreeAddresses(0, treeSize);
}

/**
 * The hash of a leaf range from the hashes of its subtree decomposition (left to right): fold from
 * the right, r = H(h[i], r). This is exactly MTH of the range when it starts on a boundary aligned
 * to the next power of two above its length — the whole tree, or an ephemeral right-edge node.
 */
export function hashFromSubtrees(hashes: readonly Buffer[]): Buffer {
  let index = hashes.length - 1;
  const last = hashes[index];
  if (last === undefined) return EMPTY_ROOT;
  let result = last;
  for (index--; index >= 0; index--) {
    result = nodeHash(hashes[index] as Buffer, result);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Appending.

function assertFrontierFits(frontier: Frontier, size: number): void {
  const expected = frontierFor(size);
  const fits =
    frontier.length === expected.length &&
    expected.every((address, i) => {
      const node = frontier[i];
      return node?.level === address.level && node.index === address.index && isHash(node.hash);
    });
  if (!fits) throw new MerkleError(`frontier does not match a tree of size ${size}`);
}

/**
 * Appends one leaf hash to a tree of `size` leaves given its frontier. Returns the new frontier and
 * every node that became complete — the leaf itself at level 0, then each interior node it
 * finished, bottom-up — so the caller can insert exactly those rows. Nothing is ever updated.
 */
export function appendLeaf(
  frontier: Frontier,
  size: number,
  leaf: Buffer,
): { frontier: StoredNode[]; created: StoredNode[] } {
  assertCount('size', size);
  if (!isHash(leaf)) throw new MerkleError(`leaf hash must be ${HASH_SIZE} bytes`);
  assertFrontierFits(frontier, size);

  const next = frontier.slice();
  let node: StoredNode = { level: 0, index: size, hash: leaf };
  const created: StoredNode[] = [node];
  // Each trailing 1 bit of `size` is a same-level subtree waiting on its right sibling.
  for (let left = next.at(-1); left !== undefined && left.level === node.level; left = next.at(-1)) {
    next.pop();
    node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
    created.push(node);
  }
  next.push(node);
  return { frontier: next, created };
}

/** RFC 6962 MTH of the tree whose frontier this is. */
export function rootFromFrontier(frontier: Frontier): Buffer {
  return hashFromSubtrees(frontier.map((node) => node.hash));
}

/**
 * Constant-memory root builder for verifiers that replay a whole log: keeps one hash per set bit
 * of the size (≤ 53), so a million leaves cost a million pushes and ~20 live buffers.
 */
export class StreamingTree {
  readonly #stack: Buffer[] = [];
  #size = 0;

  /** Leaves pushed so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends the next leaf hash (already SHA-256(0x00 ‖ data)). */
  push(leaf: Buffer): void {
    if (!isHash(leaf)) throw new MerkleError(`leaf hash must be ${HASH_SIZE} bytes`);
    let hash = leaf;
    for (let pending = this.#size; isOdd(pending); pending = (pending - 1) / 2) {
      hash = nodeHash(this.#stack.pop() as Buffer, hash);
    }
    this.#stack.push(hash);
    this.#size++;
  }

  /**
   * `push`, answering the interior nodes the leaf completed, bottom-up (level 1 first): what a
   * verifier compares with the nodes a server stored and serves proofs from.
   */
  pushWithNodes(leaf: Buffer): Buffer[] {
    if (!isHash(leaf)) throw new MerkleError(`leaf hash must be ${HASH_SIZE} bytes`);
    const completed: Buffer[] = [];
    let hash = leaf;
    for (let pending = this.#size; isOdd(pending); pending = (pending - 1) / 2) {
      hash = nodeHash(this.#stack.pop() as Buffer, hash);
      completed.push(hash);
    }
    this.#stack.push(hash);
    this.#size++;
    return completed;
  }

  /** MTH of the leaves pushed so far. */
  root(): Buffer {
    return hashFromSubtrees(this.#stack);
  }

  /** The current frontier, e.g. to hand over to `appendLeaf`. */
  frontier(): StoredNode[] {
    return frontierFor(this.#size).map((address, i) => ({ ...address, hash: this.#stack[i] as Buffer }));
  }
}

// ---------------------------------------------------------------------------------------------
// Proof planning: which stored nodes make up a proof. Mirrors proof.nodes in transparency-dev/merkle.

/**
 * The proof that node (level, index) is part of a tree of `size` leaves: its siblings up to the
 * `fork` (where its path leaves the path to the right edge), then the ephemeral sibling of the
 * fork (if the tree is incomplete there), then the complete subtrees to the left of the fork, from
 * the lowest level up. The first element is the node itself; callers drop it when it is known.
 */
function pathToRoot(level: number, index: number, size: number): NodeAddress[][] {
  const inner = bitLength(xor(index, shiftRight(size, level))) - 1;
  const forkLevel = level + inner;
  const forkStart = shiftLeft(shiftRight(index, inner), forkLevel);
  const forkEnd = forkStart + 2 ** forkLevel;

  const plan: NodeAddress[][] = [[{ level, index }]];
  for (let l = level, i = index; l < forkLevel; l++, i = Math.floor(i / 2)) {
    plan.push([{ level: l, index: isOdd(i) ? i - 1 : i + 1 }]);
  }
  if (forkEnd < size) plan.push(subtreeAddresses(forkEnd, size));
  for (const node of subtreeAddresses(0, forkStart).reverse()) plan.push([node]);
  return plan;
}

/** The stored nodes of the inclusion proof of leaf `index` in a tree of `treeSize` leaves. */
export function inclusionProofPlan(index: number, treeSize: number): ProofPlan {
  assertCount('index', index);
  assertCount('treeSize', treeSize);
  if (index >= treeSize) throw new MerkleError(`leaf ${index} is not in a tree of size ${treeSize}`);
  return pathToRoot(0, index, treeSize).slice(1);
}

/**
 * The stored nodes of the consistency proof from `size1` to `size2` (RFC 9162 §2.1.4.1): the
 * inclusion path, in the bigger tree, of the last complete subtree of the smaller one — preceded by
 * that subtree's own root unless it is the whole smaller tree (the verifier already has it).
 * Empty when size1 is 0 or equals size2: nothing needs proving.
 */
export function consistencyProofPlan(size1: number, size2: number): ProofPlan {
  assertCount('size1', size1);
  assertCount('size2', size2);
  if (size1 > size2) throw new MerkleError(`tree size ${size1} > ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  const level = trailingZeros(size1);
  const plan = pathToRoot(level, shiftRight(size1 - 1, level), size2);
  const size1IsPowerOfTwo = popCount(size1) === 1;
  return size1IsPowerOfTwo ? plan.slice(1) : plan;
}

/**
 * Reads every node of a plan with one reader call and folds each element. Refuses to ask for a
 * node that is not complete in `treeSize`: such a node is never stored, and asking for it would
 * mean a bug in the plan rather than a missing row.
 */
export async function resolveProof(plan: ProofPlan, treeSize: number, read: NodeReader): Promise<Buffer[]> {
  const addresses = plan.flat();
  for (const node of addresses) {
    if (!isCompleteIn(node, treeSize)) {
      throw new MerkleError(
        `node (${node.level}, ${node.index}) is not complete in a tree of size ${treeSize}`,
      );
    }
  }
  const hashes = addresses.length === 0 ? [] : await readExactly(addresses, read);
  let next = 0;
  return plan.map((element) => {
    const start = next;
    next += element.length;
    return hashFromSubtrees(hashes.slice(start, next));
  });
}

async function readExactly(addresses: readonly NodeAddress[], read: NodeReader): Promise<Buffer[]> {
  const hashes = await read(addresses);
  if (hashes.length !== addresses.length || !hashes.every(isHash)) {
    throw new MerkleError(
      `node reader returned ${hashes.length} hashes for ${addresses.length} nodes, or a bad one`,
    );
  }
  return hashes;
}

/** Inclusion proof (RFC 9162 §2.1.3.1 audit path, leaf to root) of leaf `index` in a tree of `treeSize`. */
export async function inclusionProof(index: number, treeSize: number, read: NodeReader): Promise<Buffer[]> {
  return resolveProof(inclusionProofPlan(index, treeSize), treeSize, read);
}

/** Consistency proof (RFC 9162 §2.1.4.1) between tree sizes `size1` ≤ `size2`. */
export async function consistencyProof(size1: number, size2: number, read: NodeReader): Promise<Buffer[]> {
  return resolveProof(consistencyProofPlan(size1, size2), size2, read);
}

/** MTH of the tree of `treeSize` leaves, from its frontier. */
export async function treeRoot(treeSize: number, read: NodeReader): Promise<Buffer> {
  assertCount('treeSize', treeSize);
  if (treeSize === 0) return EMPTY_ROOT;
  const [root] = await resolveProof([frontierFor(treeSize)], treeSize, read);
  return root as Buffer;
}

// ---------------------------------------------------------------------------------------------
// Verification: a port of transparency-dev/merkle proof/verify.go, which implements RFC 9162
// §2.1.3.2 and §2.1.4.2 by splitting a proof into the part below the point where the leaf's path
// meets the right border of the tree (`inner`) and the part along that border (`border`).

/** Lengths of the inner and border parts of the inclusion proof for `index` in a tree of `size`. */
function splitInclusionProof(index: number, size: number): { inner: number; border: number } {
  const inner = bitLength(xor(index, size - 1));
  return { inner, border: popCount(shiftRight(index, inner)) };
}

/** Hashes `seed` up through the proof, siding by the bits of `index` (it is at `index` on its level). */
function chainInner(seed: Buffer, proof: readonly Buffer[], index: number): Buffer {
  let hash = seed;
  proof.forEach((sibling, i) => {
    hash = isOdd(shiftRight(index, i)) ? nodeHash(sibling, hash) : nodeHash(hash, sibling);
  });
  return hash;
}

/** Like chainInner but only through left siblings: the same subtree as it was in the older tree. */
function chainInnerRight(seed: Buffer, proof: readonly Buffer[], index: number): Buffer {
  let hash = seed;
  proof.forEach((sibling, i) => {
    if (isOdd(shiftRight(index, i))) hash = nodeHash(sibling, hash);
  });
  return hash;
}

/** Along the right border every proof hash is a left sibling. */
function chainBorderRight(seed: Buffer, proof: readonly Buffer[]): Buffer {
  let hash = seed;
  for (const sibling of proof) hash = nodeHash(sibling, hash);
  return hash;
}

/**
 * The root implied by an inclusion proof. Throws MerkleError if the proof cannot be for that
 * position (index ≥ size, wrong length, hashes that are not 32 bytes).
 */
export function rootFromInclusionProof(
  index: number,
  treeSize: number,
  leaf: Buffer,
  proof: readonly Buffer[],
): Buffer {
  if (!isValidCount(index) || !isValidCount(treeSize) || index >= treeSize) {
    throw new MerkleError(`leaf ${index} is not in a tree of size ${treeSize}`);
  }
  if (!isHash(leaf) || !proof.every(isHash)) throw new MerkleError(`hashes must be ${HASH_SIZE} bytes`);
  const { inner, border } = splitInclusionProof(index, treeSize);
  if (proof.length !== inner + border) {
    throw new MerkleError(`inclusion proof has ${proof.length} hashes, want ${inner + border}`);
  }
  const subtree = chainInner(leaf, proof.slice(0, inner), index);
  return chainBorderRight(subtree, proof.slice(inner));
}

/** Whether `proof` shows leaf hash `leaf` at `index` in the tree of `treeSize` leaves with root `root`. */
export function verifyInclusion(
  index: number,
  treeSize: number,
  leaf: Buffer,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  try {
    return isHash(root) && rootFromInclusionProof(index, treeSize, leaf, proof).equals(root);
  } catch (error) {
    if (error instanceof MerkleError) return false;
    throw error;
  }
}

/**
 * Whether `proof` shows that the tree of `size2` leaves with root `root2` extends the tree of
 * `size1` leaves with root `root1`. Edge cases follow verify.go: equal sizes need an empty proof
 * and equal roots; any tree extends the empty tree (size1 = 0, empty proof) — the root of a size-0
 * tree is not examined here, so a caller holding one should check it equals EMPTY_ROOT itself.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Buffer[],
  root1: Buffer,
  root2: Buffer,
): boolean {
  if (!isValidCount(size1) || !isValidCount(size2) || size1 > size2) return false;
  if (!proof.every(isHash)) return false;
  if ((size1 === size2 || size1 === 0) && proof.length !== 0) return false;
  if (size1 === size2) return isHash(root1) && root1.equals(root2);
  if (size1 === 0) return true;
  if (!isHash(root1) || !isHash(root2) || proof.length === 0) return false;

  const split = splitInclusionProof(size1 - 1, size2);
  // The proof starts at the last complete subtree of the smaller tree, `shift` levels up.
  const shift = trailingZeros(size1);
  const inner = split.inner - shift;
  const size1IsPowerOfTwo = popCount(size1) === 1;
  // That subtree's root is in the proof, unless it is the whole smaller tree (then it is root1).
  const seed = size1IsPowerOfTwo ? root1 : (proof[0] as Buffer);
  const path = size1IsPowerOfTwo ? proof : proof.slice(1);
  if (path.length !== inner + split.border) return false;

  const innerPath = path.slice(0, inner);
  const borderPath = path.slice(inner);
  const mask = shiftRight(size1 - 1, shift);
  const computed1 = chainBorderRight(chainInnerRight(seed, innerPath, mask), borderPath);
  if (!computed1.equals(root1)) return false;
  const computed2 = chainBorderRight(chainInner(seed, innerPath, mask), borderPath);
  return computed2.equals(root2);
}
