import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { signerPlacementWarnings } from './signer';

const base = { CUSTOS_LOG_LEVEL: 'silent' };

describe('signing key placement (issue 14)', () => {
  it('warns when the key and the signer memory sit beside the SQLite database (the default)', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-data-'));
    const warnings = signerPlacementWarnings(loadConfig({ ...base, CUSTOS_DATA_DIR: dataDir }));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('CUSTOS_AUDIT_SIGNING_KEY_FILE');
    expect(warnings[1]).toContain('CUSTOS_AUDIT_SIGNER_STATE_DIR');
  });

  it('is quiet when the key file lives elsewhere (its memory follows it by default)', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-data-'));
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-keys-'));
    const config = loadConfig({
      ...base,
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_AUDIT_SIGNING_KEY_FILE: path.join(keyDir, 'audit-signing.key'),
    });
    expect(config.auditSignerStateDir).toBe(path.join(keyDir, 'audit-signer-state'));
    expect(signerPlacementWarnings(config)).toEqual([]);
  });

  it('warns about the memory alone when the key comes inline but the memory stays in the data directory', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-data-'));
    const config = loadConfig({
      ...base,
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_AUDIT_SIGNING_KEY: 'PRIVATE+KEY+custos.test/custos-audit+00000000+AQ==',
    });
    const warnings = signerPlacementWarnings(config);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('memory');
  });

  it('parses witnesses as "<url> <verifier key>" entries and refuses anything else', () => {
    const config = loadConfig({
      ...base,
      CUSTOS_AUDIT_WITNESSES:
        'https://w1.example/ w1.example/w+0a0b0c0d+BAAA, http://w2.example:7380 w2/w+01020304+BBBB',
    });
    expect(config.auditWitnesses).toEqual([
      { url: 'https://w1.example', verifierKey: 'w1.example/w+0a0b0c0d+BAAA' },
      { url: 'http://w2.example:7380', verifierKey: 'w2/w+01020304+BBBB' },
    ]);
    expect(() => loadConfig({ ...base, CUSTOS_AUDIT_WITNESSES: 'w1.example' })).toThrow(
      /CUSTOS_AUDIT_WITNESSES/,
    );
  });
});
