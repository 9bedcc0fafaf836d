import { describe, expect, it } from 'vitest';
import {
  checkpointBody,
  checkpointOf,
  clientFor,
  type FakeLog,
  leafHash,
  leaves,
  newSigner,
  treeHash,
} from './audit-verify.fixtures';
import { CustosApiError } from './client';

const ORIGIN = 'custos.test/log/org_1';
const signer = newSigner();

function logOf(size: number): FakeLog {
  return { origin: ORIGIN, leaves: leaves(size), signer };
}

describe('audit.verify', () => {
  it('accepts every earlier checkpoint of a log that only grew (sizes 1 to 17 against each other)', async () => {
    for (let size = 1; size <= 17; size++) {
      const log = logOf(size);
      const remembered = Array.from({ length: size }, (_, i) => checkpointOf(log, i + 1));
      const { client } = clientFor(log);
      const result = await client.audit.verify({ checkpoints: remembered });
      expect(result.current.status, `size ${size}`).toBe('verified');
      expect(
        result.checks.map((c) => c.status),
        `size ${size}`,
      ).toEqual(remembered.map(() => 'consistent'));
      expect(result.ok).toBe(true);
    }
  });

  it('reports the current checkpoint, the keys used and each checkpoint in order', async () => {
    const log = logOf(12);
    const remembered = checkpointOf(log, 5);
    const { client, requests } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [remembered] });
    expect(result).toEqual({
      ok: true,
      keysFrom: 'server',
      current: expect.objectContaining({
        origin: ORIGIN,
        treeSize: 12,
        rootHash: treeHash(log.leaves).toString('hex'),
        note: checkpointOf(log),
        signedBy: [`${signer.name}+${signer.keyId}`],
        status: 'verified',
      }),
      checks: [
        {
          treeSize: 5,
          rootHash: treeHash(log.leaves.slice(0, 5)).toString('hex'),
          status: 'consistent',
          message: expect.stringContaining('consistency proof verifies'),
        },
      ],
    });
    expect(requests).toContain('/api/v1/audit/proofs/consistency?from=5&to=12');
  });

  it('needs no proof for a checkpoint of the same size and root', async () => {
    const log = logOf(7);
    const { client, requests } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [checkpointOf(log)] });
    expect(result.checks[0]?.status).toBe('consistent');
    expect(requests.some((path) => path.includes('consistency'))).toBe(false);
  });

  it('catches a history rewritten under an earlier checkpoint, even when the log grew since', async () => {
    const log = logOf(6);
    const remembered = checkpointOf(log);
    // Someone with database access replaces event 3 and appends more; the server signs the result.
    log.leaves[3] = leafHash('forged event');
    log.leaves.push(...leaves(6, 'later'));
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [remembered] });
    expect(result.current.status).toBe('verified');
    expect(result.checks[0]).toMatchObject({ treeSize: 6, status: 'inconsistent' });
    expect(result.ok).toBe(false);
  });

  it('catches a rewrite that kept the size', async () => {
    const log = logOf(9);
    const remembered = checkpointOf(log);
    log.leaves[0] = leafHash('forged event');
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [remembered] });
    expect(result.checks[0]).toMatchObject({ treeSize: 9, status: 'inconsistent' });
  });

  it('reports a rollback when the log is shorter than a checkpoint the server signed', async () => {
    const log = logOf(12);
    const remembered = checkpointOf(log);
    log.leaves = log.leaves.slice(0, 8);
    const { client, requests } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [remembered] });
    expect(result.checks[0]).toMatchObject({ treeSize: 12, status: 'rolled-back' });
    expect(result.checks[0]?.message).toContain('only 8 events');
    expect(result.ok).toBe(false);
    expect(requests.some((path) => path.includes('consistency'))).toBe(false);
  });

  it('reports a rollback to an empty log (no checkpoint at all)', async () => {
    const log = logOf(3);
    const remembered = checkpointOf(log);
    log.checkpointStatus = 404;
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [remembered] });
    expect(result.current.status).toBe('empty');
    expect(result.checks[0]?.status).toBe('rolled-back');
    expect(result.ok).toBe(false);
  });

  it('treats a server that will not prove the extension as inconsistent', async () => {
    const log = logOf(10);
    const remembered = checkpointOf(log, 4);
    log.proofStatus = 400;
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [remembered] });
    expect(result.checks[0]?.status).toBe('inconsistent');
  });

  it('refuses a checkpoint signed by a key the server does not publish', async () => {
    const log = logOf(5);
    const remembered = checkpointOf(log, 3, newSigner());
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [remembered] });
    expect(result.checks[0]).toMatchObject({ treeSize: 3, status: 'bad-signature' });
    expect(result.checks[0]?.message).toMatch(/^No trusted key signed this checkpoint/);
    expect(result.ok).toBe(false);
  });

  it('refuses a trusted key’s note whose body was changed after signing', async () => {
    const log = logOf(5);
    const genuine = checkpointOf(log, 3);
    const tampered = genuine.replace(`${ORIGIN}\n3\n`, `${ORIGIN}\n4\n`);
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [tampered] });
    expect(result.checks[0]).toMatchObject({ treeSize: 4, status: 'bad-signature' });
  });

  it('refuses a checkpoint of another log, signed by the same key', async () => {
    const log = logOf(5);
    const other = signer.signNote(
      checkpointBody('custos.test/log/org_2', 2, treeHash(log.leaves.slice(0, 2))),
    );
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [other] });
    expect(result.checks[0]?.status).toBe('other-log');
  });

  it('reports notes that cannot be read without throwing', async () => {
    const log = logOf(5);
    const badSize = signer.signNote(`${ORIGIN}\n05\n${treeHash(log.leaves).toString('base64')}\n`);
    const noSignature = `${ORIGIN}\n5\n${treeHash(log.leaves).toString('base64')}\n`;
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: ['not a note', noSignature, badSize] });
    expect(result.checks.map((c) => c.status)).toEqual(['malformed', 'malformed', 'malformed']);
    expect(result.checks[0]).toMatchObject({ treeSize: null, rootHash: null });
    expect(result.ok).toBe(false);
  });

  it('uses pinned keys instead of the server’s, and refuses a current checkpoint they did not sign', async () => {
    const log = logOf(4);
    const pinned = newSigner();
    const remembered = checkpointOf(log, 2, pinned);
    const { client, requests } = clientFor(log);
    const result = await client.audit.verify({
      checkpoints: [remembered],
      verifierKeys: [pinned.verifierKey],
    });
    expect(result.keysFrom).toBe('pinned');
    expect(requests).not.toContain('/.well-known/custos/audit-keys');
    expect(result.current.status).toBe('bad-signature');
    expect(result.checks[0]?.status).toBe('consistent');
    expect(result.ok).toBe(false);
  });

  it('refuses a current checkpoint whose fields say something else than its signed note', async () => {
    const log = logOf(6);
    log.note = checkpointOf(log, 5);
    const { client } = clientFor(log);
    const result = await client.audit.verify({ checkpoints: [] });
    expect(result.current.status).toBe('malformed');
    expect(result.ok).toBe(false);
  });

  it('throws for a server it cannot read, and for unusable pinned keys', async () => {
    const log = logOf(3);
    log.checkpointStatus = 500;
    const { client } = clientFor(log);
    await expect(client.audit.verify({ checkpoints: [] })).rejects.toBeInstanceOf(CustosApiError);
    await expect(client.audit.verify({ checkpoints: [], verifierKeys: ['nope'] })).rejects.toThrow(
      /verifier key/,
    );
  });
});
