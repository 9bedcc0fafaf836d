import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_STATEMENT_TIMEOUTS, type StatementTimeouts } from './platform/db/statement-timeout';

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const EnvSchema = z.object({
  CUSTOS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CUSTOS_HOST: z.string().min(1).default('127.0.0.1'),
  CUSTOS_DATA_DIR: z.string().min(1).default('./.custos'),
  CUSTOS_DATABASE_URL: z
    .string()
    .regex(
      /^(postgres(ql)?:\/\/|sqlite:|file:)/,
      'must start with postgres://, postgresql://, sqlite: or file:',
    )
    .optional(),
  CUSTOS_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  CUSTOS_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  CUSTOS_SMTP_FROM: z.string().min(3).default('Custos <custos@localhost>'),
  CUSTOS_REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  CUSTOS_LOG_LEVEL: LogLevel.default('info'),
  CUSTOS_SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(12),
  CUSTOS_SIGN_IN_LIMIT_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(30),
  CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000_000).default(10),
  CUSTOS_SIGN_IN_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  CUSTOS_TRUST_PROXY: z
    .string()
    .regex(
      /^(false|\d{1,2}|[0-9a-fA-F:./]+(\s*,\s*[0-9a-fA-F:./]+)*)$/,
      'must be false, a number of proxy hops, or a comma-separated list of proxy addresses/CIDRs',
    )
    .default('false'),
  CUSTOS_MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/_-]{43}=?$/, 'must be 32 bytes in base64 (openssl rand -base64 32)')
    .optional(),
  CUSTOS_AUDIT_SIGNING_KEY: z
    .string()
    .regex(
      /^PRIVATE\+KEY\+[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/,
      'must be a signed-note signer key (PRIVATE+KEY+name+id+key)',
    )
    .optional(),
  // Where the signing key lives when it is not given inline; keep it off the database's disk.
  CUSTOS_AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  // The signer's memory of the last checkpoint it signed per log: a database writer cannot reach it.
  CUSTOS_AUDIT_SIGNER_STATE_DIR: z.string().min(1).optional(),
  // External C2SP tlog-witnesses: "<url> <verifier key>" entries, comma-separated.
  CUSTOS_AUDIT_WITNESSES: z
    .string()
    .regex(
      /^\s*(https?:\/\/\S+\s+\S+\+[0-9a-f]{8}\+\S+\s*)(,\s*https?:\/\/\S+\s+\S+\+[0-9a-f]{8}\+\S+\s*)*$/,
      'must be comma-separated "<url> <witness verifier key>" entries',
    )
    .optional(),
  CUSTOS_AUDIT_CHECKPOINT_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
  CUSTOS_GEOIP_FILE: z.string().min(1).optional(),
  // PostgreSQL connections per server process; by default twice the CPU cores, at least 4 (more
  // connections than the database can run at once only queue inside it, and slow everything).
  CUSTOS_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).optional(),
  // PostgreSQL statement_timeout in ms (0 = none): what one statement of an API request may take, so
  // no filter combination holds a connection for long, and what exports and background jobs may take.
  CUSTOS_DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(DEFAULT_STATEMENT_TIMEOUTS.requestMs),
  CUSTOS_DATABASE_JOB_STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(DEFAULT_STATEMENT_TIMEOUTS.jobMs),
  // Webhook targets on loopback, private or link-local networks are refused unless this is true
  // (an organization admin must not be able to make Custos call its own internal network).
  CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  // Seconds between webhook attempts; after the last one a delivery is failed (manual replay stays).
  CUSTOS_ALERT_RETRY_SECONDS: z
    .string()
    .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'must be a comma-separated list of seconds')
    .default('5,30,120,600,1800,3600,10800'),
  CUSTOS_ALERT_DIGEST_MINUTES: z.coerce.number().min(0.01).max(1440).default(60),
});

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | {
      kind: 'postgres';
      url: string;
      schema?: string;
      poolSize?: number;
      /** Per role of the work (platform/db/statement-timeout.ts); defaults when absent. */
      statementTimeouts?: StatementTimeouts;
    };

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  publicUrl: string;
  smtp: { url: string; from: string } | null;
  redisUrl: string | null;
  logLevel: z.infer<typeof LogLevel>;
  sessionTtlMs: number;
  signInLimits: { perIp: number; perAccount: number; windowMs: number };
  /** false, a hop count, or proxy addresses/CIDRs (never "trust everyone": X-Forwarded-For is client-written). */
  trustProxy: false | number | string;
  /** Cookies get the Secure flag when the public URL is https. */
  secureCookies: boolean;
  /** Base64 master key of the keyring; null → `<dataDir>/master.key`, created on first start. */
  masterKey: string | null;
  /** Signed-note signer key for audit checkpoints; null → `<dataDir>/audit-signing.key`. */
  auditSigningKey: string | null;
  /** The signing key's file when it is not given inline (created on first start). */
  auditSigningKeyFile: string;
  /** Directory of the signer's last signed checkpoint per log (outside the database's reach). */
  auditSignerStateDir: string;
  /** C2SP tlog-witnesses every new checkpoint is sent to for co-signing. */
  auditWitnesses: AuditWitnessConfig[];
  auditCheckpointIntervalMs: number;
  /** Country MMDB file (DB-IP or MaxMind layout); null → the bundled DB-IP Country Lite database. */
  geoipFile: string | null;
  webhookAllowPrivateNetworks: boolean;
  /** Delays before each webhook retry, in ms (the first attempt is immediate). */
  alertRetryDelaysMs: number[];
  alertDigestIntervalMs: number;
}

export interface AuditWitnessConfig {
  url: string;
  /** The witness' signed-note verifier key (`<name>+<id>+<key>`, type 0x04 cosignature key). */
  verifierKey: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once into a frozen Config; the only place that reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(
      variable,
      `${issue?.message ?? 'is invalid'} (got ${JSON.stringify(env[variable])})`,
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.CUSTOS_DATA_DIR);
  const publicUrl = (e.CUSTOS_PUBLIC_URL ?? `http://localhost:${e.CUSTOS_PORT}`).replace(/\/$/, '');
  return Object.freeze({
    port: e.CUSTOS_PORT,
    host: e.CUSTOS_HOST,
    dataDir,
    database: parseDatabaseUrl(e.CUSTOS_DATABASE_URL, dataDir, e.CUSTOS_DATABASE_POOL_SIZE, {
      requestMs: e.CUSTOS_DATABASE_STATEMENT_TIMEOUT_MS,
      jobMs: e.CUSTOS_DATABASE_JOB_STATEMENT_TIMEOUT_MS,
    }),
    publicUrl,
    smtp: e.CUSTOS_SMTP_URL ? { url: e.CUSTOS_SMTP_URL, from: e.CUSTOS_SMTP_FROM } : null,
    redisUrl: e.CUSTOS_REDIS_URL ?? null,
    logLevel: e.CUSTOS_LOG_LEVEL,
    sessionTtlMs: e.CUSTOS_SESSION_TTL_HOURS * 3_600_000,
    signInLimits: {
      perIp: e.CUSTOS_SIGN_IN_LIMIT_PER_IP,
      perAccount: e.CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT,
      windowMs: e.CUSTOS_SIGN_IN_LIMIT_WINDOW_SECONDS * 1000,
    },
    trustProxy: parseTrustProxy(e.CUSTOS_TRUST_PROXY),
    secureCookies: publicUrl.startsWith('https://'),
    masterKey: e.CUSTOS_MASTER_KEY ?? null,
    auditSigningKey: e.CUSTOS_AUDIT_SIGNING_KEY ?? null,
    ...auditSignerPaths(e.CUSTOS_AUDIT_SIGNING_KEY_FILE, e.CUSTOS_AUDIT_SIGNER_STATE_DIR, dataDir),
    auditWitnesses: parseWitnesses(e.CUSTOS_AUDIT_WITNESSES),
    auditCheckpointIntervalMs: Math.round(e.CUSTOS_AUDIT_CHECKPOINT_SECONDS * 1000),
    geoipFile: e.CUSTOS_GEOIP_FILE ? path.resolve(e.CUSTOS_GEOIP_FILE) : null,
    webhookAllowPrivateNetworks: e.CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
    alertRetryDelaysMs: e.CUSTOS_ALERT_RETRY_SECONDS.split(',').map((s) => Math.round(Number(s) * 1000)),
    alertDigestIntervalMs: Math.round(e.CUSTOS_ALERT_DIGEST_MINUTES * 60_000),
  });
}

/** The key file, and the signer's state beside it unless placed elsewhere. */
function auditSignerPaths(keyFile: string | undefined, stateDir: string | undefined, dataDir: string) {
  const file = path.resolve(keyFile ?? path.join(dataDir, 'audit-signing.key'));
  return {
    auditSigningKeyFile: file,
    auditSignerStateDir: path.resolve(stateDir ?? path.join(path.dirname(file), 'audit-signer-state')),
  };
}

function parseWitnesses(value: string | undefined): AuditWitnessConfig[] {
  if (!value) return [];
  return value.split(',').map((entry) => {
    const [url = '', verifierKey = ''] = entry.trim().split(/\s+/);
    return { url: url.replace(/\/+$/, ''), verifierKey };
  });
}

function parseTrustProxy(value: string): false | number | string {
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.replace(/\s+/g, '');
}

function parseDatabaseUrl(
  url: string | undefined,
  dataDir: string,
  poolSize: number | undefined,
  statementTimeouts: StatementTimeouts,
): DatabaseConfig {
  // SQLite has no statement timeout: the timeouts only apply to PostgreSQL.
  if (!url) return { kind: 'sqlite', file: path.join(dataDir, 'custos.db') };
  if (url.startsWith('postgres'))
    return { kind: 'postgres', url, ...(poolSize ? { poolSize } : {}), statementTimeouts };
  const file = url.replace(/^(sqlite|file):(\/\/)?/, '');
  if (!file) throw new ConfigError('CUSTOS_DATABASE_URL', 'names no SQLite file');
  return { kind: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
}
