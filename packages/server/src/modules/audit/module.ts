import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { configuredOrFileSecret } from '../../platform/crypto/key-files';
import { Keyring } from '../../platform/crypto/keyring';
import type { Dialect } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { runAsJob } from '../../platform/db/statement-timeout';
import { createTableStatistics } from '../../platform/db/statistics';
import { createJobRunner, type JobRunner } from '../../platform/jobs';
import type { AuditLogTamperedError } from './append';
import { type Checkpoint, createCheckpoints } from './checkpoints';
import { type CommittedAuditEvent, CommittedEvents } from './committed';
import { GroupCommitter } from './committer';
import { auditExportRoutes, createAuditExporter } from './export';
import { createIngestion } from './ingest';
import { IntegrityAlarms, moveAsideAndAlarm } from './integrity';
import { createAuditManagement } from './manage';
import { createProofs } from './proofs';
import { createQuarantine } from './quarantine';
import { createAuditRecorder } from './recorder';
import { dropExpiredIdempotencyKeys, purgeExpiredEvents } from './retention';
import { auditRoutes } from './routes';
import { indexPendingSearchText } from './search-index-store';
import { createAuditService } from './service';
import { loadCheckpointSigner, loadSignerState } from './signer';
import { createWitnessing } from './witnessing';

const MAINTENANCE_EVERY_MS = 60_000;
/**
 * How often SQLite's full-text index takes in new events. A search indexes what is pending first,
 * so this only bounds the backlog a search may meet: about a second of events.
 */
const SEARCH_INDEX_EVERY_MS = 1_000;

/** The master key of the keyring: configuration, else `master.key` in the data directory. */
export function loadKeyring(config: Config): Keyring {
  const encoded = configuredOrFileSecret(config.masterKey, config.dataDir, 'master.key', () =>
    randomBytes(32).toString('base64'),
  );
  return new Keyring(Buffer.from(encoded, 'base64'));
}

/**
 * Everything of the audit trail, wired once: the keyring and recorder other modules use, the group
 * committer behind ingestion, checkpoints and proofs, and the background job that signs checkpoints
 * every few seconds and runs retention (on `jobs`, the server's runner; its own when none is given).
 */
export function createAuditModule(deps: {
  db: Kysely<DB>;
  dialect: Dialect;
  config: Config;
  log: Logger;
  jobs?: JobRunner;
}) {
  const { db, dialect, config, log } = deps;
  const jobs = deps.jobs ?? createJobRunner({ log });
  const keyring = loadKeyring(config);
  const signer = loadCheckpointSigner(config);
  const signerState = loadSignerState(config, signer);
  const alarms = new IntegrityAlarms((error) => log.error({ err: error }, 'integrity alarm listener failed'));
  // The recorder is made below; the quarantine asks for it only when rows are moved.
  const quarantine = createQuarantine(db, () => recorder);
  alarms.listen((alarm) => log.error({ alarm }, 'audit trail integrity alarm'));
  /** 'signed' (logId, checkpoint) fires for every new checkpoint: witnesses and alert channels hear it. */
  const signed = new EventEmitter();
  signed.setMaxListeners(0);
  /** 'appended' (logId) fires after events are written: live tails wake up on it. */
  const events = new EventEmitter();
  events.setMaxListeners(0);
  /** Committed events, plaintext, for in-process listeners (threat detection). */
  const committed = new CommittedEvents((error) =>
    log.error({ err: error }, 'committed-event listener failed'),
  );
  // Ingest batches and retention purges change the tables search plans depend on (PostgreSQL).
  const statistics = createTableStatistics({ db, dialect, log });
  committed.subscribe((appended) => {
    statistics.noteWrites('audit_events', appended.length);
    statistics.noteWrites(
      'audit_event_targets',
      appended.reduce((rows, event) => rows + event.targets.length, 0),
    );
    // A leaf and, on average, one interior node per event.
    statistics.noteWrites('audit_tree_nodes', 2 * appended.length);
  });
  const notify = (logId: string, appended: CommittedAuditEvent[]) => {
    events.emit('appended', logId);
    committed.publish(appended);
  };
  /** One quarantine at a time per log: concurrent appends that hit the same row wait for the first. */
  const quarantining = new Map<string, Promise<void>>();
  const onTampered = (error: AuditLogTamperedError): Promise<void> => {
    const running = quarantining.get(error.logId);
    if (running) return running;
    const work = moveAsideAndAlarm(quarantine, alarms, error.logId)
      .catch((failure: unknown) => log.error({ err: failure, logId: error.logId }, 'audit quarantine failed'))
      .finally(() => quarantining.delete(error.logId));
    quarantining.set(error.logId, work);
    return work;
  };
  const committer = new GroupCommitter(
    db,
    keyring,
    (logIds, appended) => {
      for (const logId of logIds) events.emit('appended', logId);
      committed.publish(appended);
    },
    onTampered,
  );
  const recorder = createAuditRecorder(db, keyring, notify, committer, onTampered);
  const checkpoints = createCheckpoints({
    quarantine,
    db,
    signer,
    state: signerState,
    alarms,
    publicUrl: config.publicUrl,
    log,
    onSigned: (logId, checkpoint) => signed.emit('signed', logId, checkpoint),
  });
  const proofs = createProofs(db);
  const witnessing = createWitnessing({ db, checkpoints, witnesses: config.auditWitnesses, log });
  if (witnessing.enabled) {
    signed.on(
      'signed',
      (logId: string, checkpoint: Checkpoint) => void witnessing.witness(logId, checkpoint),
    );
  }
  const ingestion = createIngestion(db, committer);
  const service = createAuditService({
    db,
    dialect,
    keyring,
    audit: recorder,
    checkpoints,
    proofs,
    witnesses: config.auditWitnesses,
  });
  const management = createAuditManagement(db, keyring, recorder);
  const exporter = createAuditExporter({
    db,
    dialect,
    keyring,
    audit: recorder,
    checkpoints,
    signer,
    alarms,
    ...(witnessing.enabled ? { cosigned: (logId: string) => witnessing.settled(logId) } : {}),
  });
  const routes = auditRoutes({ ingestion, service, management, signer });

  let lastMaintenance = 0;
  async function tick(): Promise<void> {
    await checkpoints.signGrownLogs();
    if (Date.now() - lastMaintenance >= MAINTENANCE_EVERY_MS) {
      lastMaintenance = Date.now();
      statistics.noteWrites('audit_events', await purgeExpiredEvents(db, recorder));
      await dropExpiredIdempotencyKeys(db);
      // A rollback does not grow the log, so the signing pass alone would not look at it.
      await checkpoints.checkAll();
    }
  }
  // Every server runs it, as before: processes may share the signer's memory (signer-state.ts) and a
  // head is signed only when it extends the last signed one, so no lease is taken.
  const checkpointJob = jobs.add({
    name: 'audit.checkpoints',
    everyMs: config.auditCheckpointIntervalMs,
    // Signing, integrity checks and retention read whole logs: the job timeout, not a request's.
    run: () => runAsJob(tick),
  });

  const searchIndexJob =
    dialect === 'sqlite'
      ? jobs.add({
          name: 'audit.search-index',
          everyMs: SEARCH_INDEX_EVERY_MS,
          run: () => runAsJob(() => indexPendingSearchText(db, dialect)),
        })
      : null;

  return {
    keyring,
    recorder,
    committer,
    checkpoints,
    proofs,
    ingestion,
    service,
    management,
    signer,
    signerState,
    alarms,
    signed,
    witnessing,
    events,
    committed,
    exporter,
    /** Every audit route in one plugin scope. */
    routes: async (app: FastifyInstance) => {
      await routes(app);
      await auditExportRoutes(exporter)(app);
    },
    /**
     * Checks every log against what the signer signed before; the alarms found (also raised to
     * their listeners). Run once at start, so a tampering done while Custos was down is told at once.
     */
    async checkIntegrity() {
      await checkpoints.checkAll();
      return alarms.all();
    },
    /** Starts the checkpoint and retention job, and (SQLite) the search-index job. */
    start(): void {
      checkpointJob.start();
      searchIndexJob?.start();
    },
    async stop(): Promise<void> {
      const stopped = Promise.all([checkpointJob.stop(), searchIndexJob?.stop()]);
      await committer.idle();
      await stopped;
      await witnessing.idle();
      await statistics.stop();
    },
  };
}

export type AuditModule = ReturnType<typeof createAuditModule>;
