/**
 * Every table has one owning module, and only that module's store files read or write it. A new
 * query from anywhere else fails here, as a new audited change without its event fails
 * audit-completeness. The exceptions are read models named below: they join several modules' tables
 * to answer one screen or one request, read only, and say so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');

/** Table (as Kysely names it) → the folder of its owner, relative to src/. */
const OWNER: Record<string, string> = {
  users: 'modules/identity',
  organizations: 'modules/identity',
  memberships: 'modules/identity',
  sessions: 'modules/sessions',
  userSignInOrigins: 'modules/sessions',
  trustedDevices: 'modules/sessions',
  invitations: 'modules/invitations',
  apiKeys: 'modules/apikeys',
  passwordResetTokens: 'modules/auth',
  mfaFactors: 'modules/mfa',
  recoveryCodes: 'modules/mfa',
  authChallenges: 'modules/mfa',
  securityPolicies: 'modules/security',
  roles: 'modules/access',
  appPermissions: 'modules/access',
  accessRules: 'modules/access',
  setupTokens: 'modules/setup',
  outbox: 'modules/outbox',
  cryptoKeys: 'platform/crypto',
  auditEvents: 'modules/audit',
  auditLogHeads: 'modules/audit',
  auditEventTargets: 'modules/audit',
  auditTreeNodes: 'modules/audit',
  auditCheckpoints: 'modules/audit',
  auditWitnessHeads: 'modules/audit',
  auditQuarantinedRows: 'modules/audit',
  auditIdempotencyKeys: 'modules/audit',
  auditSavedSearches: 'modules/audit',
  auditSettings: 'modules/audit',
  auditSearchIndex: 'modules/audit',
  threatSettings: 'modules/threats',
  securityEvents: 'modules/threats',
  securityEventEvidence: 'modules/threats',
  securityEventSources: 'modules/threats',
  securityEventActivity: 'modules/threats',
  threatResponses: 'modules/threats',
  alertChannels: 'modules/alerts',
  alertDeliveries: 'modules/alerts',
  alertDeliveryAttempts: 'modules/alerts',
  alertDigestItems: 'modules/alerts',
  privacySettings: 'modules/privacy',
  privacySystems: 'modules/privacy',
  privacySystemCategories: 'modules/privacy',
  privacyCustomCategories: 'modules/privacy',
  privacyRequests: 'modules/privacy',
  privacyRequestEvents: 'modules/privacy',
  privacyRetentionRules: 'modules/privacy',
  privacyRetentionRuns: 'modules/privacy',
  privacyTasks: 'modules/privacy',
  privacyTaskResults: 'modules/privacy',
  privacyAccessPackages: 'modules/privacy',
  privacyVerificationCodes: 'modules/privacy',
};

/**
 * Read models: one file that reads other modules' tables for one purpose, never writes them.
 * File (relative to src/) → the foreign tables it may read.
 */
const READ_MODELS: Record<string, { why: string; reads: string[] }> = {
  'modules/overview/store.ts': {
    why: 'the security overview: counts across every module for one screen',
    reads: [
      'auditEvents',
      'memberships',
      'organizations',
      'securityEvents',
      'sessions',
      'threatResponses',
      'users',
      'mfaFactors',
      'securityPolicies',
    ],
  },
  'modules/sessions/store.ts': {
    why: 'the session check: one join per request (user, membership, policy, organization); the session list reads the same user and policy columns',
    reads: ['users', 'memberships', 'securityPolicies', 'organizations'],
  },
  'modules/access/store.ts': {
    why: 'authorize by user id: the member, their roles and the MFA policy in one join, on every check',
    reads: ['memberships', 'users', 'securityPolicies'],
  },
  'modules/apikeys/store.ts': {
    why: 'the API-key check (the key, its creator’s membership, the organization: one join per request) and the creator’s name in the key list',
    reads: ['memberships', 'organizations', 'users'],
  },
  'modules/invitations/store.ts': {
    why: 'the inviter’s name beside each pending invitation',
    reads: ['users'],
  },
  'modules/threats/store.ts': {
    why: 'the assignee’s name beside each security event',
    reads: ['users'],
  },
  'modules/threats/responses-store.ts': {
    why: 'the name of the account a response locked, beside the response',
    reads: ['users'],
  },
};

const BUILDER =
  /(?<![\w$])(selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin|mergeInto|replaceInto)\(\s*(\[[^\]]*\]|'[^']*'|"[^"]*"|`[^`]*`)/g;
const WRITE = /^(insertInto|updateTable|deleteFrom|mergeInto|replaceInto)$/;
const RAW_SQL =
  /sql(?:<[^`]*?>)?`([^`]*)`|sql\.raw\(\s*(['"`])([\s\S]*?)\2|sql\.table\(\s*['"`]([a-zA-Z_]+)['"`]/g;
const RAW_TABLE = /\b(delete\s+from|from|join|update|into)\s+"?(?:[a-z_]+"?\.)?"?([a-z][a-z_]+)"?/gi;
const CTE = /(?<![\w$])with\(\s*['"`]([a-zA-Z_]+)['"`]|\bwith\s+(?:recursive\s+)?"?([a-z_]+)"?\s+as\s*\(/gi;

const snakeToCamel = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

interface Access {
  table: string;
  write: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(full);
    if (!entry.name.endsWith('.ts') || /\.test\.ts$|test-support\.ts$/.test(entry.name)) return [];
    return [full];
  });
}

/**
 * Every table a source text reaches: Kysely builder calls (with or without a leading dot, as in
 * `exists(selectFrom(...))`; a name or a list of names, `'users as u'` included) and raw SQL
 * (`sql` templates, `sql.raw`, `sql.table`; snake_case names there). Names a `with` defines are
 * common-table expressions, not tables. An unknown name from a builder is reported as a table
 * without an owner.
 */
export function accessesOf(text: string): Access[] {
  const ctes = new Set([...text.matchAll(CTE)].map((m) => snakeToCamel((m[1] ?? m[2]) as string)));
  const found: Access[] = [];
  for (const m of text.matchAll(BUILDER)) {
    const write = WRITE.test(m[1] as string);
    for (const quoted of (m[2] as string).matchAll(/['"`]([a-zA-Z_]+)/g)) {
      const table = snakeToCamel(quoted[1] as string);
      if (!ctes.has(table)) found.push({ table, write });
    }
  }
  for (const m of text.matchAll(RAW_SQL)) {
    if (m[4]) {
      const table = snakeToCamel(m[4]);
      if (table in OWNER) found.push({ table, write: false });
      continue;
    }
    for (const t of ((m[1] ?? m[3]) as string).matchAll(RAW_TABLE)) {
      const table = snakeToCamel(t[2] as string);
      if (!(table in OWNER) || ctes.has(table)) continue;
      found.push({ table, write: /delete|update|into/i.test(t[1] as string) });
    }
  }
  return found;
}

const isStoreFile = (rel: string) => /(^|\/|-)store\.ts$/.test(rel);
const ownerFolderOf = (rel: string) => rel.split('/').slice(0, 2).join('/');

function violations(): string[] {
  const problems: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = path.relative(SRC, file);
    for (const { table, write } of accessesOf(fs.readFileSync(file, 'utf8'))) {
      const owner = OWNER[table];
      if (!owner) {
        problems.push(`${rel}: table ${table} has no owner in OWNER`);
        continue;
      }
      const readModel = READ_MODELS[rel];
      if (ownerFolderOf(rel) === owner) {
        if (!isStoreFile(rel)) {
          problems.push(`${rel}: queries ${table} outside a store file of ${owner}`);
        }
        continue;
      }
      if (readModel?.reads.includes(table) && !write) continue;
      problems.push(`${rel}: ${write ? 'writes' : 'reads'} ${table}, owned by ${owner}`);
    }
  }
  return [...new Set(problems)].sort();
}

describe('table ownership', () => {
  it('every table is read and written only by its owning module’s stores (and the named read models)', () => {
    expect(violations()).toEqual([]);
  });

  it('knows every table of the schema', () => {
    const schema = fs.readFileSync(path.join(SRC, 'platform/db/schema.ts'), 'utf8');
    const body = schema.slice(schema.indexOf('export interface DB {'));
    const tables = [...body.slice(0, body.indexOf('}')).matchAll(/^\s+([a-zA-Z]+):/gm)].map((m) => m[1]);
    expect(tables.sort()).toEqual(Object.keys(OWNER).sort());
  });

  it('sees every way a query names a table (the scanner itself is not blind)', () => {
    const cases: Array<[string, Access[]]> = [
      ["db.updateTable('users').set({ name: 'x' })", [{ table: 'users', write: true }]],
      [
        "where(({ exists, selectFrom }) => exists(selectFrom('memberships').select('id')))",
        [{ table: 'memberships', write: false }],
      ],
      [
        "db.selectFrom(['users', 'sessions as s'])",
        [
          { table: 'users', write: false },
          { table: 'sessions', write: false },
        ],
      ],
      ["db.deleteFrom(['trustedDevices'])", [{ table: 'trustedDevices', write: true }]],
      [".innerJoin('users as u', 'u.id', 'k.createdBy')", [{ table: 'users', write: false }]],
      ['sql`select id from "audit_events" where x = 1`', [{ table: 'auditEvents', write: false }]],
      ['sql`DELETE FROM users WHERE id = 1`', [{ table: 'users', write: true }]],
      ['sql`update public.sessions set revoked_at = now()`', [{ table: 'sessions', write: true }]],
      ["sql.raw('select * from organizations')", [{ table: 'organizations', write: false }]],
      ["sql.table('organizations')", [{ table: 'organizations', write: false }]],
      [
        "db.with('recent', (qb) => qb.selectFrom('memberships')).selectFrom('recent')",
        [{ table: 'memberships', write: false }],
      ],
    ];
    for (const [text, expected] of cases) expect(accessesOf(text), text).toEqual(expected);
  });
});
