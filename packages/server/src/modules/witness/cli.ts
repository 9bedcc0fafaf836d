/**
 * `custos witness serve` and `custos witness key`: run a C2SP tlog-witness for one or more Custos
 * servers. Exit status: 0 success, 1 runtime failure (unreadable state or key file, port in use),
 * 2 usage error.
 */
import os from 'node:os';
import { type Command, type CommanderError, InvalidArgumentError } from 'commander';
import type { CosignatureSigner } from '../../platform/crypto/cosignature';
import { createLogger } from '../../platform/log';
import { acceptedLogs, LogConfigError } from './logs';

const DEFAULT_PORT = 7380;
const DEFAULT_HOST = '127.0.0.1';

/** A mistake in how the command was called: exit 2. */
class WitnessUsageError extends Error {}

interface ServeOptions {
  keyFile: string;
  stateFile: string;
  logKey: string[];
  originPrefix: string[];
  port: number;
  host: string;
  name?: string;
  logLevel: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65_535) throw new InvalidArgumentError('a port is 0–65535');
  return port;
}

/** The key, checking that an explicit --name matches the one it was created with. */
async function witnessKey(keyFile: string, name: string | undefined): Promise<CosignatureSigner> {
  // Loaded on use: every other CLI command (and `custos audit verify`) starts without Fastify.
  const { loadWitnessKey } = await import('./server');
  let signer: CosignatureSigner;
  try {
    signer = loadWitnessKey(keyFile, name ?? `${os.hostname()}/witness`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WitnessUsageError(`--key-file ${keyFile}: ${reason}`);
  }
  if (name !== undefined && signer.name !== name) {
    throw new WitnessUsageError(`${keyFile} holds the key of "${signer.name}", not "${name}"`);
  }
  return signer;
}

async function serve(options: ServeOptions): Promise<void> {
  let logs: ReturnType<typeof acceptedLogs>;
  try {
    logs = acceptedLogs(options.logKey, options.originPrefix);
  } catch (error) {
    if (error instanceof LogConfigError) throw new WitnessUsageError(error.message);
    throw error;
  }
  const signer = await witnessKey(options.keyFile, options.name);
  const { startWitnessServer } = await import('./server');
  const witness = await startWitnessServer({
    signer,
    stateFile: options.stateFile,
    logs,
    port: options.port,
    host: options.host,
    logger: createLogger(options.logLevel),
  });
  const shutdown = () => {
    // close() lets in-flight requests finish, so no checkpoint is recorded but left unanswered.
    void witness.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  const accepted = logs.map((log) => `  ${log.originPrefix}… signed by ${log.verifier.verifierKey}`);
  process.stdout.write(
    [
      `\nCustos witness listening at ${witness.url} (POST ${witness.url}/add-checkpoint)`,
      'Witness verifier key (give it to the Custos server and to auditors):',
      `  ${witness.verifierKey}`,
      'Accepting checkpoints of:',
      ...accepted,
      '',
    ].join('\n'),
  );
}

async function printKey(options: { keyFile: string; name?: string }): Promise<void> {
  process.stdout.write(`${(await witnessKey(options.keyFile, options.name)).verifier.verifierKey}\n`);
}

/** Runs an action, turning usage errors into exit 2 and anything else into exit 1. */
function guarded<T>(action: (options: T) => Promise<void> | void) {
  return async (options: T) => {
    try {
      await action(options);
    } catch (error) {
      process.stderr.write(`custos: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof WitnessUsageError ? 2 : 1);
    }
  };
}

/** Adds `custos witness serve|key`. */
export function registerWitnessCommand(program: Command): void {
  const witness = program
    .command('witness')
    .description('Run a C2SP transparency-log witness that cosigns Custos audit checkpoints')
    // Set before the subcommands are added so they inherit it: usage errors exit 2, --help exits 0.
    .exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : 2));

  witness
    .command('serve')
    .description(
      'Serve POST /add-checkpoint (c2sp.org/tlog-witness): cosign checkpoints that are signed by a ' +
        'trusted log key and consistent with the last one cosigned for their origin',
    )
    .requiredOption('--key-file <file>', "the witness's signer key; created (mode 0600) on first start")
    .requiredOption('--state-file <file>', 'JSON file of the latest cosigned size and root per log')
    .requiredOption('--log-key <verifierKey>', "a Custos server's audit verifier key (repeatable)", collect)
    .requiredOption(
      '--origin-prefix <prefix>',
      'accept origins starting with this, e.g. custos.example.com/custos/audit/ (repeatable: one for ' +
        'all --log-key, or one per --log-key in order)',
      collect,
    )
    .option('--port <port>', 'TCP port', parsePort, DEFAULT_PORT)
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .option('--name <name>', 'witness key name when the key is created (default: <hostname>/witness)')
    .option('--log-level <level>', 'pino log level', 'info')
    .addHelpText(
      'after',
      `
The state file is the witness's memory: never delete or restore an old copy of it, or the witness
could cosign a fork. Run one witness process per state file.

Example:
  custos witness serve --key-file /var/lib/witness/key --state-file /var/lib/witness/state.json \\
    --log-key 'custos.example.com/custos-audit+1a2b3c4d+AT…' --origin-prefix custos.example.com/custos/audit/`,
    )
    .action(guarded(serve));

  witness
    .command('key')
    .description("Print the witness's verifier key (creating the key file if it does not exist)")
    .requiredOption('--key-file <file>', "the witness's signer key")
    .option('--name <name>', 'witness key name when the key is created (default: <hostname>/witness)')
    .action(guarded(printKey));
}
