/**
 * Issue 14: the audit trail against someone who can write to the database but not to the key
 * files. For each tampering an attacker could do with SQL alone, `custos audit verify --checkpoint`
 * (the real CLI, over HTTP, with a checkpoint kept from before) names the problem; for every
 * rewrite of the history the signer refuses to sign and raises the alarm. Each case has its own
 * organization, so its log is untouched by the others.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteAndRenumber,
  editBody,
  editBodyAndLeaf,
  editInteriorNode,
  headSize,
  insertAtNextSeq,
  nullBody,
  rewriteHistory,
  rollBack,
  swapRows,
} from './audit-tamper';
import { backends, createTestApp, type TestApp } from './harness';
import { runCli } from './run-cli';

const EVENTS = 150;

interface Verdict {
  status: number | null;
  report: { ok: boolean; firstProblem: { kind: string; seq?: number; message: string } | null };
  stdout: string;
  stderr: string;
}

describe.each(backends)('audit integrity against a database writer (%s)', (backend) => {
  let t: TestApp;
  let baseUrl: string;
  let dir: string;

  /** An organization with EVENTS host events, several checkpoints, and the last one kept outside Custos. */
  async function loggedOrganization(name: string) {
    const org = await t.createOrganization(name);
    const created = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'auditor', permissions: ['audit:write', 'audit:export', 'audit:read'] },
    });
    const apiKey: string = created.json().secret;
    for (let batch = 0; batch < 3; batch++) {
      const events = Array.from({ length: EVENTS / 3 }, (_, i) => ({
        action: 'gig.booked',
        actor: { type: 'user', id: `member-${batch}-${i}`, name: 'Ada Lovelace' },
        targets: [{ type: 'gig', id: `gig-${i}` }],
        metadata: { venue: `Hall ${batch}-${i}` },
      }));
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/audit/events/batch',
        token: apiKey,
        payload: { events },
      });
      expect(res.statusCode).toBe(201);
      await t.services.audit.checkpoints.signGrownLogs();
    }
    const checkpoint = await t.inject({ url: '/api/v1/audit/checkpoint', token: apiKey });
    const kept = path.join(dir, `${org.id}.checkpoint`);
    fs.writeFileSync(kept, checkpoint.json().note);
    return { org, apiKey, kept, keptSize: checkpoint.json().treeSize as number };
  }

  async function verify(apiKey: string, kept: string, extra: string[] = []): Promise<Verdict> {
    const key = t.services.audit.signer.verifierKey;
    const run = await runCli([
      'audit',
      'verify',
      '--url',
      baseUrl,
      '--api-key',
      apiKey,
      '--key',
      key,
      '--checkpoint',
      kept,
      '--output',
      'json',
      ...extra,
    ]);
    return { ...run, report: JSON.parse(run.stdout || '{"ok":false,"firstProblem":null}') };
  }

  /** The signer refuses and says why: no checkpoint, an alarm, a critical security event, health. */
  async function expectSignerRefuses(
    organizationId: string,
    kind: 'rewritten' | 'rolled_back',
    keptSize: number,
  ) {
    expect(await t.services.audit.checkpoints.current(organizationId)).toBeNull();
    expect(t.services.audit.alarms.ofLog(organizationId).map((a) => a.kind)).toContain(kind);
    const signedAfter = await t.db
      .selectFrom('auditCheckpoints')
      .select('treeSize')
      .where('logId', '=', organizationId)
      .where('treeSize', '>', keptSize)
      .execute();
    expect(signedAfter).toEqual([]);
    await expect.poll(() => tamperEvents(organizationId), { timeout: 5_000 }).toHaveLength(1);
    const health = await t.inject({ url: '/api/health' });
    expect(health.json()).toMatchObject({ status: 'degraded', auditIntegrity: 'alarm' });
    expect(JSON.stringify(health.json())).not.toContain(organizationId);
  }

  function tamperEvents(organizationId: string) {
    return t.db
      .selectFrom('securityEvents')
      .select(['type', 'severity', 'explanation'])
      .where('organizationId', '=', organizationId)
      .where('type', '=', 'audit_tampering')
      .execute();
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-integrity-'));
    t = await createTestApp(backend);
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an untouched log verifies against the kept checkpoint, and --save-checkpoint keeps the next one', async () => {
    const { apiKey, kept, keptSize } = await loggedOrganization('Untouched Co');
    const next = path.join(dir, 'next.checkpoint');
    const verdict = await verify(apiKey, kept, ['--save-checkpoint', next]);
    expect(verdict.status).toBe(0);
    expect(verdict.report).toMatchObject({ ok: true, trustedCheckpoints: 1 });
    expect(fs.readFileSync(next, 'utf8')).toMatch(/\/custos\/audit\/.+\n\d+\n/);
    const text = await runCli([
      'audit',
      'verify',
      '--url',
      baseUrl,
      '--api-key',
      apiKey,
      '--checkpoint',
      next,
    ]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('extends the 1 trusted checkpoint');
    expect(Number(fs.readFileSync(next, 'utf8').split('\n')[1])).toBeGreaterThanOrEqual(keptSize);
  });

  it('1. an edited body: modified at its seq', async () => {
    const { org, apiKey, kept } = await loggedOrganization('Edited Body Co');
    await editBody(t.db, org.id, 60);
    const { status, report } = await verify(apiKey, kept);
    expect(status).toBe(1);
    expect(report.firstProblem).toMatchObject({ kind: 'modified', seq: 60 });
    // The API does not pass the stored body off as the record.
    const found = await t.inject({ url: '/api/v1/audit/events?limit=200', token: apiKey });
    const shown = found.json().events.find((e: { seq: number }) => e.seq === 60);
    expect(shown).toMatchObject({ integrity: 'modified' });
    const detail = await t.inject({ url: `/api/v1/audit/events/${shown.id}`, token: apiKey });
    expect(detail.json().proof.verified).toBe(false);
  });

  it('2. an edited body with its leaf recomputed: the tree node above it is named', async () => {
    const { org, apiKey, kept } = await loggedOrganization('Edited Leaf Co');
    await editBodyAndLeaf(t.db, org.id, 61);
    const { status, report } = await verify(apiKey, kept);
    expect(status).toBe(1);
    expect(report.firstProblem).toMatchObject({ kind: 'modified', seq: 61 });
    expect(report.firstProblem?.message).toContain('over seqs 61–62');
  });

  it('3. a middle event rewritten with every node and the frontier recomputed: refused and named', async () => {
    const { org, apiKey, kept, keptSize } = await loggedOrganization('Rewritten Co');
    await rewriteHistory(t.db, org.id, 70);
    await expectSignerRefuses(org.id, 'rewritten', keptSize);
    const { status, report } = await verify(apiKey, kept);
    expect(status).toBe(1);
    expect(report.firstProblem?.kind).toBe('inconsistent');
    expect(report.firstProblem?.seq).toBeLessThanOrEqual(70);
    expect(report.firstProblem?.message).toContain(`trusted checkpoint ${keptSize}`);
    // Ingestion still works: the log keeps taking events, it just gets no signature.
    const more = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events',
      token: apiKey,
      payload: { action: 'gig.booked', actor: { type: 'user', id: 'late' } },
    });
    expect(more.statusCode).toBe(201);
    expect(await t.services.audit.checkpoints.current(org.id)).toBeNull();
  });

  it('4. an event deleted and everything after it renumbered: refused and named', async () => {
    const { org, apiKey, kept, keptSize } = await loggedOrganization('Renumbered Co');
    await deleteAndRenumber(t.db, org.id, 80);
    await expectSignerRefuses(org.id, 'rolled_back', keptSize);
    const { status, report } = await verify(apiKey, kept);
    expect(status).toBe(1);
    expect(['rolled-back', 'inconsistent']).toContain(report.firstProblem?.kind);
  });

  it('5. the tail rolled back with its checkpoints: refused and named', async () => {
    const { org, apiKey, kept, keptSize } = await loggedOrganization('Rolled Back Co');
    const keep = await rollBack(t.db, org.id, 20);
    await expectSignerRefuses(org.id, 'rolled_back', keptSize);
    const { status, report } = await verify(apiKey, kept);
    expect(status).toBe(1);
    // Detection's own audit event may have followed the rollback: the named seq is the head's next.
    expect(report.firstProblem).toMatchObject({ kind: 'rolled-back' });
    expect(report.firstProblem?.seq).toBeGreaterThan(keep);
    expect(report.firstProblem?.message).toContain(`fewer than the ${keptSize}`);
  });

  it('6. a body set to NULL with no retention purge: missing, and never served as verified', async () => {
    const { org, apiKey, kept } = await loggedOrganization('Nulled Co');
    await nullBody(t.db, org.id, 90);
    const { status, report } = await verify(apiKey, kept);
    expect(status).toBe(1);
    expect(report.firstProblem).toMatchObject({ kind: 'missing', seq: 90 });
    const found = await t.inject({ url: '/api/v1/audit/events?limit=200', token: apiKey });
    const shown = found.json().events.find((e: { seq: number }) => e.seq === 90);
    expect(shown).toMatchObject({ integrity: 'purged' });
    const detail = await t.inject({ url: `/api/v1/audit/events/${shown.id}`, token: apiKey });
    expect(detail.json().proof.verified).toBe(false);
  });

  it('7. a row inserted at the next seq: moved aside as evidence with an alarm, not a 409; the log goes on', async () => {
    const { org, apiKey, kept } = await loggedOrganization('Inserted Co');
    const other = await loggedOrganization('Bystander Co');
    const inserted = await insertAtNextSeq(t.db, org.id);
    // The append that meets the row gets it moved aside and goes through on its retry.
    const next = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events',
      token: apiKey,
      payload: { action: 'gig.booked', actor: { type: 'user', id: 'after' } },
    });
    expect(next.statusCode).toBe(201);
    expect(next.json().receipt.seq).toBeGreaterThanOrEqual(inserted);
    const bystander = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events',
      token: other.apiKey,
      payload: { action: 'gig.booked', actor: { type: 'user', id: 'fine' } },
    });
    expect(bystander.statusCode).toBe(201);
    // The alarm (raised by this append, or by the job's own pass if it came first) is on record.
    await expect.poll(() => tamperEvents(org.id), { timeout: 5_000 }).toHaveLength(1);
    expect((await tamperEvents(org.id))[0]?.explanation).toContain(`seq ${inserted}`);
    // Moving the row aside is itself on the record, in the log it happened to.
    const moved = await t.inject({
      url: '/api/v1/audit/events?action=audit.rows_quarantined',
      token: apiKey,
    });
    expect(moved.json().events).toMatchObject([
      { actor: { type: 'system' }, metadata: { events: [inserted], headSize: inserted - 1 } },
    ]);
    const evidence = await t.db
      .selectFrom('auditQuarantinedRows')
      .select(['kind', 'seq'])
      .where('logId', '=', org.id)
      .execute();
    expect(evidence).toEqual(
      [{ kind: 'event', seq: inserted }].map((e) => ({ ...e, seq: expect.anything() })),
    );
    const { status, report, stdout } = await verify(apiKey, kept);
    expect(status).toBe(1);
    expect(report.firstProblem).toMatchObject({ kind: 'inserted', seq: inserted });
    expect(stdout).not.toContain('409');
    const text = await runCli([
      'audit',
      'verify',
      '--url',
      baseUrl,
      '--api-key',
      apiKey,
      '--checkpoint',
      kept,
    ]);
    expect(text.stdout).toContain(`FAILED: inserted at seq ${inserted}`);
  });

  it('7b. a row in the way of a change made through Custos: that request gets a clear 503, the next goes through', async () => {
    const { org, apiKey } = await loggedOrganization('Inserted Change Co');
    const inserted = await insertAtNextSeq(t.db, org.id);
    const save = () =>
      t.inject({
        method: 'POST',
        url: '/api/v1/audit/saved-searches',
        token: org.owner.token,
        payload: { name: `search ${Math.random()}`, query: { action: 'gig.*' } },
      });
    const first = await save();
    expect(first.statusCode).toBe(503);
    expect(first.json().error).toMatchObject({ code: 'AUDIT_LOG_TAMPERED', details: { fromSeq: inserted } });
    await expect.poll(async () => (await save()).statusCode, { timeout: 5_000 }).toBe(201);
    expect(await headSize(t.db, org.id)).toBeGreaterThanOrEqual(inserted);
    expect((await t.inject({ url: '/api/v1/audit/integrity', token: apiKey })).statusCode).toBe(200);
  });

  it('8. two rows swapped: reordered at the first', async () => {
    const { org, apiKey, kept } = await loggedOrganization('Swapped Co');
    await swapRows(t.db, org.id, 100, 120);
    const { status, report } = await verify(apiKey, kept);
    expect(status).toBe(1);
    expect(report.firstProblem).toMatchObject({ kind: 'reordered', seq: 100 });
  });

  it('9. an interior tree node edited: the node and the seqs under it are named', async () => {
    const { org, apiKey, kept } = await loggedOrganization('Interior Co');
    // Level 2, index 10: the node over seqs 41–44.
    await editInteriorNode(t.db, org.id, 2, 10);
    const { status, report } = await verify(apiKey, kept);
    expect(status).toBe(1);
    expect(report.firstProblem).toMatchObject({ kind: 'modified', seq: 41 });
    expect(report.firstProblem?.message).toContain('over seqs 41–44');
  });

  it('a checkpoint of another key, or of another log, is refused as a trusted checkpoint', async () => {
    const a = await loggedOrganization('Log A Co');
    const b = await loggedOrganization('Log B Co');
    const { status, report } = await verify(a.apiKey, b.kept);
    expect(status).toBe(1);
    expect(report.firstProblem).toMatchObject({ kind: 'bad-signature' });
    expect(report.firstProblem?.message).toContain('not of this one');
    const junk = path.join(dir, 'junk.checkpoint');
    fs.writeFileSync(junk, 'not a note');
    const usage = await runCli([
      'audit',
      'verify',
      '--url',
      baseUrl,
      '--api-key',
      a.apiKey,
      '--checkpoint',
      junk,
    ]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('not a signed checkpoint note');
  });

  it('the integrity route tells an organization its own state only (audit:read)', async () => {
    const { org, apiKey } = await loggedOrganization('Integrity Route Co');
    const other = await loggedOrganization('Integrity Other Co');
    await rollBack(t.db, org.id, 5);
    const own = await t.inject({ url: '/api/v1/audit/integrity', token: apiKey });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ status: 'alarm', alarms: [{ kind: 'rolled_back' }] });
    const theirs = await t.inject({ url: '/api/v1/audit/integrity', token: other.apiKey });
    expect(theirs.json()).toMatchObject({ status: 'ok', alarms: [] });
    const member = await t.addMember(org, ['member']);
    expect((await t.inject({ url: '/api/v1/audit/integrity', token: member.token })).statusCode).toBe(403);
    expect((await t.inject({ url: '/api/v1/audit/integrity' })).statusCode).toBe(401);
    expect(await headSize(t.db, org.id)).toBeGreaterThan(0);
  });
});
