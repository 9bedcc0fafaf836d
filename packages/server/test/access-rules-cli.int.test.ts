import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
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

describe('custos access-rules disable (break-glass)', () => {
  it('switches off every rule of a locked-out organization, audited as the system', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-access-cli-'));
    const env = { CUSTOS_DATA_DIR: dir };
    const help = run(['access-rules', 'disable', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--org');
    expect(run(['--help']).stdout).toContain('access-rules');

    const created = run(
      ['admin', 'create', '--email', 'ops@example.com', '--organization', 'Locked Org', '--password-stdin'],
      env,
      'correct horse battery staple\n',
    );
    expect(created.status, created.stderr).toBe(0);

    // The lockout: a rule nobody's address matches, written the way the editor stores it.
    const file = path.join(dir, 'custos.db');
    const db = new SqliteDatabase(file);
    const org = db
      .prepare("select id, access_version from organizations where slug = 'locked-org'")
      .get() as {
      id: string;
      access_version: number;
    };
    const at = new Date().toISOString();
    for (const [id, enabled] of [
      ['01900000-0000-7000-8000-00000000a001', 1],
      ['01900000-0000-7000-8000-00000000a002', 0],
    ] as const) {
      db.prepare(
        `insert into access_rules (id, organization_id, kind, effect, target, role, value, description, enabled, created_by, created_at, updated_at)
         values (?, ?, 'ip', 'allow', 'everyone', null, '["192.0.2.0/24"]', 'Old office', ?, null, ?, ?)`,
      ).run(id, org.id, enabled, at, at);
    }
    db.close();

    const disabled = run(['access-rules', 'disable', '--org', 'locked-org'], env);
    expect(disabled.stderr).toBe('');
    expect(disabled.status).toBe(0);
    expect(disabled.stdout).toContain('Disabled 1 access rule(s) of "Locked Org" (locked-org)');
    expect(run(['access-rules', 'disable', '--org', 'locked-org'], env).stdout).toContain('nothing to do');

    const after = new SqliteDatabase(file, { readonly: true });
    const rules = after.prepare('select id, enabled from access_rules order by id').all();
    expect(rules).toEqual([
      { id: '01900000-0000-7000-8000-00000000a001', enabled: 0 },
      { id: '01900000-0000-7000-8000-00000000a002', enabled: 0 },
    ]);
    const version = after.prepare('select access_version from organizations where id = ?').get(org.id) as {
      access_version: number;
    };
    expect(version.access_version).toBeGreaterThan(org.access_version);
    const events = after
      .prepare(
        "select actor_type as actorType, source from audit_events where log_id = ? and action = 'access_rule.updated'",
      )
      .all(org.id);
    expect(events).toEqual([
      { actorType: 'system', source: 'system' },
      { actorType: 'system', source: 'system' },
    ]);
    after.close();

    const unknown = run(['access-rules', 'disable', '--org', 'no-such-org'], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('ORGANIZATION_NOT_FOUND');
    expect(run(['access-rules', 'disable'], env).status).not.toBe(0);
  });
});
