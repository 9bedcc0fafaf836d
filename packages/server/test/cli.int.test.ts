import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/custos.js');

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  return spawnSync(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('custos CLI', () => {
  it('documents each command with --help', () => {
    const top = run(['--help']);
    expect(top.status).toBe(0);
    for (const cmd of ['serve', 'migrate', 'admin']) expect(top.stdout).toContain(cmd);
    const create = run(['admin', 'create', '--help']);
    expect(create.stdout).toContain('--password-stdin');
    expect(run(['serve', '--help']).status).toBe(0);
    expect(run(['migrate', '--help']).status).toBe(0);
  });

  it('migrates and creates a super admin without prompts; refuses weak passwords and duplicates', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-cli-'));
    const env = { CUSTOS_DATA_DIR: dir };
    const migrate = run(['migrate'], env);
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toContain('0001_foundation');
    expect(run(['migrate'], env).stdout).toContain('up to date');
    const created = run(
      ['admin', 'create', '--email', 'ops@example.com', '--organization', 'Ops Team', '--password-stdin'],
      env,
      'correct horse battery staple\n',
    );
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('ops@example.com');
    const weak = run(
      ['admin', 'create', '--email', 'b@example.com', '--organization', 'B Org', '--password-stdin'],
      env,
      'short\n',
    );
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('PASSWORD_TOO_SHORT');
    const dup = run(
      ['admin', 'create', '--email', 'ops@example.com', '--organization', 'Again', '--password-stdin'],
      env,
      'correct horse battery staple\n',
    );
    expect(dup.stderr).toContain('EMAIL_TAKEN');
    const badEmail = run(
      ['admin', 'create', '--email', 'nope', '--organization', 'X Org', '--password-stdin'],
      env,
      'x',
    );
    expect(badEmail.status).toBe(2);
    expect(fs.existsSync(path.join(dir, 'custos.db'))).toBe(true);
  });

  it('stops on bad configuration, naming the variable', () => {
    const res = run(['migrate'], { CUSTOS_PORT: 'abc' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('CUSTOS_PORT');
  });
});
