import fs from 'node:fs';
import { Email } from '@custos/shared';
import { Command, type CommanderError, Option } from 'commander';
import { type Config, ConfigError, loadConfig } from './config';
import { splitLines, type VerifyReport, verifyExport } from './modules/audit/verify';
import { registerWitnessCommand } from './modules/witness/cli';

import { parseVerifierKey } from './platform/crypto/signed-note';
import { migrateToLatest, openDatabase } from './platform/db/database';
import { AppError } from './platform/http/errors';
import { createLogger } from './platform/log';
import { createMailer } from './platform/mail/mailer';
import { MemoryRateLimiter } from './platform/ratelimit/limiter';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`custos: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function serve(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel);
  const database = openDatabase(config.database);
  const applied = await migrateToLatest(database);
  if (applied.length > 0) log.info({ applied }, 'database migrated');
  // Loaded here, not at the top: `custos audit verify` should not pay for the whole server.
  const { buildApp } = await import('./app');
  const { app, services } = await buildApp({ config, database, logger: log });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    await database.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const setupLink = await services.setup.issueSetupLink();
  const { signerPlacementWarnings } = await import('./modules/audit/signer');
  const warnings = signerPlacementWarnings(config);
  for (const warning of warnings) log.warn(warning);
  const alarms = await services.audit.checkIntegrity();
  const where = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : 'PostgreSQL';
  const lines = [`\nCustos is running at ${config.publicUrl} (database: ${where})`];
  if (setupLink) {
    lines.push(`First run: open ${setupLink} to create the first administrator.`);
    lines.push('The link works once and expires in 24 hours; restart Custos for a new one.');
  } else {
    lines.push(`Sign in at ${config.publicUrl}/ . API docs: ${config.publicUrl}/api/docs`);
  }
  for (const warning of warnings) lines.push(`Warning: ${warning}`);
  for (const alarm of alarms) {
    lines.push(`AUDIT INTEGRITY ALARM (log ${alarm.logId}, ${alarm.kind}): ${alarm.message}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

async function migrate(): Promise<void> {
  const config = configOrExit();
  const database = openDatabase(config.database);
  try {
    const applied = await migrateToLatest(database);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n');
  } finally {
    await database.destroy();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function adminCreate(options: {
  email: string;
  organization: string;
  name?: string;
  passwordStdin?: boolean;
}) {
  if (!options.passwordStdin) {
    process.stderr.write('custos: pass the password on standard input with --password-stdin\n');
    process.exit(2);
  }
  const email = Email.safeParse(options.email);
  if (!email.success) {
    process.stderr.write(`custos: --email is not a valid e-mail address\n`);
    process.exit(2);
  }
  const password = await readStdin();
  const config = configOrExit();
  const log = createLogger('silent');
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database);
    const { createAuditRecorder, loadKeyring } = await import('./modules/audit');
    const { createServices } = await import('./app');
    const { NO_GEOIP } = await import('./platform/geo/geoip');
    const keyring = loadKeyring(config);
    const deps = {
      db: database.db,
      dialect: database.dialect,
      config,
      log,
      mailer: createMailer(null),
      limiter: new MemoryRateLimiter(),
      keyring,
      audit: createAuditRecorder(database.db, keyring, () => {}),
      geo: NO_GEOIP,
    };
    const { setup } = createServices(deps);
    const { user, organization } = await setup.createAdminFromCli({
      email: email.data,
      name: options.name ?? email.data.split('@')[0] ?? email.data,
      password,
      organizationName: options.organization,
    });
    process.stdout.write(
      `Created super admin ${user.email} owning organization "${organization.name}" (${organization.slug}).\n`,
    );
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`custos: ${error.message} (${error.code})\n`);
      process.exitCode = 1;
    } else throw error;
  } finally {
    await database.destroy();
  }
}

/** `custos access-rules disable --org <slug>`: break-glass for an organization that locked itself out. */
async function accessRulesDisable(options: { org: string }): Promise<void> {
  const config = configOrExit();
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database);
    const { createAuditRecorder, loadKeyring } = await import('./modules/audit');
    const { disableOrganizationAccessRules } = await import('./modules/access');
    const audit = createAuditRecorder(database.db, loadKeyring(config), () => {});
    const { organization, disabled } = await disableOrganizationAccessRules(
      { db: database.db, audit },
      options.org,
    );
    process.stdout.write(
      disabled.length > 0
        ? `Disabled ${disabled.length} access rule(s) of "${organization.name}" (${organization.slug}). ` +
            'Review them in the console and switch them back on when access is sorted out.\n'
        : `"${organization.name}" (${organization.slug}) has no enabled access rules; nothing to do.\n`,
    );
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`custos: ${error.message} (${error.code})\n`);
      process.exitCode = 1;
    } else throw error;
  } finally {
    await database.destroy();
  }
}

/** A mistake in how the command was called, or an export that could not be read at all: exit 2. */
class CliUsageError extends Error {}

interface AuditVerifyOptions {
  url?: string;
  apiKey?: string;
  key?: string[];
  checkpoint?: string[];
  witness?: string[];
  saveCheckpoint?: string;
  output: 'text' | 'json';
}

interface ExportSource {
  chunks: AsyncIterable<Uint8Array | string>;
  /** Keys to trust; empty means the export's own header keys (with a warning). */
  keys: string[];
  keysFrom: string;
}

/** `custos audit verify`: exit 0 verified, 1 a problem was found, 2 usage or I/O error. */
async function auditVerify(file: string | undefined, given: AuditVerifyOptions): Promise<void> {
  const options = { ...given, key: given.key ?? [] };
  try {
    if (Boolean(file) === Boolean(options.url))
      throw new CliUsageError('give either an export file or --url');
    for (const key of options.key) assertVerifierKey(key);
    const trustedCheckpoints = (options.checkpoint ?? []).map(readCheckpointFile);
    const requireCosignatures = await witnessRequirement(options.witness ?? []);
    const source = options.url
      ? await exportFromServer(options.url, options)
      : exportFromFile(file ?? '-', options);
    if (source.keys.length === 0) {
      process.stderr.write(
        'warning: no --key given, so the keys come from the export file itself: this shows the file is ' +
          'intact, not that your Custos server signed it. Pin the key with --key.\n',
      );
    }
    const report = await verifyExport(splitLines(source.chunks), {
      verifierKeys: source.keys,
      trustExportKeys: source.keys.length === 0,
      trustedCheckpoints,
      ...(requireCosignatures ? { requireCosignatures } : {}),
    });
    if (report.ok && options.saveCheckpoint && report.checkpoint?.note) {
      // Written only after a verdict of OK: the next run checks the log still extends it.
      fs.writeFileSync(options.saveCheckpoint, report.checkpoint.note, { mode: 0o644 });
    }
    process.stdout.write(
      options.output === 'json'
        ? `${JSON.stringify({ ...report, keysFrom: source.keysFrom }, null, 2)}\n`
        : describeReport(report),
    );
    process.exitCode = report.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`custos: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

/** A signed checkpoint note kept from an earlier run (or handed over by an auditor). */
function readCheckpointFile(file: string): string {
  let note: string;
  try {
    note = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliUsageError(
      `--checkpoint ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!note.includes('\n\n\u2014 ')) {
    throw new CliUsageError(
      `--checkpoint ${file}: not a signed checkpoint note (origin, size, root, signatures)`,
    );
  }
  return note;
}

/** `--witness KEY`: the last checkpoint must carry a valid co-signature by each of these witnesses. */
async function witnessRequirement(keys: string[]) {
  if (keys.length === 0) return null;
  const { parseWitnessVerifierKey, verifyCosignatures } = await import('./platform/crypto/cosignature');
  const witnesses = keys.map((key) => {
    try {
      return parseWitnessVerifierKey(key);
    } catch (error) {
      throw new CliUsageError(`--witness ${key}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return (note: string) => {
    try {
      const { verified } = verifyCosignatures(note, witnesses);
      const names = new Set(verified.map((v) => `${v.name}+${v.keyId}`));
      return { missing: witnesses.filter((w) => !names.has(`${w.name}+${w.keyId}`)).map((w) => w.name) };
    } catch {
      return { missing: witnesses.map((w) => w.name) };
    }
  };
}

function assertVerifierKey(key: string): void {
  try {
    parseVerifierKey(key);
  } catch (error) {
    throw new CliUsageError(`--key ${key}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function exportFromFile(file: string, options: { key: string[] }): ExportSource {
  if (file !== '-' && !fs.existsSync(file)) throw new CliUsageError(`${file}: no such file`);
  return {
    chunks: file === '-' ? process.stdin : fs.createReadStream(file, { highWaterMark: 1_048_576 }),
    keys: options.key,
    keysFrom: options.key.length > 0 ? '--key' : 'the export header',
  };
}

/** Streams the complete export over HTTP: the CLI never touches the database. */
async function exportFromServer(
  base: string,
  options: { apiKey?: string | undefined; key: string[] },
): Promise<ExportSource> {
  if (!options.apiKey) throw new CliUsageError('--url needs --api-key (or CUSTOS_API_KEY)');
  const root = base.replace(/\/+$/, '');
  if (!URL.canParse(root)) throw new CliUsageError(`--url ${base} is not a URL`);
  const keys = options.key.length > 0 ? options.key : await fetchVerifierKeys(root);
  const response = await fetch(`${root}/api/v1/audit/export?format=jsonl`, {
    headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/x-ndjson' },
  });
  if (!response.ok || !response.body) {
    throw new CliUsageError(`the export failed: ${response.status} ${(await response.text()).slice(0, 300)}`);
  }
  return { chunks: response.body, keys, keysFrom: options.key.length > 0 ? '--key' : `${root}/.well-known` };
}

async function fetchVerifierKeys(root: string): Promise<string[]> {
  const response = await fetch(`${root}/.well-known/custos/audit-keys`);
  if (!response.ok) throw new CliUsageError(`could not fetch the audit keys: ${response.status}`);
  const body = (await response.json()) as { keys?: { verifierKey?: unknown }[] };
  const keys = (body.keys ?? []).map((k) => k.verifierKey).filter((k): k is string => typeof k === 'string');
  if (keys.length === 0) throw new CliUsageError('the server lists no audit keys');
  return keys;
}

function describeReport(report: VerifyReport): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const rate = report.seconds > 0 ? Math.round(report.events / report.seconds) : report.events;
  const extras = [
    report.purged > 0 ? `${n(report.purged)} purged by retention` : '',
    report.erased > 0 ? `${n(report.erased)} with erased personal data` : '',
  ].filter(Boolean);
  const lines = [
    `Checked ${n(report.events)} events${extras.length ? ` (${extras.join(', ')})` : ''} and ` +
      `${n(report.checkpoints)} checkpoints in ${report.seconds.toFixed(2)} s (${n(rate)} events/s).`,
  ];
  const problem = report.firstProblem;
  if (problem) {
    const where = problem.seq === undefined ? `line ${problem.line}` : `seq ${problem.seq}`;
    lines.push(`FAILED: ${problem.kind} at ${where}: ${problem.message}`);
  } else if (report.checkpoint) {
    const { treeSize, signedBy } = report.checkpoint;
    lines.push(
      `OK: ${n(report.events)} events verified against checkpoint ${treeSize} signed by ${signedBy.join(', ')}`,
    );
    if (report.trustedCheckpoints > 0) {
      lines.push(
        `The log extends the ${n(report.trustedCheckpoints)} trusted checkpoint(s) given with --checkpoint.`,
      );
    }
  } else {
    lines.push('OK: the log is empty; there is no checkpoint to verify against');
  }
  return `${lines.join('\n')}\n`;
}

const program = new Command()
  .name('custos')
  .description(
    'Custos: security & compliance control plane. Configuration comes from CUSTOS_* environment variables (see README).',
  );

program.command('serve').description('Start the server and console (applies migrations first)').action(serve);
program.command('migrate').description('Apply pending database migrations and exit').action(migrate);
const admin = program.command('admin').description('Platform administration');
admin
  .command('create')
  .description('Create a super admin who owns a new organization, without prompts (for automation)')
  .requiredOption('--email <email>', "the admin's e-mail address")
  .requiredOption('--organization <name>', 'name of the organization to create')
  .option('--name <name>', "the admin's display name (defaults to the e-mail's local part)")
  .addOption(new Option('--password-stdin', 'read the password from standard input').default(false))
  .action(adminCreate);

const accessRules = program
  .command('access-rules')
  .description("Organizations' access rules (IP, country, time)");
accessRules
  .command('disable')
  .description(
    'Break-glass: switch off every access rule of an organization whose admins locked themselves out ' +
      '(audited as a system action; the rules stay, disabled, for review)',
  )
  .requiredOption('--org <slug>', "the organization's slug (or id)")
  .action(accessRulesDisable);

const audit = program.command('audit').description('Audit trail tools');
audit
  .command('verify')
  .description(
    'Verify a custos.audit.export/v1 JSONL export: every event against the tree, every checkpoint signature, ' +
      'every consistency proof. Reads a file (or "-" for standard input), or streams the export from a server.',
  )
  .argument('[file]', 'the JSONL export to verify offline')
  .option(
    '--key <verifierKey>',
    "a trusted signed-note verifier key (repeatable); default: the server's keys (--url) or the file's own",
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  )
  .option('--url <baseUrl>', 'stream the full export from this Custos server (HTTP only) instead of a file')
  .addOption(new Option('--api-key <key>', 'API key with audit:export, for --url').env('CUSTOS_API_KEY'))
  .option(
    '--checkpoint <file>',
    'a signed checkpoint saved earlier (repeatable): fail unless the log is at least as long and extends it',
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  )
  .option(
    '--witness <verifierKey>',
    "a witness' verifier key (repeatable): the last checkpoint must carry its valid co-signature",
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  )
  .option(
    '--save-checkpoint <file>',
    'after an OK verdict, write the verified checkpoint here for the next run',
  )
  .addOption(new Option('--output <format>', 'report format').choices(['text', 'json']).default('text'))
  .addHelpText(
    'after',
    `
Exit status: 0 verified, 1 a problem was found (the report names the first, in log order), 2 usage error
or the export could not be read.

Keep the checkpoint of each run and pass it to the next: a history rewritten, renumbered or rolled back
in the database since then fails, even if the server signed the forgery.

Examples:
  custos audit verify custos-audit-acme-2025-01-31.jsonl --key 'custos.example.com/custos-audit+1a2b3c4d+AT…'
  CUSTOS_API_KEY=custos_… custos audit verify --url https://custos.example.com \\
    --checkpoint last.checkpoint --save-checkpoint last.checkpoint
  CUSTOS_API_KEY=custos_… custos audit verify --url https://custos.example.com --output json`,
  )
  // Usage errors exit 2, as documented; --help still exits 0.
  .exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(auditVerify);

registerWitnessCommand(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`custos: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
