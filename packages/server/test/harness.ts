import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { buildApp, type RegisteredRoute, type Services } from '../src/app';
import { type Config, loadConfig } from '../src/config';
import type { Deps } from '../src/deps';
import { presentRows } from '../src/modules/audit/present';
import { searchEvents } from '../src/modules/audit/search-store';
import { totpCodeAt } from '../src/modules/mfa';
import { generateSignerKey } from '../src/platform/crypto/signed-note';
import { hashToken } from '../src/platform/crypto/tokens';
import { type Database, migrateToLatest, openDatabase } from '../src/platform/db/database';
import type { DB } from '../src/platform/db/schema';
import type { StatementTimeouts } from '../src/platform/db/statement-timeout';
import { createLogger } from '../src/platform/log';
import type { Mailer } from '../src/platform/mail/mailer';
import type { RateLimiter } from '../src/platform/ratelimit/limiter';

export type Backend = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when CUSTOS_TEST_DATABASE_URL is set (CI sets it). */
export const backends: Backend[] = process.env.CUSTOS_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export const PASSWORD = 'correct horse battery staple';

/**
 * A fresh, migrated database: in-memory SQLite, or a new schema of the PostgreSQL test database
 * (with the given statement timeouts, the defaults otherwise).
 */
export async function openTestDatabase(
  backend: Backend,
  statementTimeouts?: StatementTimeouts,
): Promise<Database> {
  if (backend === 'sqlite') {
    const database = openDatabase({ kind: 'sqlite', file: ':memory:' });
    await migrateToLatest(database);
    return database;
  }
  const url = process.env.CUSTOS_TEST_DATABASE_URL;
  if (!url) throw new Error('CUSTOS_TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase({
    kind: 'postgres',
    url,
    schema,
    ...(statementTimeouts ? { statementTimeouts } : {}),
  });
  await migrateToLatest(database);
  return {
    ...database,
    async destroy() {
      await database.destroy();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`drop schema ${schema} cascade`);
      await dropper.end();
    },
  };
}

/** Keys are made per test run, never read from or written to a data directory. */
const TEST_MASTER_KEY = randomBytes(32).toString('base64');
const TEST_SIGNING_KEY = generateSignerKey('custos.test/custos-audit').signerKey;

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    CUSTOS_MASTER_KEY: TEST_MASTER_KEY,
    CUSTOS_AUDIT_SIGNING_KEY: TEST_SIGNING_KEY,
    // Each app its own signer memory: apps share the key but never a database schema.
    CUSTOS_AUDIT_SIGNER_STATE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'custos-signer-')),
    CUSTOS_PUBLIC_URL: 'http://custos.test',
    CUSTOS_LOG_LEVEL: 'silent',
    CUSTOS_SIGN_IN_LIMIT_PER_IP: '100000',
    CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '100000',
    ...overrides,
  });
}

export interface InjectOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  url: string;
  token?: string;
  payload?: unknown;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  remoteAddress?: string;
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export interface TestOrg {
  id: string;
  name: string;
  owner: TestUser;
}

export class TestApp {
  private counter = 0;

  constructor(
    readonly app: FastifyInstance,
    readonly services: Services,
    readonly deps: Deps,
    readonly database: Database,
    readonly routes: RegisteredRoute[] = [],
  ) {}

  get db(): Kysely<DB> {
    return this.database.db;
  }

  inject(options: InjectOptions) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    return this.app.inject({
      method: options.method ?? 'GET',
      url: options.url,
      headers,
      cookies: options.cookies,
      remoteAddress: options.remoteAddress,
      ...(options.payload !== undefined ? { payload: options.payload as object } : {}),
    });
  }

  uniqueEmail(prefix = 'user'): string {
    this.counter += 1;
    return `${prefix}.${this.counter}.${randomBytes(3).toString('hex')}@example.com`;
  }

  async signIn(email: string, password = PASSWORD, organization?: string): Promise<string> {
    const res = await this.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password, tokenType: 'bearer', ...(organization ? { organization } : {}) },
    });
    if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
    return res.json().token;
  }

  /** A new organization with an owner (a super admin when asked), signed in with a bearer token. */
  async createOrganization(
    name = `Org ${this.counter + 1}`,
    options: { superAdmin?: boolean } = {},
  ): Promise<TestOrg> {
    const email = this.uniqueEmail('owner');
    const { user, organization } = await this.services.setup.createAdminFromCli({
      email,
      name: 'Owner Person',
      password: PASSWORD,
      organizationName: name,
    });
    if (!options.superAdmin)
      await this.db.updateTable('users').set({ isSuperAdmin: 0 }).where('id', '=', user.id).execute();
    return {
      id: organization.id,
      name: organization.name,
      owner: { id: user.id, email, token: await this.signIn(email) },
    };
  }

  /**
   * Switches every detector and response off for the organization, through the API (the owner has
   * just signed in, so step-up holds). For tests of other features that deliberately do what
   * detection would answer (self-grant attempts, failed sign-ins), so its responses stay out.
   */
  async disableDetection(org: TestOrg): Promise<void> {
    const { DETECTOR_TYPES } = await import('@custos/shared');
    const { FIXED_DETECTORS } = await import('../src/modules/threats/detect');
    // The audit trail's own tamper alarm cannot be switched off (and no test provokes it by accident).
    const detectors = Object.fromEntries(
      DETECTOR_TYPES.filter((type) => !FIXED_DETECTORS.has(type)).map((type) => [
        type,
        { enabled: false, severity: 'low', thresholds: {} },
      ]),
    );
    const res = await this.inject({
      method: 'PUT',
      url: '/api/v1/security/settings',
      token: org.owner.token,
      payload: { detectors, responses: [] },
    });
    if (res.statusCode !== 200) throw new Error(`disabling detection failed: ${res.statusCode} ${res.body}`);
  }

  /** Adds a member with the given roles by invitation, the way a person would join. */
  async addMember(org: TestOrg, roles: string[], email = this.uniqueEmail('member')): Promise<TestUser> {
    const invited = await this.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      token: org.owner.token,
      payload: { email, roles },
    });
    if (invited.statusCode !== 201) throw new Error(`invite failed: ${invited.statusCode} ${invited.body}`);
    const token = new URL(invited.json().inviteUrl).hash.replace('#token=', '');
    const accepted = await this.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Member Person', password: PASSWORD, tokenType: 'bearer' },
    });
    if (accepted.statusCode !== 200)
      throw new Error(`accept failed: ${accepted.statusCode} ${accepted.body}`);
    const json = accepted.json();
    return { id: json.user.id, email, token: json.token };
  }

  /**
   * Adds an authenticator app to a signed-in user (they just signed in, so no step-up is needed)
   * and returns its secret, the first recovery codes and the session's new token.
   */
  async enrollTotp(
    token: string,
    name = 'Phone',
  ): Promise<{ secret: string; factorId: string; recoveryCodes: string[]; token: string }> {
    const started = await this.inject({
      method: 'POST',
      url: '/api/v1/me/factors/totp',
      token,
      payload: { name },
    });
    if (started.statusCode !== 201)
      throw new Error(`totp start failed: ${started.statusCode} ${started.body}`);
    const { factorId, secret } = started.json();
    const confirmed = await this.inject({
      method: 'POST',
      url: `/api/v1/me/factors/totp/${factorId}/confirm`,
      token,
      payload: { code: totpCodeAt(secret) },
    });
    if (confirmed.statusCode !== 200)
      throw new Error(`totp confirm failed: ${confirmed.statusCode} ${confirmed.body}`);
    const body = confirmed.json();
    return { secret, factorId, recoveryCodes: body.recoveryCodes ?? [], token: body.token };
  }

  /**
   * Signs in a user who has an authenticator app: password, then a TOTP code. `at` picks the
   * code's moment (a step not used before, since each step is accepted once).
   */
  async signInWithTotp(
    email: string,
    secret: string,
    at = Date.now() + 30_000,
    password = PASSWORD,
  ): Promise<string> {
    const first = await this.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password, tokenType: 'bearer' },
    });
    if (first.statusCode !== 200 || !first.json().mfaRequired)
      throw new Error(`sign-in failed: ${first.statusCode} ${first.body}`);
    const verified = await this.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/verify',
      payload: {
        challenge: first.json().challenge,
        method: 'totp',
        code: totpCodeAt(secret, at),
        tokenType: 'bearer',
      },
    });
    if (verified.statusCode !== 200)
      throw new Error(`mfa verify failed: ${verified.statusCode} ${verified.body}`);
    return verified.json().token;
  }

  /** Moves a session's last verification into the past, so sensitive actions ask for step-up. */
  async expireStepUp(token: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ stepUpAt: null })
      .where('tokenHash', '=', hashToken(token))
      .execute();
  }

  /** A log's events, newest first, as the API presents them (personal fields opened). */
  async auditEvents(logId: string, limit = 1000) {
    const rows = await searchEvents(this.db, this.database.dialect, logId, {}, { limit });
    return presentRows(this.db, this.services.audit.keyring, logId, rows);
  }

  async lastAuditEvent(logId: string) {
    const [event] = await this.auditEvents(logId, 1);
    return event;
  }

  async count(table: keyof DB): Promise<number> {
    const row = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.database.destroy();
  }
}

export async function createTestApp(
  backend: Backend,
  options: {
    config?: Record<string, string>;
    mailer?: Mailer;
    limiter?: RateLimiter;
    statementTimeouts?: StatementTimeouts;
  } = {},
): Promise<TestApp> {
  const database = await openTestDatabase(backend, options.statementTimeouts);
  const config = testConfig(options.config);
  const { app, services, deps, routes } = await buildApp({
    config,
    database,
    logger: createLogger('silent'),
    webRoot: null,
    ...(options.mailer ? { mailer: options.mailer } : {}),
    ...(options.limiter ? { limiter: options.limiter } : {}),
  });
  await app.ready();
  return new TestApp(app, services, deps, database, routes);
}
