/**
 * The audit benchmarks' server process. BENCH_AUDIT_DB says on what it runs:
 *   sqlite   a fresh SQLite file in a temporary data directory;
 *   postgres a fresh schema of BENCH_AUDIT_PG_URL, dropped at shutdown;
 *   dataset  a copy of the cached search data set in BENCH_AUDIT_DATASET (see audit-data.ts).
 * Prints one JSON line (ServerInfo) with its URL and API keys once it listens.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '@custos/server';
import { loadConfig } from '@custos/server/config';
import { type Database, migrateToLatest, openDatabase } from '@custos/server/db';
import { createLogger } from '@custos/server/log';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { generateSignerKey } from '../packages/server/src/platform/crypto/signed-note';
import type { DatasetMeta } from './audit-data';
import { PASSWORD } from './common';

export interface OrgKeys {
  orgId: string;
  /** audit:write */
  writeKey: string;
  /** audit:read only */
  readKey: string;
  /** audit:export and audit:read */
  exportKey: string;
}

export interface ServerInfo {
  url: string;
  dialect: 'sqlite' | 'postgres';
  orgs: OrgKeys[];
}

async function freshPostgres(url: string): Promise<{ database: Database; drop: () => Promise<void> }> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase({ kind: 'postgres', url, schema });
  await migrateToLatest(database);
  const drop = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema ${schema} cascade`);
    await client.end();
  };
  return { database, drop };
}

/** A key of the signed-in owner's organization with the given permissions. */
async function createKey(app: FastifyInstance, token: string, permissions: string[]): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: { authorization: `Bearer ${token}` },
    payload: { name: `bench ${permissions.join(' ')}`, permissions },
  });
  if (res.statusCode !== 201) throw new Error(`creating an API key failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { secret: string }).secret;
}

async function keysFor(app: FastifyInstance, orgId: string, email: string): Promise<OrgKeys> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password: PASSWORD, tokenType: 'bearer' },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const { token } = res.json() as { token: string };
  return {
    orgId,
    writeKey: await createKey(app, token, ['audit:write']),
    readKey: await createKey(app, token, ['audit:read']),
    exportKey: await createKey(app, token, ['audit:read', 'audit:export']),
  };
}

/**
 * Records the size and duration of every group-commit transaction. GroupCommitter.commit is private,
 * so it is wrapped on the instance: diagnostics for this benchmark only, nothing the server exposes.
 */
function watchGroupCommits(committer: object) {
  type Group = Array<{ drafts: unknown[] }>;
  const target = committer as { commit: (group: Group) => Promise<void> };
  const original = target.commit.bind(committer);
  const sizes: number[] = [];
  const millis: number[] = [];
  target.commit = async (group) => {
    const started = performance.now();
    await original(group);
    millis.push(performance.now() - started);
    sizes.push(group.reduce((n, p) => n + p.drafts.length, 0));
  };
  const p = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))] ?? 0;
  return {
    summary(): string | null {
      if (sizes.length === 0) return null;
      const events = sizes.reduce((a, b) => a + b, 0);
      const ms = millis.reduce((a, b) => a + b, 0);
      return (
        `group commits: ${sizes.length} transactions, ${events} events; events/transaction mean ${(events / sizes.length).toFixed(1)}, ` +
        `p50 ${p(sizes, 0.5)}, max ${Math.max(...sizes)}; transaction ms mean ${(ms / sizes.length).toFixed(2)}, p99 ${p(millis, 0.99).toFixed(1)}`
      );
    },
  };
}

const mode = process.env.BENCH_AUDIT_DB ?? 'sqlite';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-bench-audit-'));
const meta: DatasetMeta | null =
  mode === 'dataset'
    ? (JSON.parse(
        fs.readFileSync(path.join(process.env.BENCH_AUDIT_DATASET ?? '', 'dataset.meta'), 'utf8'),
      ) as DatasetMeta)
    : null;
const config = loadConfig({
  CUSTOS_DATA_DIR: dataDir,
  CUSTOS_LOG_LEVEL: 'silent',
  CUSTOS_SIGN_IN_LIMIT_PER_IP: '1000000',
  CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '1000000',
  CUSTOS_MASTER_KEY: meta?.masterKey ?? randomBytes(32).toString('base64'),
  CUSTOS_AUDIT_SIGNING_KEY: meta?.signingKey ?? generateSignerKey('bench.custos/audit').signerKey,
});

let database: Database;
let drop = async () => {};
if (mode === 'postgres') {
  ({ database, drop } = await freshPostgres(process.env.BENCH_AUDIT_PG_URL ?? ''));
} else {
  const file = path.join(dataDir, 'custos.db');
  if (meta) fs.copyFileSync(path.join(process.env.BENCH_AUDIT_DATASET ?? '', 'custos.db'), file);
  database = openDatabase({ kind: 'sqlite', file });
  await migrateToLatest(database);
}
const { app, services } = await buildApp({ config, database, logger: createLogger('silent'), webRoot: null });

const owners: Array<{ orgId: string; email: string }> = meta
  ? meta.orgs.map((o) => ({ orgId: o.id, email: o.ownerEmail }))
  : [];
if (!meta) {
  const email = `bench.${Date.now()}@example.com`;
  const { organization } = await services.setup.createAdminFromCli({
    email,
    name: 'Bench',
    password: PASSWORD,
    organizationName: 'Bench Org',
  });
  owners.push({ orgId: organization.id, email });
}
const groups = watchGroupCommits(services.audit.committer);
const orgs: OrgKeys[] = [];
for (const owner of owners) orgs.push(await keysFor(app, owner.orgId, owner.email));

const url = await app.listen({ port: 0, host: '127.0.0.1' });
const info: ServerInfo = { url, dialect: database.dialect, orgs };
process.stdout.write(`${JSON.stringify(info)}\n`);

process.on('SIGTERM', async () => {
  const summary = groups.summary();
  if (summary) process.stdout.write(`${summary}\n`);
  await app.close();
  await database.destroy();
  await drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
