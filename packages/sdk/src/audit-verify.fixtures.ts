/**
 * Test fixtures for `audit.verify`, built independently of the code under test: a reference RFC 6962
 * tree written straight from the RFC's recursive definitions, real Ed25519 keys from node:crypto
 * signing C2SP notes, and a fake server answering the three endpoints verification reads.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { CustosClient } from './client';

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

export const leafHash = (data: string) => sha256(Buffer.from([0x00]), Buffer.from(data));
const nodeHash = (left: Buffer, right: Buffer) => sha256(Buffer.from([0x01]), left, right);

/** The largest power of two smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]), RFC 6962 §2.1. */
export function treeHash(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  const [only] = leaves;
  if (leaves.length === 1 && only) return only;
  const k = split(leaves.length);
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** SUBPROOF(m, D[n], b), RFC 6962 §2.1.2. */
function subproof(m: number, leaves: readonly Buffer[], complete: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [treeHash(leaves)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), complete), treeHash(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), treeHash(leaves.slice(0, k))];
}

/** PROOF(m, D[n]). */
export const consistencyProof = (m: number, leaves: readonly Buffer[]) => subproof(m, leaves, true);

export const leaves = (n: number, tag = 'event') =>
  Array.from({ length: n }, (_, i) => leafHash(`${tag} ${i}`));

export interface NoteSigner {
  name: string;
  keyId: string;
  verifierKey: string;
  signNote(body: string): string;
}

/** A fresh Ed25519 signed-note key, encoded the way the server encodes its own. */
export function newSigner(name = 'custos.test/custos-audit'): NoteSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const typed = Buffer.concat([Buffer.from([0x01]), raw]);
  const keyId = sha256(Buffer.from(`${name}\n`), typed).subarray(0, 4);
  return {
    name,
    keyId: keyId.toString('hex'),
    verifierKey: `${name}+${keyId.toString('hex')}+${typed.toString('base64')}`,
    signNote: (body) => {
      const signature = sign(null, Buffer.from(body), privateKey);
      return `${body}\n\u2014 ${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
    },
  };
}

export const checkpointBody = (origin: string, size: number, root: Buffer) =>
  `${origin}\n${size}\n${root.toString('base64')}\n`;

/** The log a fake server holds; tests rewrite it between checkpoints. */
export interface FakeLog {
  origin: string;
  leaves: Buffer[];
  signer: NoteSigner;
  /** Replaces the note the server hands out for its latest checkpoint. */
  note?: string;
  /** Answers every consistency-proof request with this status instead. */
  proofStatus?: number;
  /** Answers the checkpoint request with this status instead. */
  checkpointStatus?: number;
}

/** The signed checkpoint note of the first `size` leaves, as the server would sign it. */
export function checkpointOf(log: FakeLog, size = log.leaves.length, signer = log.signer): string {
  return signer.signNote(checkpointBody(log.origin, size, treeHash(log.leaves.slice(0, size))));
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const refusal = (status: number) => json(status, { error: { code: 'REFUSED', message: `status ${status}` } });

/** A client whose server is `log`; `requests` lists the paths it was asked for. */
export function clientFor(log: FakeLog): { client: CustosClient; requests: string[] } {
  const requests: string[] = [];
  const fetchLog = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    requests.push(`${url.pathname}${url.search}`);
    const size = log.leaves.length;
    if (url.pathname === '/.well-known/custos/audit-keys') {
      const { name, keyId, verifierKey } = log.signer;
      return json(200, { keys: [{ name, keyId, algorithm: 'ed25519', verifierKey }] });
    }
    if (url.pathname === '/api/v1/audit/checkpoint') {
      if (log.checkpointStatus) return refusal(log.checkpointStatus);
      const note = log.note ?? checkpointOf(log);
      const rootHash = treeHash(log.leaves).toString('hex');
      return json(200, { origin: log.origin, treeSize: size, rootHash, note, createdAt: '2025-01-01' });
    }
    if (url.pathname === '/api/v1/audit/proofs/consistency') {
      if (log.proofStatus) return refusal(log.proofStatus);
      const from = Number(url.searchParams.get('from'));
      const to = Number(url.searchParams.get('to'));
      if (from > to || to > size) return refusal(400);
      const tree = log.leaves.slice(0, to);
      return json(200, {
        from,
        to,
        proof: consistencyProof(from, tree).map((hash) => hash.toString('hex')),
        fromRoot: treeHash(tree.slice(0, from)).toString('hex'),
        toRoot: treeHash(tree).toString('hex'),
      });
    }
    return refusal(404);
  };
  return { client: new CustosClient({ baseUrl: 'https://custos.test', fetch: fetchLog }), requests };
}
