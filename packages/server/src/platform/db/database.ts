import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CamelCasePlugin,
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../config';
import { withAfterCommit } from './after-commit';
import * as foundation from './migrations/0001_foundation';
import * as emailVerification from './migrations/0002_email_verification';
import * as auditTrail from './migrations/0003_audit_trail';
import * as signInHardening from './migrations/0004_sign_in_hardening';
import * as accessControl from './migrations/0005_access_control';
import * as threatDetection from './migrations/0006_threat_detection';
import * as auditIntegrity from './migrations/0007_audit_integrity';
import * as alertCheckpoints from './migrations/0008_alert_checkpoints';
import * as securityEventSources from './migrations/0009_security_event_sources';
import * as responseDelivery from './migrations/0010_response_delivery';
import * as signInTrust from './migrations/0011_sign_in_trust';
import * as sessionsIndexDiet from './migrations/0012_sessions_index_diet';
import * as searchIndexBatches from './migrations/0013_search_index_batches';
import * as privacy from './migrations/0014_privacy';
import type { DB } from './schema';
import { SqliteFifoDialect } from './sqlite-driver';
import { DEFAULT_STATEMENT_TIMEOUTS, withStatementTimeouts } from './statement-timeout';
import { analyzeAfterMigrations } from './statistics';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** PostgreSQL schema the connection works in, when not the default (tests use one per file). */
  schema?: string;
  destroy(): Promise<void>;
}

// PostgreSQL bigint (int8) and numeric counts arrive as strings by default; our values fit in a double.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/**
 * Twice the CPU cores, at least 4: connections beyond what the database can run at once only
 * queue inside it (measured: on 2 cores, 10 connections tripled the alert latency under load).
 */
function defaultPoolSize(): number {
  return Math.max(4, 2 * os.availableParallelism());
}

/** Opens the configured database. SQLite runs in WAL mode with foreign keys on. */
export function openDatabase(config: DatabaseConfig): Database {
  if (config.kind === 'sqlite') {
    if (config.file !== ':memory:') fs.mkdirSync(path.dirname(config.file), { recursive: true });
    const sqlite = new SqliteDatabase(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<DB>({
      dialect: withAfterCommit(new SqliteFifoDialect(sqlite)),
      plugins: [new CamelCasePlugin()],
    });
    return { db, dialect: 'sqlite', destroy: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize ?? defaultPoolSize(),
    ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
  });
  const db = new Kysely<DB>({
    dialect: withAfterCommit(
      withStatementTimeouts(
        new PostgresDialect({ pool }),
        config.statementTimeouts ?? DEFAULT_STATEMENT_TIMEOUTS,
      ),
    ),
    plugins: [new CamelCasePlugin()],
  });
  return {
    db,
    dialect: 'postgres',
    ...(config.schema ? { schema: config.schema } : {}),
    destroy: () => db.destroy(),
  };
}

type MigrationModule = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> };

/** Every migration, in order. Each receives the dialect so it can branch only where it must. */
const MIGRATIONS: Record<string, MigrationModule> = {
  '0001_foundation': foundation,
  '0002_email_verification': emailVerification,
  '0003_audit_trail': auditTrail,
  '0004_sign_in_hardening': signInHardening,
  '0005_access_control': accessControl,
  '0006_threat_detection': threatDetection,
  '0007_audit_integrity': auditIntegrity,
  '0008_alert_checkpoints': alertCheckpoints,
  '0009_security_event_sources': securityEventSources,
  '0010_response_delivery': responseDelivery,
  '0011_sign_in_trust': signInTrust,
  '0012_sessions_index_diet': sessionsIndexDiet,
  '0013_search_index_batches': searchIndexBatches,
  '0014_privacy': privacy,
};

class DialectAwareProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const entries = Object.entries(MIGRATIONS).map(([name, m]): [string, Migration] => [
      name,
      { up: (db) => m.up(db, this.dialect) },
    ]);
    return Object.fromEntries(entries);
  }
}

/**
 * Applies pending migrations, then (PostgreSQL) analyzes what they changed; returns the names applied.
 * Throws on the first failure.
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: new DialectAwareProvider(database.dialect),
    // Without this Kysely looks for its bookkeeping tables in every schema and may find another's.
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  await analyzeAfterMigrations(database, applied.length > 0);
  return applied;
}
