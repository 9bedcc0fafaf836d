import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHashOfCanonical } from '../src/modules/audit/event';
import { generateSignerKey } from '../src/platform/crypto/signed-note';
import { createTestApp, type TestApp, type TestOrg } from './harness';
import { runCli } from './run-cli';

describe('custos audit verify', () => {
  let t: TestApp;
  let org: TestOrg;
  let apiKey: string;
  let baseUrl: string;
  let verifierKey: string;
  let dir: string;
  let good: string;
  let tampered: string;
  let tamperedSeq: number;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    org = await t.createOrganization('CLI Verify Co');
    const created = await t.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: org.owner.token,
      payload: { name: 'verifier', permissions: ['audit:write', 'audit:export'] },
    });
    apiKey = created.json().secret;
    const events = Array.from({ length: 40 }, (_, i) => ({
      action: 'gig.booked',
      actor: { type: 'user', id: `member-${i}`, name: 'Ada Lovelace' },
      metadata: { venue: `Hall ${i}` },
    }));
    const ingested = await t.inject({
      method: 'POST',
      url: '/api/v1/audit/events/batch',
      token: apiKey,
      payload: { events },
    });
    tamperedSeq = ingested.json().receipts[20].seq;
    verifierKey = t.services.audit.signer.verifierKey;

    const exported = await t.inject({ url: '/api/v1/audit/export', token: apiKey });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-verify-'));
    good = path.join(dir, 'good.jsonl');
    fs.writeFileSync(good, exported.body);
    tampered = path.join(dir, 'tampered.jsonl');
    const lines = exported.body.split('\n').map((line) => {
      if (!line.includes(`"seq":${tamperedSeq},`)) return line;
      const record = JSON.parse(line);
      return JSON.stringify({ ...record, body: record.body.replace('Hall 20', 'Hall 99') });
    });
    fs.writeFileSync(tampered, lines.join('\n'));
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is documented in --help', async () => {
    expect((await runCli(['--help'])).stdout).toContain('audit');
    const help = await runCli(['audit', 'verify', '--help']);
    expect(help.status).toBe(0);
    for (const option of ['--key', '--url', '--api-key', '--output', 'CUSTOS_API_KEY', 'Exit status']) {
      expect(help.stdout).toContain(option);
    }
  });

  it('verifies a good file against a pinned key (exit 0)', async () => {
    const res = await runCli(['audit', 'verify', good, '--key', verifierKey]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/Checked \d+ events and \d+ checkpoints in [\d.]+ s \([\d,]+ events\/s\)/);
    expect(res.stdout).toMatch(
      /OK: \d+ events verified against checkpoint \d+ signed by custos\.test\/custos-audit/,
    );
  });

  it('warns when the keys come from the file itself, and reports JSON on request', async () => {
    const res = await runCli(['audit', 'verify', good, '--output', 'json']);
    expect(res.status).toBe(0);
    expect(res.stderr).toContain('warning: no --key given');
    expect(JSON.parse(res.stdout)).toMatchObject({
      ok: true,
      keysFromExport: true,
      keysFrom: 'the export header',
      firstProblem: null,
    });
  });

  it('fails a tampered file with the FAILED line (exit 1), and a file signed by another key', async () => {
    const res = await runCli(['audit', 'verify', tampered, '--key', verifierKey]);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain(`FAILED: modified at seq ${tamperedSeq}: `);
    const stranger = generateSignerKey('custos.test/custos-audit').verifierKey;
    const wrongKey = await runCli(['audit', 'verify', good, '--key', stranger]);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stdout).toContain('FAILED: bad-signature');
  });

  it('streams the export from a live server over HTTP and verifies it', async () => {
    const res = await runCli(['audit', 'verify', '--url', baseUrl], { CUSTOS_API_KEY: apiKey });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('OK: ');

    // Tampering in the database shows up in the next verification.
    const row = await t.db
      .selectFrom('auditEvents')
      .select(['body'])
      .where('logId', '=', org.id)
      .where('seq', '=', tamperedSeq)
      .executeTakeFirstOrThrow();
    const body = String(row.body).replace('Hall 20', 'Hall 99');
    const set = (values: { body: string; leafHash?: string }) =>
      t.db
        .updateTable('auditEvents')
        .set(values)
        .where('logId', '=', org.id)
        .where('seq', '=', tamperedSeq)
        .execute();
    await set({ body, leafHash: leafHashOfCanonical(body) });
    const failed = await runCli([
      'audit',
      'verify',
      '--url',
      baseUrl,
      '--api-key',
      apiKey,
      '--key',
      verifierKey,
    ]);
    await set({ body: String(row.body) });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain(`FAILED: modified at seq ${tamperedSeq}: `);
  });

  it('exits 2 on usage errors and when the export cannot be read', async () => {
    const cases: [string[], string][] = [
      [['audit', 'verify'], 'either an export file or --url'],
      [['audit', 'verify', good, '--url', baseUrl], 'either an export file or --url'],
      [['audit', 'verify', '--url', baseUrl], '--api-key'],
      [['audit', 'verify', good, '--key', 'not-a-key'], '--key not-a-key'],
      [['audit', 'verify', path.join(dir, 'nope.jsonl')], 'no such file'],
      [['audit', 'verify', good, '--output', 'xml'], 'xml'],
      [['audit', 'verify', '--url', baseUrl, '--api-key', 'custos_wrong'], 'the export failed: 401'],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((res, i) => {
      const [args, message] = cases[i] as [string[], string];
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toContain(message);
    });
  });
});
