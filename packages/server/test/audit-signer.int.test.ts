/**
 * Issue 14: the signer's memory outside the database, stable log origins, and checkpoints that
 * leave Custos for an external C2SP witness started by the test with `custos witness serve`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { splitLines, verifyExport } from '../src/modules/audit/verify';
import { submitToWitness } from '../src/modules/witness/client';
import { generateWitnessKey, verifyCosignatures } from '../src/platform/crypto/cosignature';
import { parseSignerKey } from '../src/platform/crypto/signed-note';
import type { Database } from '../src/platform/db/database';
import { createLogger } from '../src/platform/log';
import { rollBack } from './audit-tamper';
import {
  backends,
  createTestApp,
  openTestDatabase,
  type TestApp,
  TestApp as TestAppClass,
  testConfig,
} from './harness';
import { CLI_BIN, runCli } from './run-cli';

/** Starts `custos witness serve` and reads its URL and verifier key from what it prints. */
async function startWitness(
  dir: string,
  logKey: string,
): Promise<{ child: ChildProcess; url: string; key: string }> {
  const child = spawn(
    process.execPath,
    [
      CLI_BIN,
      'witness',
      'serve',
      '--key-file',
      path.join(dir, 'witness.key'),
      '--state-file',
      path.join(dir, 'witness-state.json'),
      '--log-key',
      logKey,
      '--origin-prefix',
      'custos.test/custos/audit/',
      '--port',
      '0',
      '--name',
      'witness.test/w1',
    ],
    { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() } },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening at (http:\/\/\S+) /.exec(out)?.[1];
      const key = /\n {2}(witness\.test\/w1\+[0-9a-f]{8}\+\S+)/.exec(out)?.[1];
      if (url && key) resolve({ child, url, key });
    });
    child.on('exit', (code) => reject(new Error(`witness exited ${code}: ${out}`)));
  });
}

async function ingest(t: TestApp, apiKey: string, count: number, tag: string): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => ({
    action: 'gig.booked',
    actor: { type: 'user', id: `${tag}-${i}` },
    metadata: { venue: `${tag} ${i}` },
  }));
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/audit/events/batch',
    token: apiKey,
    payload: { events },
  });
  expect(res.statusCode).toBe(201);
}

async function apiKeyFor(t: TestApp, token: string): Promise<string> {
  const created = await t.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    token,
    payload: { name: 'auditor', permissions: ['audit:write', 'audit:export', 'audit:read'] },
  });
  return created.json().secret;
}

describe.each(backends)('audit witnesses (%s)', (backend) => {
  let dir: string;
  let witness: { child: ChildProcess; url: string; key: string };
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-witness-'));
    witness = await startWitness(dir, testConfigVerifierKey());
    t = await createTestApp(backend, { config: { CUSTOS_AUDIT_WITNESSES: `${witness.url} ${witness.key}` } });
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    witness.child.kill('SIGTERM');
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a witness started by the test co-signs every new checkpoint, and the verifier checks its co-signature', async () => {
    const org = await t.createOrganization('Witnessed Co');
    const apiKey = await apiKeyFor(t, org.owner.token);
    await ingest(t, apiKey, 30, 'first');
    await t.services.audit.checkpoints.signGrownLogs();
    await t.services.audit.witnessing.idle();
    const first = (await t.inject({ url: '/api/v1/audit/checkpoint', token: apiKey })).json();
    expect(verifyCosignatures(first.note, [witness.key]).verified).toHaveLength(1);

    // The next checkpoint reaches the witness with a consistency proof from the one it co-signed.
    await ingest(t, apiKey, 25, 'second');
    await t.services.audit.checkpoints.signGrownLogs();
    await t.services.audit.witnessing.idle();
    const second = (await t.inject({ url: '/api/v1/audit/checkpoint', token: apiKey })).json();
    expect(second.treeSize).toBeGreaterThan(first.treeSize);
    expect(verifyCosignatures(second.note, [witness.key]).verified).toHaveLength(1);

    const integrity = (await t.inject({ url: '/api/v1/audit/integrity', token: apiKey })).json();
    expect(integrity.witnesses).toEqual([{ name: 'witness.test/w1', verifierKey: witness.key }]);

    // An export waits for the witnesses to co-sign the checkpoint it signs, so it carries them.
    const key = t.services.audit.signer.verifierKey;
    const cli = (extra: string[]) =>
      runCli(['audit', 'verify', '--url', baseUrl, '--api-key', apiKey, '--key', key, ...extra]);
    const required = await cli(['--witness', witness.key]);
    expect(required.stdout).toContain('OK:');
    expect(required.status).toBe(0);
    const stranger = generateWitnessKey('witness.test/stranger').verifierKey;
    const refused = await cli(['--witness', stranger]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('no valid co-signature by the witness witness.test/stranger');
  });

  it('the witness refuses a checkpoint that does not extend what it co-signed, even one signed by the log key', async () => {
    const org = await t.createOrganization('Forged For Witness Co');
    const apiKey = await apiKeyFor(t, org.owner.token);
    await ingest(t, apiKey, 12, 'base');
    const signed = await t.services.audit.checkpoints.current(org.id);
    await t.services.audit.witnessing.idle();
    if (!signed) throw new Error('no checkpoint');
    // A signer fooled into signing another history of the same size: the witness will not co-sign it.
    const forgedRoot = Buffer.alloc(32, 7);
    const signer = t.services.audit.signer;
    const forged = signer.sign(signer.body(signed.origin, signed.treeSize + 1, forgedRoot));
    const answer = await submitToWitness(witness.url, { oldSize: signed.treeSize, proof: [], note: forged });
    expect(answer.kind).toBe('refused');
    expect(answer.kind === 'refused' ? answer.status : 0).toBe(422);
  });
});

/** The test signing key's verifier key (testConfig gives every app the same signer). */
function testConfigVerifierKey(): string {
  return parseSignerKey(testConfig().auditSigningKey ?? '').verifier.verifierKey;
}

describe.each(backends)('the signer remembers outside the database (%s)', (backend) => {
  let database: Database;
  let stateDir: string;

  async function appWith(overrides: Record<string, string>): Promise<TestApp> {
    const config = testConfig({ CUSTOS_AUDIT_SIGNER_STATE_DIR: stateDir, ...overrides });
    const { app, services, deps, routes } = await buildApp({
      config,
      database,
      logger: createLogger('silent'),
      webRoot: null,
    });
    await app.ready();
    return new TestAppClass(app, services, deps, database, routes);
  }

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-signer-state-'));
  });
  afterAll(async () => {
    await database.destroy();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('an untampered log verifies after the public URL changes: its origin was fixed at its first checkpoint', async () => {
    const before = await appWith({ CUSTOS_PUBLIC_URL: 'http://custos.test' });
    const org = await before.createOrganization('Moving Co');
    const apiKey = await apiKeyFor(before, org.owner.token);
    await ingest(before, apiKey, 20, 'before');
    const kept = await before.services.audit.checkpoints.current(org.id);
    expect(kept?.origin).toBe(`custos.test/custos/audit/${org.id}`);
    await before.app.close();

    const after = await appWith({ CUSTOS_PUBLIC_URL: 'https://audit.example.org:8443' });
    await ingest(after, apiKey, 20, 'after');
    const next = await after.services.audit.checkpoints.current(org.id);
    expect(next?.origin).toBe(kept?.origin);
    const exported = await after.inject({ url: '/api/v1/audit/export', token: apiKey });
    const report = await verifyExport(splitLines([exported.body]), {
      verifierKeys: [after.services.audit.signer.verifierKey],
      trustedCheckpoints: [kept?.note ?? ''],
    });
    expect(report).toMatchObject({ ok: true, trustedCheckpoints: 1, origin: kept?.origin });
    // A new log takes the new URL.
    const fresh = await after.createOrganization('New Co');
    const freshKey = await apiKeyFor(after, fresh.owner.token);
    await ingest(after, freshKey, 2, 'new');
    expect((await after.services.audit.checkpoints.current(fresh.id))?.origin).toBe(
      `audit.example.org:8443/custos/audit/${fresh.id}`,
    );
    await after.app.close();
  });

  it('a rollback done while Custos was down is caught at start, from the memory kept beside the key', async () => {
    const first = await appWith({});
    const org = await first.createOrganization('Down Time Co');
    const apiKey = await apiKeyFor(first, org.owner.token);
    await ingest(first, apiKey, 30, 'x');
    expect(await first.services.audit.checkpoints.current(org.id)).not.toBeNull();
    await first.app.close();

    await rollBack(database.db, org.id, 10);
    const second = await appWith({});
    const alarms = await second.services.audit.checkIntegrity();
    expect(alarms.filter((a) => a.logId === org.id)).toMatchObject([{ kind: 'rolled_back' }]);
    expect(await second.services.audit.checkpoints.current(org.id)).toBeNull();
    await second.app.close();
  });

  it('a state file changed by someone without the key stops signing for that log, with the reason', async () => {
    const app = await appWith({});
    const org = await app.createOrganization('Edited State Co');
    const apiKey = await apiKeyFor(app, org.owner.token);
    await ingest(app, apiKey, 5, 'y');
    expect(await app.services.audit.checkpoints.current(org.id)).not.toBeNull();
    const file = path.join(stateDir, `${org.id}.checkpoint`);
    expect(fs.readFileSync(file, 'utf8')).toContain(`/custos/audit/${org.id}\n`);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n\d+\n/, '\n999999\n'));
    app.services.audit.signerState.refresh(org.id);
    expect(await app.services.audit.checkpoints.current(org.id)).toBeNull();
    expect(app.services.audit.alarms.ofLog(org.id)).toMatchObject([{ kind: 'signer_state_unreadable' }]);
    // The export still works and says why nothing new is signed.
    const exported = await app.inject({ url: '/api/v1/audit/export', token: apiKey });
    expect(exported.statusCode).toBe(200);
    const header = JSON.parse(exported.body.slice(0, exported.body.indexOf('\n')));
    expect(header.integrityAlarms).toMatchObject([{ kind: 'signer_state_unreadable' }]);
    await app.app.close();
  });

  it('a deleted copy of the last checkpoint is stored again from the memory, and alarms name no server path', async () => {
    const app = await appWith({});
    const org = await app.createOrganization('Deleted Checkpoint Co');
    const apiKey = await apiKeyFor(app, org.owner.token);
    await ingest(app, apiKey, 9, 'd');
    const signed = await app.services.audit.checkpoints.current(org.id);
    await database.db.deleteFrom('auditCheckpoints').where('logId', '=', org.id).execute();
    const again = await app.services.audit.checkpoints.current(org.id);
    expect(again?.note).toBe(signed?.note);
    expect(await app.services.audit.checkpoints.atSize(org.id, signed?.treeSize ?? 0)).not.toBeNull();
    await rollBack(database.db, org.id, 3);
    const [alarm] = (await app.services.audit.checkpoints.check(org.id)) ?? [];
    expect(alarm?.kind).toBe('rolled_back');
    expect(alarm?.message).not.toContain(stateDir);
    await app.app.close();
  });

  it('a signer that lost its memory adopts the newest checkpoint it signed, and still refuses a rewrite of it', async () => {
    const app = await appWith({});
    const org = await app.createOrganization('Adopted Co');
    const apiKey = await apiKeyFor(app, org.owner.token);
    await ingest(app, apiKey, 16, 'z');
    expect(await app.services.audit.checkpoints.current(org.id)).not.toBeNull();
    await app.app.close();
    const emptyState = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-signer-empty-'));
    const fresh = await appWith({ CUSTOS_AUDIT_SIGNER_STATE_DIR: emptyState });
    await ingest(fresh, apiKey, 4, 'more');
    expect(await fresh.services.audit.checkpoints.current(org.id)).not.toBeNull();
    await rollBack(database.db, org.id, 6);
    expect(await fresh.services.audit.checkpoints.current(org.id)).toBeNull();
    await fresh.app.close();
    fs.rmSync(emptyState, { recursive: true, force: true });
  });
});
