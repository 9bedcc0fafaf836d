/**
 * The access benchmark's server process: Custos on a fresh SQLite file, or on a fresh schema of
 * BENCH_ACCESS_PG_URL (dropped at shutdown), with one organization and its owner. Everything else
 * (API key, host-app permissions, role, member) is seeded over HTTP by access-http.ts. Prints one JSON
 * line with the URL and the owner's credentials once it listens.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '@custos/server';
import { loadConfig } from '@custos/server/config';
import { type Database, migrateToLatest, openDatabase } from '@custos/server/db';
import { createLogger } from '@custos/server/log';
import pg from 'pg';
import { PASSWORD } from './common';

export interface AccessServerInfo {
  url: string;
  dialect: 'sqlite' | 'postgres';
  email: string;
  password: string;
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-bench-access-'));
const config = loadConfig({
  CUSTOS_DATA_DIR: dataDir,
  CUSTOS_LOG_LEVEL: 'silent',
  CUSTOS_SIGN_IN_LIMIT_PER_IP: '1000000',
  CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '1000000',
});
const pgUrl = process.env.BENCH_ACCESS_PG_URL;
const schema = `bench_${randomBytes(6).toString('hex')}`;
let database: Database;
if (pgUrl) {
  await admin(pgUrl, `create schema ${schema}`);
  database = openDatabase({ kind: 'postgres', url: pgUrl, schema });
} else {
  database = openDatabase({ kind: 'sqlite', file: path.join(dataDir, 'custos.db') });
}
await migrateToLatest(database);
const { app, services } = await buildApp({ config, database, logger: createLogger('silent'), webRoot: null });
const email = `bench.${Date.now()}@example.com`;
await services.setup.createAdminFromCli({
  email,
  name: 'Bench',
  password: PASSWORD,
  organizationName: 'Bench Org',
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const info: AccessServerInfo = { url, dialect: database.dialect, email, password: PASSWORD };
process.stdout.write(`${JSON.stringify(info)}\n`);

process.on('SIGTERM', async () => {
  await app.close();
  await database.destroy();
  if (pgUrl) await admin(pgUrl, `drop schema ${schema} cascade`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
