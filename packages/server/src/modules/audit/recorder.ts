import type { AuditAction, AuditOutcome, AuditReceipt } from '@custos/shared';
import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { Keyring } from '../../platform/crypto/keyring';
import { newId } from '../../platform/crypto/tokens';
import { afterCommit } from '../../platform/db/after-commit';
import type { DB } from '../../platform/db/schema';
import type { AuthenticatedCaller, Caller } from '../../platform/http/caller';
import { AuditLogTamperedError, appendToLog } from './append';
import type { CommittedAuditEvent } from './committed';
import type { GroupCommitter } from './committer';
import type { AuditActor, AuditChanges, AuditTarget } from './event';
import { prepareDrafts } from './prepare';
import type { AuditDraft } from './seal';

export interface AuditRecordInput {
  action: AuditAction;
  outcome?: AuditOutcome;
  targets?: AuditTarget[];
  changes?: AuditChanges;
  metadata?: Record<string, unknown>;
  /** Metadata keys (or `changes.<field>`) holding personal data, sealed under `subjectRef`'s key. */
  personal?: string[];
  subjectRef?: string;
  /** Defaults to the caller's current organization; null records into the platform log. */
  organizationId?: string | null;
  /** Overrides fields of the actor derived from the caller (e.g. the e-mail tried in a failed sign-in). */
  actor?: Partial<AuditActor>;
}

/** Marker for the log of events outside any organization. */
export const PLATFORM_LOG = 'platform';

export interface AuditRecorder {
  /**
   * Writes one audit event inside the caller's transaction, through the same append path as
   * ingestion: if the event cannot be written, the change it describes rolls back with it.
   */
  record(trx: Transaction<DB>, caller: Caller, input: AuditRecordInput): Promise<AuditReceipt>;
  /** Records in a transaction of its own (for events with no change to ride along: denials, reads). */
  recordAlone(caller: Caller, input: AuditRecordInput): Promise<AuditReceipt>;
  /**
   * Events with no change to ride along (denials, reads), committed with whatever else is waiting
   * (group commit, as ingestion): answered once committed, at a fraction of a transaction each.
   */
  recordGrouped(caller: Caller, inputs: readonly AuditRecordInput[]): Promise<AuditReceipt[]>;
}

export function createAuditRecorder(
  db: Kysely<DB>,
  keyring: Keyring,
  onAppended: (logId: string, events: CommittedAuditEvent[]) => void,
  /** Absent in one-shot CLI commands: grouped events then share one plain transaction. */
  committer?: GroupCommitter,
  /** Told when a log's next seq is taken by a row written around Custos: moves it aside, raises the alarm. */
  onTampered: (error: AuditLogTamperedError) => Promise<void> = async () => {},
): AuditRecorder {
  const record = async (trx: Transaction<DB>, caller: Caller, input: AuditRecordInput) => {
    const draft = draftFor(caller, input);
    const logId = draft.organizationId ?? PLATFORM_LOG;
    const { events, promote } = await prepareDrafts(keyring, trx, logId, [draft]);
    const [receipt] = await appendToLog(trx, logId, events).catch((error: unknown) => {
      // The caller's transaction is lost (PostgreSQL aborts it); the row in the way is moved aside
      // meanwhile, so the caller's retry — or the next request — goes through.
      if (error instanceof AuditLogTamperedError) void onTampered(error);
      throw error;
    });
    const committed: CommittedAuditEvent = { ...draft, logId, seq: receipt?.seq ?? 0, origin: 'custos' };
    // Live tails and threat detection hear of it once the caller's transaction commits, and the
    // keyring learns the event's keys then (a key made in a transaction that rolls back never was).
    await afterCommit(trx, () => {
      promote();
      onAppended(logId, [committed]);
    });
    return receipt as AuditReceipt;
  };
  return {
    record,
    async recordAlone(caller, input) {
      const once = () => db.transaction().execute((trx) => record(trx, caller, input));
      try {
        return await once();
      } catch (error) {
        if (!(error instanceof AuditLogTamperedError)) throw error;
        await onTampered(error);
        return once();
      }
    },
    async recordGrouped(caller, inputs) {
      if (!committer) {
        return db.transaction().execute(async (trx) => {
          const receipts: AuditReceipt[] = [];
          for (const input of inputs) receipts.push(await record(trx, caller, input));
          return receipts;
        });
      }
      const byLog = new Map<string, AuditDraft[]>();
      for (const input of inputs) {
        const draft = draftFor(caller, input);
        const logId = draft.organizationId ?? PLATFORM_LOG;
        byLog.set(logId, [...(byLog.get(logId) ?? []), draft]);
      }
      const receipts = await Promise.all(
        [...byLog].map(([logId, drafts]) => committer.submit(logId, drafts, null)),
      );
      return receipts.flat();
    },
  };
}

function draftFor(caller: Caller, input: AuditRecordInput): AuditDraft {
  const organizationId =
    input.organizationId !== undefined
      ? input.organizationId
      : caller.kind === 'anonymous'
        ? null
        : caller.organizationId;
  const at = nowIso();
  return {
    id: newId(),
    organizationId,
    occurredAt: at,
    receivedAt: at,
    actor: { ...actorOf(caller), ...input.actor },
    impersonator: impersonatorOf(caller),
    action: input.action,
    outcome: input.outcome ?? 'success',
    targets: input.targets ?? [],
    source: caller.meta.source,
    requestId: caller.meta.requestId,
    changes: input.changes ?? null,
    metadata: input.metadata ?? null,
    personal: input.personal ?? [],
    subjectRef: input.subjectRef ?? null,
  };
}

/** During impersonation every event names the super admin behind it. */
function impersonatorOf(caller: Caller): AuditActor | null {
  if (caller.kind !== 'user' || !caller.impersonator) return null;
  const { ip, userAgent } = caller.meta;
  return { type: 'user', id: caller.impersonator.userId, name: caller.impersonator.name, ip, userAgent };
}

/** Who the events a signed-in caller causes name as their actor. */
export function actorRefOf(caller: AuthenticatedCaller): { type: 'user' | 'api_key'; id: string } {
  return caller.kind === 'user'
    ? { type: 'user', id: caller.userId }
    : { type: 'api_key', id: caller.apiKeyId };
}

function actorOf(caller: Caller): AuditActor {
  const { ip, userAgent } = caller.meta;
  switch (caller.kind) {
    case 'user':
      return { type: 'user', id: caller.userId, name: caller.name, ip, userAgent };
    case 'apiKey':
      return { type: 'api_key', id: caller.apiKeyId, name: caller.name, ip, userAgent };
    default:
      return {
        type: caller.meta.source === 'system' ? 'system' : 'anonymous',
        id: null,
        name: null,
        ip,
        userAgent,
      };
  }
}
