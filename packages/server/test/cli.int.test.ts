import { spawn, spawnSync } from 'node:child_process';
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

describe('custos serve', () => {
  it('prints a one-time setup link on an empty database, serves, and shuts down gracefully on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-serve-'));
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: os.tmpdir(),
        CUSTOS_DATA_DIR: dir,
        CUSTOS_PORT: '0',
        CUSTOS_LOG_LEVEL: 'info',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!output.includes('setup#token=') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(output).toMatch(
      /First run: open http:\/\/localhost:0\/setup#token=[A-Za-z0-9_-]{43} to create the first administrator/,
    );
    const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(listening).toBeDefined();
    const health = await fetch(`${listening}/api/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shutting down');
  });
});
