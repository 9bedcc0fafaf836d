/**
 * RFC 9162 §2.1.4.2 consistency-proof verification (RFC 6962 trees), ported from the server's
 * `modules/audit/merkle.ts` (itself a port of transparency-dev/merkle proof/verify.go) onto
 * WebCrypto, so a browser can check that a log extends a checkpoint it saw earlier.
 *
 * Sizes are JavaScript numbers up to Number.MAX_SAFE_INTEGER; the bit helpers work on all 53 bits
 * instead of the 32 that JavaScript's bitwise operators keep.
 */
import { type Bytes, bytesEqual, concatBytes, sha256 } from './bytes';

const HASH_SIZE = 32;
const NODE_PREFIX = Uint8Array.of(0x01);
const TWO_32 = 2 ** 32;

const high32 = (n: number): number => Math.floor(n / TWO_32);
const low32 = (n: number): number => n % TWO_32;
const shiftRight = (n: number, k: number): number => Math.floor(n / 2 ** k);
const isOdd = (n: number): boolean => n % 2 === 1;
const isHash = (hash: Uint8Array): boolean => hash.length === HASH_SIZE;
const isValidCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

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

function popCount(n: number): number {
  let count = 0;
  for (const half of [high32(n), low32(n)]) {
    for (let v = half >>> 0; v !== 0; v &= v - 1) count++;
  }
  return count;
}

/** Interior node hash: SHA-256(0x01 ‖ left ‖ right). */
function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/** Lengths of the inner and border parts of the inclusion proof for `index` in a tree of `size`. */
function splitInclusionProof(index: number, size: number): { inner: number; border: number } {
  const inner = bitLength(xor(index, size - 1));
  return { inner, border: popCount(shiftRight(index, inner)) };
}

/** Hashes `seed` up through the proof, siding by the bits of `index`. */
async function chainInner(seed: Uint8Array, proof: readonly Uint8Array[], index: number) {
  let hash = seed;
  for (const [i, sibling] of proof.entries()) {
    hash = isOdd(shiftRight(index, i)) ? await nodeHash(sibling, hash) : await nodeHash(hash, sibling);
  }
  return hash;
}

/** Like chainInner but only through left siblings: the same subtree as it was in the older tree. */
async function chainInnerRight(seed: Uint8Array, proof: readonly Uint8Array[], index: number) {
  let hash = seed;
  for (const [i, sibling] of proof.entries()) {
    if (isOdd(shiftRight(index, i))) hash = await nodeHash(sibling, hash);
  }
  return hash;
}

/** Along the right border every proof hash is a left sibling. */
async function chainBorderRight(seed: Uint8Array, proof: readonly Uint8Array[]) {
  let hash = seed;
  for (const sibling of proof) hash = await nodeHash(sibling, hash);
  return hash;
}

/**
 * Whether `proof` shows that the tree of `size2` leaves with root `root2` extends the tree of
 * `size1` leaves with root `root1`. Equal sizes need an empty proof and equal roots. size1 = 0 is
 * refused here: the caller compares the empty tree's root itself.
 */
export async function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): Promise<boolean> {
  if (!isValidCount(size1) || !isValidCount(size2) || size1 === 0 || size1 > size2) return false;
  if (!proof.every(isHash) || !isHash(root1) || !isHash(root2)) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (proof.length === 0) return false;

  const split = splitInclusionProof(size1 - 1, size2);
  // The proof starts at the last complete subtree of the smaller tree, `shift` levels up.
  const shift = trailingZeros(size1);
  const inner = split.inner - shift;
  const size1IsPowerOfTwo = popCount(size1) === 1;
  // That subtree's root is in the proof, unless it is the whole smaller tree (then it is root1).
  const [first, ...rest] = proof;
  const seed = size1IsPowerOfTwo || first === undefined ? root1 : first;
  const path = size1IsPowerOfTwo ? proof : rest;
  if (path.length !== inner + split.border) return false;

  const innerPath = path.slice(0, inner);
  const borderPath = path.slice(inner);
  const mask = shiftRight(size1 - 1, shift);
  const computed1 = await chainBorderRight(await chainInnerRight(seed, innerPath, mask), borderPath);
  if (!bytesEqual(computed1, root1)) return false;
  const computed2 = await chainBorderRight(await chainInner(seed, innerPath, mask), borderPath);
  return bytesEqual(computed2, root2);
}
