/**
 * A fresh, migrated database for the threat-detection benchmarks: a SQLite file in a temporary data
 * directory, or a new schema of `postgresUrl` that `cleanup` drops again (as the other benchmarks do).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '@custos/server/config';
import { type Database, migrateToLatest, openDatabase } from '@custos/server/db';
import pg from 'pg';
import { generateSignerKey } from '../packages/server/src/platform/crypto/signed-note';

export type Backend = 'sqlite' | 'postgres';

export const postgresUrl = process.env.CUSTOS_BENCH_DATABASE_URL ?? process.env.CUSTOS_TEST_DATABASE_URL;

export interface BenchDatabase {
  database: Database;
  /** The data directory (SQLite file, keys): a temporary folder either way. */
  dataDir: string;
  /** Closes the database, drops the schema (PostgreSQL) and removes the data directory. */
  cleanup(): Promise<void>;
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

export async function freshDatabase(pgUrl: string | null): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-bench-threats-'));
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  let database: Database;
  if (pgUrl) {
    await admin(pgUrl, `create schema ${schema}`);
    database = openDatabase({ kind: 'postgres', url: pgUrl, schema });
  } else {
    database = openDatabase({ kind: 'sqlite', file: path.join(dataDir, 'custos.db') });
  }
  await migrateToLatest(database);
  return {
    database,
    dataDir,
    async cleanup() {
      await database.destroy();
      if (pgUrl) await admin(pgUrl, `drop schema ${schema} cascade`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The server's configuration for these benchmarks: fixed-window sign-in limits out of the way. */
export function benchConfig(dataDir: string): Config {
  return loadConfig({
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_LOG_LEVEL: 'silent',
    // Detection (not the fixed-window limiter) must be what answers the attack traffic.
    CUSTOS_SIGN_IN_LIMIT_PER_IP: '1000000',
    CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '1000000',
    // The load generator is the proxy: X-Forwarded-For gives every request the client IP it plays.
    CUSTOS_TRUST_PROXY: '127.0.0.1',
    CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
    CUSTOS_AUDIT_SIGNING_KEY: generateSignerKey('bench.custos/threats').signerKey,
  });
}
