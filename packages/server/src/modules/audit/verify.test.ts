import { describe, expect, it } from 'vitest';
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
  inclusionProof,
  leafHash,
  type NodeAddress,
  type NodeReader,
  type StoredNode,
  treeRoot,
} from './merkle';
import { EXPORT_FORMAT, splitLines, type VerifyOptions, verifyExport } from './verify';
import { PurgeLedger } from './verify-purges';

const ORG = 'org_test';
const ORIGIN = `custos.test/custos/audit/${ORG}`;
const signer = parseSignerKey(generateSignerKey('custos.test/custos-audit').signerKey);
const intruder = parseSignerKey(generateSignerKey('custos.test/custos-audit').signerKey);
const trusted = { verifierKeys: [signer.verifier.verifierKey] };

type Line = Record<string, unknown>;

const bodyOf = (seq: number) =>
  JSON.stringify({ action: 'gig.booked', id: `ev_${seq}`, metadata: { venue: `Hall ${seq}` }, seq });

/** An in-memory log with every complete node stored, as the server keeps it. */
function buildLog(size: number) {
  const nodes = new Map<string, Buffer>();
  const key = (a: NodeAddress) => `${a.level}:${a.index}`;
  let frontier: StoredNode[] = [];
  for (let seq = 1; seq <= size; seq++) {
    const appended = appendLeaf(frontier, seq - 1, leafHash(bodyOf(seq)));
    frontier = appended.frontier;
    for (const node of appended.created) nodes.set(key(node), node.hash);
  }
  const read: NodeReader = async (addresses) => addresses.map((a) => nodes.get(key(a)) as Buffer);
  return { read, leaf: (seq: number) => nodes.get(`0:${seq - 1}`) as Buffer };
}

async function checkpointLine(
  size: number,
  read: NodeReader,
  options: { by?: NoteSigner; origin?: string } = {},
): Promise<Line> {
  const root = await treeRoot(size, read);
  const body = formatCheckpoint({ origin: options.origin ?? ORIGIN, size, rootHash: root });
  return {
    type: 'checkpoint',
    treeSize: size,
    rootHash: root.toString('hex'),
    note: signNote(body, options.by ?? signer),
  };
}

const header = (treeSize: number, complete: boolean): Line => ({
  type: 'header',
  format: EXPORT_FORMAT,
  origin: ORIGIN,
  organizationId: ORG,
  exportedAt: '2025-01-01T00:00:00.000Z',
  filters: complete ? {} : { action: 'gig.*' },
  complete,
  treeSize,
  verifierKeys: [signer.verifier.verifierKey],
});

/** A complete export of `size` events with checkpoints at `checkpoints` (the last must be `size`). */
async function completeExport(size: number, checkpoints: number[]): Promise<Line[]> {
  const log = buildLog(size);
  const lines: Line[] = [header(size, true)];
  let previous = 0;
  for (let seq = 1; seq <= size; seq++) {
    const leaf = log.leaf(seq).toString('hex');
    const event = { id: `ev_${seq}`, seq, erased: seq === 2 ? ['actor.name'] : [] };
    lines.push({ type: 'event', seq, leafHash: leaf, storedLeafHash: leaf, body: bodyOf(seq), event });
    if (!checkpoints.includes(seq)) continue;
    lines.push(await checkpointLine(seq, log.read));
    if (previous > 0) {
      const proof = await consistencyProof(previous, seq, log.read);
      lines.push({
        type: 'consistency',
        from: previous,
        to: seq,
        proof: proof.map((h) => h.toString('hex')),
      });
    }
    previous = seq;
  }
  lines.push({ type: 'trailer', events: size });
  return lines;
}

/** A filtered export of the events at `seqs` in a log of `size`, each with its inclusion proof. */
async function filteredExport(size: number, seqs: number[]): Promise<Line[]> {
  const log = buildLog(size);
  const lines: Line[] = [header(size, false)];
  for (const seq of seqs) {
    const proof = await inclusionProof(seq - 1, size, log.read);
    lines.push({
      type: 'event',
      seq,
      leafHash: log.leaf(seq).toString('hex'),
      body: bodyOf(seq),
      event: { id: `ev_${seq}`, seq },
      proof: proof.map((h) => h.toString('hex')),
    });
  }
  lines.push(await checkpointLine(size, log.read), { type: 'trailer', events: seqs.length });
  return lines;
}

async function* asLines(lines: (Line | string)[]): AsyncGenerator<string> {
  for (const l of lines) yield typeof l === 'string' ? l : JSON.stringify(l);
}

const verify = (lines: (Line | string)[], options: VerifyOptions = trusted) =>
  verifyExport(asLines(lines), options);

const eventAt = (lines: Line[], seq: number) =>
  lines.find((l) => l.type === 'event' && l.seq === seq) as Line & {
    body: string;
    leafHash: string;
    proof: string[];
  };

const flipHex = (hex: string) => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;

describe('verifyExport: complete exports', () => {
  it('verifies an untouched export and counts events, checkpoints and erased events', async () => {
    const report = await verify(await completeExport(20, [4, 11, 20]));
    expect(report).toMatchObject({
      ok: true,
      events: 20,
      checkpoints: 3,
      purged: 0,
      erased: 1,
      firstProblem: null,
      origin: ORIGIN,
      checkpoint: { treeSize: 20, signedBy: ['custos.test/custos-audit'] },
    });
  });

  it('refuses a null body no retention purge covers: missing, not purged (issue 14)', async () => {
    const lines = await completeExport(8, [8]);
    eventAt(lines, 3).body = null as unknown as string;
    const report = await verify(lines);
    expect(report).toMatchObject({ ok: false, purged: 1 });
    expect(report.firstProblem).toMatchObject({ kind: 'missing', seq: 3 });
  });

  it('reports a modified body at its seq', async () => {
    const lines = await completeExport(20, [10, 20]);
    eventAt(lines, 7).body = bodyOf(7).replace('Hall 7', 'Hall 8');
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'modified', seq: 7, line: 8 });
  });

  it('reports a body and stored leaf hash changed together: the tree leaf still disagrees', async () => {
    const lines = await completeExport(20, [20]);
    const event = eventAt(lines, 7);
    event.body = bodyOf(7).replace('Hall 7', 'Hall 8');
    event.storedLeafHash = leafHash(event.body).toString('hex');
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'modified', seq: 7 });
  });

  it('pins a tree leaf changed with its body on the stored row hash that disagrees', async () => {
    const lines = await completeExport(20, [20]);
    const event = eventAt(lines, 9);
    event.body = bodyOf(9).replace('Hall 9', 'Hall X');
    event.leafHash = leafHash(event.body).toString('hex');
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'modified', seq: 9 });
  });

  it('catches a whole consistent rewrite (leaf, row hash and body) at the next checkpoint, naming the range', async () => {
    const lines = await completeExport(20, [5, 12, 20]);
    const event = eventAt(lines, 9);
    event.body = bodyOf(9).replace('Hall 9', 'Hall X');
    event.leafHash = leafHash(event.body).toString('hex');
    event.storedLeafHash = event.leafHash;
    const problem = (await verify(lines)).firstProblem;
    expect(problem).toMatchObject({ kind: 'modified', seq: 6 });
    expect(problem?.message).toContain('from seq 6 to 12');
  });

  it('reports an event row that is gone while its leaf stays as missing', async () => {
    const lines = await completeExport(10, [10]);
    Object.assign(eventAt(lines, 4), { storedLeafHash: null, body: null, event: null });
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'missing', seq: 4 });
  });

  it('reports a leaf dropped from the file, or dropped at the end, as missing', async () => {
    const lines = await completeExport(10, [10]);
    const gap = lines.filter((l) => l !== eventAt(lines, 4));
    expect((await verify(gap)).firstProblem).toMatchObject({ kind: 'missing', seq: 4 });
    const tail = lines.filter((l) => l !== eventAt(lines, 10));
    expect((await verify(tail)).firstProblem).toMatchObject({ kind: 'missing', seq: 10 });
  });

  it('reports a stray event row as inserted, or as a lost leaf inside the tree', async () => {
    const lines = await completeExport(10, [10]);
    const stray = { type: 'stray', seq: 11, body: bodyOf(11) };
    const inserted = [...lines.slice(0, -1), stray, lines.at(-1) as Line];
    expect((await verify(inserted)).firstProblem).toMatchObject({ kind: 'inserted', seq: 11 });
    const inside = [...lines.slice(0, -1), { ...stray, seq: 3 }, lines.at(-1) as Line];
    expect((await verify(inside)).firstProblem).toMatchObject({ kind: 'missing', seq: 3 });
  });

  it('reports swapped bodies as reordered at the first of the two seqs', async () => {
    const lines = await completeExport(10, [10]);
    const [a, b] = [eventAt(lines, 3), eventAt(lines, 6)];
    [a.body, b.body] = [b.body, a.body];
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'reordered', seq: 3 });
  });

  it('reports a repeated event line as reordered', async () => {
    const lines = await completeExport(10, [10]);
    lines.splice(5, 0, eventAt(lines, 3));
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'reordered', seq: 3 });
  });

  it('refuses checkpoints signed by an unknown key, with a forged note, or for another log', async () => {
    const lines = await completeExport(10, [4, 10]);
    const other = { verifierKeys: [intruder.verifier.verifierKey] };
    expect((await verify(lines, other)).firstProblem).toMatchObject({ kind: 'bad-signature' });

    const log = buildLog(10);
    const forged = [...lines];
    const index = forged.findIndex((l) => l.type === 'checkpoint' && l.treeSize === 10);
    forged[index] = await checkpointLine(10, log.read, { by: intruder });
    expect((await verify(forged)).firstProblem).toMatchObject({ kind: 'bad-signature' });

    const altered = [...lines];
    const note = String(altered[index]?.note);
    const [origin, size, root, ...rest] = note.split('\n');
    const newRoot = Buffer.from(root as string, 'base64');
    newRoot[0] = (newRoot[0] as number) ^ 1;
    altered[index] = {
      ...altered[index],
      note: [origin, size, newRoot.toString('base64'), ...rest].join('\n'),
    };
    expect((await verify(altered)).firstProblem).toMatchObject({ kind: 'bad-signature' });

    const elsewhere = [...lines];
    elsewhere[index] = await checkpointLine(10, log.read, { origin: 'custos.test/custos/audit/org_other' });
    const problem = (await verify(elsewhere)).firstProblem;
    expect(problem).toMatchObject({ kind: 'bad-signature' });
    expect(problem?.message).toContain('org_other');
  });

  it('reports a broken consistency proof as inconsistent', async () => {
    const lines = await completeExport(13, [5, 13]);
    const consistency = lines.find((l) => l.type === 'consistency') as Line & { proof: string[] };
    consistency.proof[0] = flipHex(consistency.proof[0] as string);
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'inconsistent', seq: 6 });
  });

  it('ignores blank lines, such as one added at the end', async () => {
    const lines: (Line | string)[] = await completeExport(6, [6]);
    expect(await verify([...lines, '', '\r'])).toMatchObject({ ok: true, events: 6 });
  });

  it('reports a cut-short file, a wrong trailer count and garbage lines as malformed', async () => {
    const lines = await completeExport(6, [6]);
    expect((await verify(lines.slice(0, -1))).firstProblem).toMatchObject({ kind: 'malformed' });
    const counted = [...lines.slice(0, -1), { type: 'trailer', events: 5 }];
    expect((await verify(counted)).firstProblem).toMatchObject({ kind: 'malformed' });
    const garbage = [...lines.slice(0, 3), 'not json', ...lines.slice(3)];
    expect((await verify(garbage)).firstProblem).toMatchObject({ kind: 'malformed', line: 4 });
    expect((await verify([])).firstProblem).toMatchObject({ kind: 'malformed' });
    const spliced = [{ ...lines[0], organizationId: 'org_other' }, ...lines.slice(1)];
    expect((await verify(spliced)).firstProblem).toMatchObject({ kind: 'malformed', line: 1 });
  });

  it("trusts the header's keys only when asked to, and says so", async () => {
    const lines = await completeExport(6, [6]);
    expect((await verify(lines, { verifierKeys: [] })).firstProblem).toMatchObject({ kind: 'bad-signature' });
    const report = await verify(lines, { verifierKeys: [], trustExportKeys: true });
    expect(report).toMatchObject({ ok: true, keysFromExport: true });
  });
});

describe('verifyExport: checkpoints kept outside Custos (issue 14)', () => {
  const kept = async (size: number, options: { root?: Buffer; origin?: string; by?: NoteSigner } = {}) => {
    const log = buildLog(Math.max(size, 1));
    const root = options.root ?? (await treeRoot(size, log.read));
    const body = formatCheckpoint({ origin: options.origin ?? ORIGIN, size, rootHash: root });
    return signNote(body, options.by ?? signer);
  };
  const withKept = (notes: string[]) => ({ ...trusted, trustedCheckpoints: notes });

  it('passes when the log extends every kept checkpoint, and counts them', async () => {
    const lines = await completeExport(16, [8, 16]);
    const report = await verify(lines, withKept([await kept(12), await kept(16), await kept(3)]));
    expect(report).toMatchObject({ ok: true, trustedCheckpoints: 3 });
  });

  it('names a rewritten history: the range after the last signed checkpoint that still matches', async () => {
    const lines = await completeExport(16, [8, 16]);
    const report = await verify(lines, withKept([await kept(12, { root: Buffer.alloc(32, 1) })]));
    expect(report.firstProblem).toMatchObject({ kind: 'inconsistent', seq: 9 });
    expect(report.firstProblem?.message).toContain('trusted checkpoint 12');
  });

  it('names a rollback: the log is shorter than a kept checkpoint', async () => {
    const lines = await completeExport(16, [8, 16]);
    const report = await verify(lines, withKept([await kept(20)]));
    expect(report.firstProblem).toMatchObject({ kind: 'rolled-back', seq: 17 });
  });

  it('refuses a kept checkpoint of another log or another key', async () => {
    const lines = await completeExport(16, [16]);
    const otherLog = await verify(
      lines,
      withKept([await kept(8, { origin: 'custos.test/custos/audit/org_other' })]),
    );
    expect(otherLog.firstProblem).toMatchObject({ kind: 'bad-signature' });
    const otherKey = await verify(lines, withKept([await kept(8, { by: intruder })]));
    expect(otherKey.firstProblem).toMatchObject({ kind: 'bad-signature' });
  });

  it('checks every stored interior node the export lists, and names the seqs under a bad one', async () => {
    const lines = await completeExport(16, [16]);
    const log = buildLog(16);
    for (const line of lines.filter((l) => l.type === 'event')) {
      const seq = line.seq as number;
      const nodes: string[] = [];
      for (let level = 1, span = 2; seq % span === 0; level++, span *= 2) {
        nodes.push((await log.read([{ level, index: seq / span - 1 }]))[0]?.toString('hex') ?? '');
      }
      line.nodes = nodes;
    }
    expect(await verify(lines)).toMatchObject({ ok: true });
    const at8 = eventAt(lines, 8) as unknown as Line & { nodes: string[] };
    at8.nodes = [at8.nodes[0] ?? '', flipHex(at8.nodes[1] ?? ''), at8.nodes[2] ?? ''];
    const report = await verify(lines);
    expect(report.firstProblem).toMatchObject({ kind: 'modified', seq: 5 });
    expect(report.firstProblem?.message).toContain('over seqs 5–8');
  });

  it("reports the server's own alarm when the file shows nothing worse", async () => {
    const lines = await completeExport(8, [8]);
    lines[0] = {
      ...header(8, true),
      integrityAlarms: [{ kind: 'rewritten', message: 'the tree is not an extension', seq: null }],
    };
    const report = await verify(lines);
    expect(report.firstProblem).toMatchObject({ kind: 'inconsistent' });
    expect(report.firstProblem?.message).toContain('refuses to sign');
  });
});

describe('verifyExport: log order across deferred findings', () => {
  it('names a body no purge covers before a row quarantined or written past the tree (issue 14)', async () => {
    for (const type of ['quarantined', 'stray']) {
      const lines = await completeExport(8, [8]);
      eventAt(lines, 3).body = null as unknown as string;
      lines.splice(lines.length - 1, 0, { type, seq: 12, body: '{}' });
      const report = await verify(lines);
      expect(report.firstProblem).toMatchObject({ kind: 'missing', seq: 3 });
    }
  });
});

describe('PurgeLedger: a missing body needs a purge the retention settings allowed', () => {
  const event = (seq: number, fields: Record<string, unknown>) =>
    JSON.stringify({ seq, source: 'system', ...fields });
  const settings = (seq: number, retention: number | null, hold: boolean) =>
    event(seq, {
      action: 'audit.settings_updated',
      source: 'console',
      changes: { retentionDays: [null, retention], legalHold: [false, hold] },
    });
  const purge = (seq: number, ranges: number[][], retentionDays: number, source = 'system') =>
    event(seq, { action: 'audit.events_purged', source, metadata: { purged: 1, ranges, retentionDays } });

  it('accepts bodies a purge covers under the retention in force', () => {
    const ledger = new PurgeLedger();
    expect(ledger.read(1, settings(1, 30, false))).toBeNull();
    ledger.bodyGone(2);
    ledger.bodyGone(3);
    expect(ledger.read(4, purge(4, [[2, 3]], 30))).toBeNull();
    expect(ledger.unproven()).toBeNull();
  });

  it('names bodies no purge covers, a purge under a legal hold, and ignores purge claims not by the system', () => {
    const uncovered = new PurgeLedger();
    uncovered.read(1, settings(1, 30, false));
    uncovered.bodyGone(2);
    uncovered.bodyGone(5);
    uncovered.read(6, purge(6, [[2, 2]], 30));
    expect(uncovered.unproven()).toMatchObject({ kind: 'missing', seq: 5 });

    const held = new PurgeLedger();
    held.read(1, settings(1, 30, true));
    held.bodyGone(2);
    expect(held.read(3, purge(3, [[2, 2]], 30))).toMatchObject({ kind: 'missing', seq: 2 });

    const unset = new PurgeLedger();
    unset.bodyGone(2);
    expect(unset.read(3, purge(3, [[2, 2]], 30))?.message).toContain('retention was not set');

    const forged = new PurgeLedger();
    forged.read(1, settings(1, 30, false));
    forged.bodyGone(2);
    expect(forged.read(3, purge(3, [[2, 2]], 30, 'sdk'))).toBeNull();
    expect(forged.unproven()).toMatchObject({ kind: 'missing', seq: 2 });
  });
});

describe('verifyExport: filtered exports', () => {
  it('verifies each event through its inclusion proof against the final checkpoint', async () => {
    const report = await verify(await filteredExport(37, [2, 5, 19, 37]));
    expect(report).toMatchObject({ ok: true, events: 4, checkpoints: 1, complete: false });
  });

  it('reports a modified body, and a proof that misses the root, at their seqs', async () => {
    const body = await filteredExport(37, [2, 5, 19, 37]);
    eventAt(body, 19).body = bodyOf(19).replace('Hall', 'Barn');
    expect((await verify(body)).firstProblem).toMatchObject({ kind: 'modified', seq: 19 });

    for (const seq of [2, 19]) {
      const lines = await filteredExport(37, [2, 5, 19, 37]);
      const event = eventAt(lines, seq);
      event.proof[1] = flipHex(event.proof[1] as string);
      expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'modified', seq });
    }
  });

  it('reports the first problem in log order even when a later one is found first', async () => {
    const lines = await filteredExport(37, [2, 5, 19, 37]);
    const early = eventAt(lines, 5);
    early.proof[0] = flipHex(early.proof[0] as string);
    eventAt(lines, 19).body = 'tampered';
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'modified', seq: 5 });
  });

  it('reports events out of order, and events beyond the tree', async () => {
    const lines = await filteredExport(37, [2, 5, 19]);
    [lines[1], lines[2]] = [lines[2] as Line, lines[1] as Line];
    expect((await verify(lines)).firstProblem).toMatchObject({ kind: 'reordered', seq: 2 });
    const beyond = await filteredExport(37, [2, 5, 19]);
    Object.assign(eventAt(beyond, 19), { seq: 40 });
    expect((await verify(beyond)).firstProblem).toMatchObject({ kind: 'inserted', seq: 40 });
  });
});

describe('splitLines', () => {
  it('splits across chunk borders, multi-byte characters included', async () => {
    const bytes = Buffer.from('{"a":"ö"}\n{"b":"€"}\nlast');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
    }
    const lines: string[] = [];
    for await (const batch of splitLines(chunks())) lines.push(...batch);
    expect(lines).toEqual(['{"a":"ö"}', '{"b":"€"}', 'last']);
  });
});
