import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addCosignatures, verifyCosignatures } from '../../platform/crypto/cosignature';
import {
  formatCheckpoint,
  generateSignerKey,
  type NoteSigner,
  parseSignerKey,
  signNote,
} from '../../platform/crypto/signed-note';
import {
  appendLeaf,
  consistencyProof,
  type Frontier,
  leafHash,
  type NodeReader,
  rootFromFrontier,
} from '../audit/merkle';
import { submitToWitness } from './client';
import { acceptedLogs } from './logs';
import { formatAddCheckpointRequest, MAX_PROOF_LINES } from './protocol';
import { buildWitnessServer, loadWitnessKey, type RunningWitness, startWitnessServer } from './server';
import { WitnessState, WitnessStateError } from './state';
import { Witness } from './witness';

const HOST = 'custos.example';
const PREFIX = `${HOST}/custos/audit/`;
const NOW_MS = 1_750_000_000_123;

const logSigner = parseSignerKey(generateSignerKey(`${HOST}/custos-audit`).signerKey);
const strangerSigner = parseSignerKey(generateSignerKey(`${HOST}/custos-audit`).signerKey);

/** An in-memory log: the stored-node layout of merkle.ts, so proofs come from the real code. */
class TestLog {
  readonly nodes = new Map<string, Buffer>();
  frontier: Frontier = [];
  size = 0;

  constructor(
    readonly origin: string,
    readonly signer: NoteSigner = logSigner,
    readonly seed = 'event',
  ) {}

  grow(count: number): this {
    for (let i = 0; i < count; i++) {
      const { frontier, created } = appendLeaf(
        this.frontier,
        this.size,
        leafHash(`${this.seed} ${this.size}`),
      );
      for (const node of created) this.nodes.set(`${node.level}/${node.index}`, node.hash);
      this.frontier = frontier;
      this.size++;
    }
    return this;
  }

  get root(): Buffer {
    return rootFromFrontier(this.frontier);
  }

  note(signer: NoteSigner = this.signer): string {
    return signNote(formatCheckpoint({ origin: this.origin, size: this.size, rootHash: this.root }), signer);
  }

  proofFrom(oldSize: number): Promise<Buffer[]> {
    const read: NodeReader = async (addresses) =>
      addresses.map((a) => this.nodes.get(`${a.level}/${a.index}`) ?? Buffer.alloc(0));
    return consistencyProof(oldSize, this.size, read);
  }

  async submission(oldSize: number) {
    return { oldSize, proof: await this.proofFrom(oldSize), note: this.note() };
  }
}

let dir: string;
let witness: RunningWitness;
let counter = 0;
const origin = () => `${PREFIX}org-${++counter}`;

async function start(): Promise<RunningWitness> {
  return startWitnessServer({
    signer: loadWitnessKey(path.join(dir, 'witness.key'), 'witness.test/w1'),
    stateFile: path.join(dir, 'state', 'witness.json'),
    logs: acceptedLogs([logSigner.verifier.verifierKey], [PREFIX]),
    port: 0,
    now: () => NOW_MS,
  });
}

/** POSTs a raw body and returns status, content type and text. */
async function post(body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${witness.url}/add-checkpoint`, { method: 'POST', body, headers });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-witness-'));
  witness = await start();
});

afterAll(async () => {
  await witness.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('add-checkpoint: the happy path', () => {
  it('cosigns a first checkpoint (old 0) with a cosignature that verifies', async () => {
    const log = new TestLog(origin()).grow(5);
    const note = log.note();
    const result = await submitToWitness(witness.url, { oldSize: 0, proof: [], note });
    expect(result.kind).toBe('cosigned');
    if (result.kind !== 'cosigned') return;
    expect(result.lines).toHaveLength(1);
    const { verified } = verifyCosignatures(addCosignatures(note, result.lines), [witness.verifierKey]);
    expect(verified).toEqual([
      expect.objectContaining({ name: 'witness.test/w1', time: Math.floor(NOW_MS / 1000) }),
    ]);
  });

  it('answers 200 with newline-terminated signature lines as text/plain', async () => {
    const log = new TestLog(origin()).grow(3);
    const response = await post(formatAddCheckpointRequest({ oldSize: 0, proof: [], note: log.note() }));
    expect(response.status).toBe(200);
    expect(response.type).toBe('text/plain; charset=utf-8');
    expect(response.text).toMatch(/^\u2014 witness\.test\/w1 [A-Za-z0-9+/=]+\n$/);
  });

  it('takes the body whatever content type the client names, or none', async () => {
    const log = new TestLog(origin()).grow(3);
    const first = formatAddCheckpointRequest({ oldSize: 0, proof: [], note: log.note() });
    expect((await post(Buffer.from(first))).status).toBe(200); // fetch sends no content type for bytes
    const again = formatAddCheckpointRequest({ oldSize: 3, proof: [], note: log.note() });
    expect((await post(again, { 'content-type': 'application/json' })).status).toBe(200);
    expect((await post('x'.repeat(70_000))).status).toBe(413);
  });

  it('cosigns an extension with a valid consistency proof, again and again', async () => {
    const log = new TestLog(origin()).grow(5);
    expect((await submitToWitness(witness.url, await log.submission(0))).kind).toBe('cosigned');
    for (const [from, grow] of [
      [5, 7],
      [12, 1],
      [13, 51],
    ] as const) {
      log.grow(grow);
      const result = await submitToWitness(`${witness.url}/`, await log.submission(from));
      expect(result.kind).toBe('cosigned');
      if (result.kind === 'cosigned') {
        const cosigned = addCosignatures(log.note(), result.lines);
        expect(verifyCosignatures(cosigned, [witness.verifierKey]).verified).toHaveLength(1);
      }
    }
  });

  it('cosigns the checkpoint it already has again (idempotent), but only with an empty proof', async () => {
    const log = new TestLog(origin()).grow(9);
    await submitToWitness(witness.url, await log.submission(0));
    expect((await submitToWitness(witness.url, await log.submission(9))).kind).toBe('cosigned');
    const bogus = { oldSize: 9, proof: [log.root], note: log.note() };
    expect(await submitToWitness(witness.url, bogus)).toMatchObject({ kind: 'refused', status: 422 });
  });

  it('accepts an empty tree, and extends it like any other', async () => {
    const log = new TestLog(origin());
    expect((await submitToWitness(witness.url, await log.submission(0))).kind).toBe('cosigned');
    log.grow(4);
    expect((await submitToWitness(witness.url, await log.submission(0))).kind).toBe('cosigned');
  });
});

describe('add-checkpoint: refusals', () => {
  let log: TestLog;

  beforeEach(async () => {
    log = new TestLog(origin()).grow(12);
    expect((await submitToWitness(witness.url, await log.submission(0))).kind).toBe('cosigned');
  });

  it('answers a stale old size with 409, text/x.tlog.size and the recorded size', async () => {
    const older = new TestLog(log.origin).grow(5);
    log.grow(8);
    const response = await post(formatAddCheckpointRequest(await log.submission(5)));
    expect(response).toEqual({ status: 409, type: 'text/x.tlog.size', text: '12\n' });
    expect(await submitToWitness(witness.url, await older.submission(0))).toEqual({
      kind: 'conflict',
      size: 12,
    });
    // The client then retries from the size the witness named.
    expect((await submitToWitness(witness.url, await log.submission(12))).kind).toBe('cosigned');
  });

  it('refuses a proof that does not verify with 422', async () => {
    log.grow(8);
    const proof = await log.proofFrom(12);
    const flipped = proof.map((hash, i) =>
      i === 1 ? Buffer.from(hash.map((b, j) => (j === 0 ? b ^ 1 : b))) : hash,
    );
    for (const bad of [flipped, proof.slice(1), [...proof, log.root], []]) {
      const result = await submitToWitness(witness.url, { oldSize: 12, proof: bad, note: log.note() });
      expect(result).toMatchObject({ kind: 'refused', status: 422 });
    }
    expect((await submitToWitness(witness.url, await log.submission(12))).kind).toBe('cosigned');
  });

  it('refuses a proof on a first submission (old 0) with 422', async () => {
    const fresh = new TestLog(origin()).grow(4);
    const result = await submitToWitness(witness.url, {
      oldSize: 0,
      proof: [fresh.root],
      note: fresh.note(),
    });
    expect(result).toMatchObject({ kind: 'refused', status: 422 });
  });

  it('refuses a rollback: a smaller tree is 400 from the recorded size, 409 from its own', async () => {
    const smaller = new TestLog(log.origin).grow(8);
    const fromRecorded = await submitToWitness(witness.url, { oldSize: 12, proof: [], note: smaller.note() });
    expect(fromRecorded).toMatchObject({ kind: 'refused', status: 400 });
    expect(await submitToWitness(witness.url, await smaller.submission(0))).toEqual({
      kind: 'conflict',
      size: 12,
    });
  });

  it('refuses a fork at the recorded size with a plain 409 (not a size to retry from)', async () => {
    const fork = new TestLog(log.origin, logSigner, 'forked').grow(12);
    const response = await post(formatAddCheckpointRequest({ oldSize: 12, proof: [], note: fork.note() }));
    expect(response.status).toBe(409);
    expect(response.type).toBe('text/plain; charset=utf-8');
    expect(response.text).toMatch(/forked/);
    expect(await submitToWitness(witness.url, { oldSize: 12, proof: [], note: fork.note() })).toMatchObject({
      kind: 'refused',
      status: 409,
    });
  });

  it('refuses a fork that grew past the recorded size with 422, and stays on the honest log', async () => {
    const fork = new TestLog(log.origin, logSigner, 'forked').grow(20);
    const result = await submitToWitness(witness.url, await fork.submission(12));
    expect(result).toMatchObject({ kind: 'refused', status: 422 });
    log.grow(3);
    expect((await submitToWitness(witness.url, await log.submission(12))).kind).toBe('cosigned');
  });

  it('answers 403 when no trusted key signed, or a trusted key signature is bad', async () => {
    log.grow(1);
    const stranger = await submitToWitness(witness.url, {
      ...(await log.submission(12)),
      note: log.note(strangerSigner),
    });
    expect(stranger).toMatchObject({ kind: 'refused', status: 403 });
    const body = formatCheckpoint({ origin: log.origin, size: log.size, rootHash: log.root });
    const otherBody = formatCheckpoint({ origin: log.origin, size: log.size, rootHash: Buffer.alloc(32) });
    const badSignature = `${body}${signNote(otherBody, logSigner).slice(otherBody.length)}`;
    const bad = await submitToWitness(witness.url, { ...(await log.submission(12)), note: badSignature });
    expect(bad).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('answers 404 for an origin outside the accepted prefixes', async () => {
    for (const name of ['other.example/custos/audit/org-1', PREFIX, `x${PREFIX}org-1`]) {
      const other = new TestLog(name).grow(2);
      expect(await submitToWitness(witness.url, await other.submission(0))).toMatchObject({
        kind: 'refused',
        status: 404,
      });
    }
  });

  it.each([
    ['no empty line after the old size', 'old 0\n'],
    ['an empty body', ''],
    ['a leading zero', 'old 012\n\n'],
    ['a negative size', 'old -1\n\n'],
    ['no old line', 'new 1\n\n'],
    ['a proof line that is not a hash', 'old 12\nAAAA\n\n'],
  ])('answers 400 for %s', async (_what, head) => {
    const response = await post(`${head}${log.note()}`);
    expect(response.status).toBe(400);
  });

  it('answers 400 for too many proof lines, an unsigned or non-checkpoint note, and old > size', async () => {
    const hash = `${log.root.toString('base64')}\n`;
    expect((await post(`old 12\n${hash.repeat(MAX_PROOF_LINES + 1)}\n${log.note()}`)).status).toBe(400);
    const body = formatCheckpoint({ origin: log.origin, size: log.size, rootHash: log.root });
    expect((await post(`old 12\n\n${body}`)).status).toBe(400);
    expect((await post(`old 12\n\n${signNote(`${log.origin}\nnot a size\n`, logSigner)}`)).status).toBe(400);
    expect((await post(`old 13\n\n${log.note()}`)).status).toBe(400);
    const emptyWithRoot = signNote(
      formatCheckpoint({ origin: origin(), size: 0, rootHash: log.root }),
      logSigner,
    );
    expect((await post(`old 0\n\n${emptyWithRoot}`)).status).toBe(400);
  });
});

describe('add-checkpoint: concurrency', () => {
  it('lets exactly one of many concurrent extensions from one old size through', async () => {
    const base = new TestLog(origin()).grow(10);
    await submitToWitness(witness.url, await base.submission(0));
    const candidates = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => new TestLog(base.origin).grow(11 + i).submission(10)),
    );
    const results = await Promise.all(candidates.map((c) => submitToWitness(witness.url, c)));
    const winners = results.flatMap((r, i) => (r.kind === 'cosigned' ? [11 + i] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'conflict')).toEqual(
      Array.from({ length: 7 }, () => ({ kind: 'conflict', size: winners[0] })),
    );
  });

  it('does not hold up other logs, and persists all of them', async () => {
    const logs = Array.from({ length: 6 }, () => new TestLog(origin()).grow(7));
    const results = await Promise.all(
      logs.map(async (log) => submitToWitness(witness.url, await log.submission(0))),
    );
    expect(results.every((r) => r.kind === 'cosigned')).toBe(true);
    const saved = await WitnessState.open(path.join(dir, 'state', 'witness.json'));
    for (const log of logs) expect(saved.get(log.origin)).toEqual({ size: 7, rootHash: log.root });
  });
});

describe('restart', () => {
  it('keeps its key and its memory across a restart', async () => {
    const log = new TestLog(origin()).grow(6);
    await submitToWitness(witness.url, await log.submission(0));
    const before = witness.verifierKey;
    await witness.close();
    witness = await start();
    expect(witness.verifierKey).toBe(before);
    expect(await submitToWitness(witness.url, await log.submission(0))).toEqual({
      kind: 'conflict',
      size: 6,
    });
    log.grow(2);
    expect((await submitToWitness(witness.url, await log.submission(6))).kind).toBe('cosigned');
  });

  it('keeps the key and the state private (0600) and leaves no temp files', () => {
    if (process.platform === 'win32') return;
    expect(fs.statSync(path.join(dir, 'witness.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'state', 'witness.json')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.join(dir, 'state'))).toEqual(['witness.json']);
  });

  it('refuses to start from a state file it cannot read, rather than forgetting', async () => {
    const file = path.join(dir, 'corrupt.json');
    fs.writeFileSync(file, '{"format":"custos.witness.state/v1","logs":{"a":{"size":-1}}}');
    await expect(WitnessState.open(file)).rejects.toThrow(WitnessStateError);
  });
});

describe('the witness without HTTP', () => {
  const warnings: { details: object; message: string }[] = [];
  let stateDir: string;
  let core: Witness;

  beforeEach(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-witness-core-'));
    core = new Witness({
      signer: loadWitnessKey(path.join(stateDir, 'key'), 'witness.test/core'),
      logs: acceptedLogs([logSigner.verifier.verifierKey], [PREFIX]),
      state: await WitnessState.open(path.join(stateDir, 'state.json')),
      log: { warn: (details, message) => warnings.push({ details, message }) },
    });
  });

  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('keeps a signed checkpoint whose proof fails as evidence', async () => {
    const log = new TestLog(origin()).grow(4);
    const app = buildWitnessServer(core);
    const first = await app.inject({
      method: 'POST',
      url: '/add-checkpoint',
      payload: formatAddCheckpointRequest(await log.submission(0)),
    });
    expect(first.statusCode).toBe(200);
    const fork = new TestLog(log.origin, logSigner, 'forked').grow(9);
    const payload = formatAddCheckpointRequest({
      oldSize: 4,
      proof: await fork.proofFrom(4),
      note: fork.note(),
    });
    const response = await app.inject({
      method: 'POST',
      url: '/add-checkpoint',
      payload,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.statusCode).toBe(422);
    expect(warnings.at(-1)).toEqual({
      details: expect.objectContaining({ origin: log.origin, note: fork.note() }),
      message: 'witness: consistency proof does not verify',
    });
    await app.close();
  });

  it('treats a 200 that is not signature lines as a refusal on the client side', async () => {
    const fake = async () => new Response('hello\n', { status: 200 });
    const log = new TestLog(origin()).grow(1);
    expect(await submitToWitness('http://witness.invalid', await log.submission(0), fake)).toMatchObject({
      kind: 'refused',
      status: 200,
    });
  });
});
