import { Email } from '@custos/shared';
import { Command, Option } from 'commander';
import { buildApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { createAuditRecorder, loadKeyring } from './modules/audit';

import { createAuthService } from './modules/auth';
import { createSetupService } from './modules/setup';
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
  const where = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : 'PostgreSQL';
  const lines = [`\nCustos is running at ${config.publicUrl} (database: ${where})`];
  if (setupLink) {
    lines.push(`First run: open ${setupLink} to create the first administrator.`);
    lines.push('The link works once and expires in 24 hours; restart Custos for a new one.');
  } else {
    lines.push(`Sign in at ${config.publicUrl}/ . API docs: ${config.publicUrl}/api/docs`);
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
    };
    const setup = createSetupService({ ...deps, auth: createAuthService(deps) });
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

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`custos: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
