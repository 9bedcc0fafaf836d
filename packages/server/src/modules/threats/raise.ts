import type { SecurityEventOut, Severity } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import type { DB } from '../../platform/db/schema';
import { type Caller, systemMeta } from '../../platform/http/caller';
import { composeExplanation } from './attempts';
import type { Detection } from './detection';
import {
  higherSeverity,
  presentSecurityEvent,
  type SecurityEventRecord,
  type SecurityEventRow,
  severityRank,
} from './present';
import * as sources from './sources-store';
import * as store from './store';

/** Detection acts on its own: its audit events name no person or key. */
export const SYSTEM_CALLER: Caller = { kind: 'anonymous', meta: systemMeta() };

export interface RaiseResult {
  event: SecurityEventOut;
  created: boolean;
  severityRose: boolean;
  /** The severity before this raise; null when the event is new. */
  previousSeverity: Severity | null;
}

/**
 * The event found foldable under the dedup lock was closed before the fold's update: the lock
 * should make this impossible, so the write fails (and rolls back) rather than guess.
 */
export class EventClosedDuringFold extends Error {
  constructor(eventId: string) {
    super(`security event ${eventId} was closed while a detection folded into it`);
    this.name = 'EventClosedDuringFold';
  }
}

/**
 * Whether a fold taking the count from `before` to `after` attempts deserves a timeline row: the
 * first repeat and each power of ten, so a long attack leaves a handful of rows, not one per failure.
 */
function reachesMilestone(
  event: Pick<SecurityEventRecord, 'firstSeenAt' | 'lastSeenAt'>,
  before: number,
  after: number,
): boolean {
  // Never folded into yet: last seen is still the moment it was raised.
  if (event.lastSeenAt === event.firstSeenAt) return true;
  return Math.floor(Math.log10(after)) > Math.floor(Math.log10(Math.max(before, 1)));
}

/**
 * Security events from detections: a detection folds into the open (or acknowledged) event of its
 * dedup key, or opens a new one. A resolved or false-positive event is never reopened by a signal;
 * a new attack makes a new event, so a closed investigation keeps the facts it was closed on.
 */
export function createRaiser(deps: Pick<Deps, 'audit' | 'dialect'>) {
  const { audit, dialect } = deps;

  async function reread(trx: Transaction<DB>, organizationId: string, id: string): Promise<SecurityEventRow> {
    const row = await store.findEvent(trx, organizationId, id);
    if (!row) throw new Error(`security event ${id} vanished inside its own transaction`);
    return row;
  }

  /**
   * Attributes the write's attempts to the event: its evidence (each audit event once, however many
   * detections list it) and the addresses they came from. Answers the attempts added. A detection
   * without evidence (the audit trail's own alarm) counts as one per occurrence.
   */
  async function attribute(
    trx: Transaction<DB>,
    organizationId: string,
    eventId: string,
    detection: Detection,
    occurrences: number,
  ): Promise<number> {
    const fresh = await store.addEvidence(trx, eventId, detection.evidence);
    await sources.addSources(trx, organizationId, eventId, sources.tallySources(fresh));
    return detection.evidence.length === 0 ? occurrences : fresh.length;
  }

  /**
   * The event's address: the one it has (never replaced by a fold), else its earliest attempt's,
   * else the detector's own when no attempt carried an address. Always an IP with its own country.
   */
  async function originOf(
    trx: Transaction<DB>,
    event: Pick<SecurityEventRecord, 'id' | 'organizationId' | 'sourceIp' | 'country'>,
    detection: Detection,
  ): Promise<{ ip: string | null; country: string | null }> {
    if (event.sourceIp) return { ip: event.sourceIp, country: event.country };
    const first = await sources.firstSource(trx, event.organizationId, event.id);
    if (first) return { ip: first.ip, country: first.country };
    return { ip: detection.sourceIp, country: detection.country };
  }

  /** The explanation from the detector's sentence and the event's sources as they now stand. */
  async function explain(
    trx: Transaction<DB>,
    eventId: string,
    detection: Detection,
    origin: { ip: string | null; country: string | null },
    count: number,
  ): Promise<string> {
    const org = detection.organizationId;
    const totals = await sources.sourceTotals(trx, org, eventId);
    const lead = origin.ip ? await sources.sourceOf(trx, org, eventId, origin.ip) : undefined;
    return composeExplanation(detection.explanation, {
      type: detection.type,
      count,
      origin: lead && origin.ip ? { ip: origin.ip, country: origin.country, attempts: lead.attempts } : null,
      addresses: totals.addresses,
      addressedAttempts: totals.attempts,
    });
  }

  /**
   * Folds into `existing`, found open under the dedup lock. The attempts are attributed first (the
   * explanation needs them); should the event turn out closed after all, the write fails and rolls
   * back rather than leave them on a closed investigation.
   */
  async function fold(
    trx: Transaction<DB>,
    existing: SecurityEventRecord,
    detection: Detection,
    now: string,
    occurrences: number,
  ): Promise<RaiseResult> {
    const previousSeverity = existing.severity as Severity;
    const severity = higherSeverity(previousSeverity, detection.severity);
    const severityRose = severityRank(severity) > severityRank(previousSeverity);
    const added = await attribute(trx, detection.organizationId, existing.id, detection, occurrences);
    const count = Number(existing.count) + added;
    const origin = await originOf(trx, existing, detection);
    const folded = await store.foldIntoEvent(trx, detection.organizationId, existing.id, {
      occurrences: added,
      severity,
      subjectLabel: detection.subject.label ?? existing.subjectLabel,
      sourceIp: origin.ip,
      country: origin.country,
      explanation: await explain(trx, existing.id, detection, origin, count),
      details: detection.details,
      at: now,
    });
    if (!folded) throw new EventClosedDuringFold(existing.id);
    if (severityRose || reachesMilestone(existing, Number(existing.count), count)) {
      await store.addActivity(trx, existing.id, {
        kind: 'repeated',
        actorId: null,
        actorName: null,
        data: { count, severity, ...(severityRose ? { from: previousSeverity } : {}) },
        at: now,
      });
    }
    const row = await reread(trx, detection.organizationId, existing.id);
    return { event: presentSecurityEvent(row), created: false, severityRose, previousSeverity };
  }

  async function open(
    trx: Transaction<DB>,
    detection: Detection,
    now: string,
    occurrences: number,
  ): Promise<RaiseResult> {
    // Inserted bare, then given its count, address and explanation from the attempts attributed to
    // it, the one way a fold gives them (the evidence rows need the event to exist).
    const id = await store.insertEvent(trx, {
      organizationId: detection.organizationId,
      type: detection.type,
      severity: detection.severity,
      subjectType: detection.subject.type,
      subjectId: detection.subject.id,
      subjectLabel: detection.subject.label,
      sourceIp: null,
      country: null,
      dedupKey: detection.dedupKey,
      count: 0,
      explanation: detection.explanation,
      details: detection.details,
      at: now,
    });
    const count = await attribute(trx, detection.organizationId, id, detection, occurrences);
    const origin = await originOf(
      trx,
      { id, organizationId: detection.organizationId, sourceIp: null, country: null },
      detection,
    );
    await store.foldIntoEvent(trx, detection.organizationId, id, {
      occurrences: count,
      severity: detection.severity,
      subjectLabel: detection.subject.label,
      sourceIp: origin.ip,
      country: origin.country,
      explanation: await explain(trx, id, detection, origin, count),
      details: detection.details,
      at: now,
    });
    await store.addActivity(trx, id, {
      kind: 'raised',
      actorId: null,
      actorName: null,
      data: { count, severity: detection.severity },
      at: now,
    });
    await audit.record(trx, SYSTEM_CALLER, {
      action: 'security_event.raised',
      organizationId: detection.organizationId,
      targets: [
        { type: 'security_event', id },
        { type: detection.subject.type, id: detection.subject.id },
      ],
      metadata: { type: detection.type, severity: detection.severity, count },
    });
    const row = await reread(trx, detection.organizationId, id);
    return { event: presentSecurityEvent(row), created: true, severityRose: false, previousSeverity: null };
  }

  return {
    /**
     * Folds `detection` into its open event or raises a new one, inside the caller's transaction.
     * `occurrences` > 1 when the pipeline coalesced several detections of one key into this write.
     */
    async raiseDetection(
      trx: Transaction<DB>,
      detection: Detection,
      now: string,
      options: { occurrences?: number } = {},
    ): Promise<RaiseResult> {
      const occurrences = Math.max(1, Math.floor(options.occurrences ?? 1));
      await store.lockDedupKey(trx, dialect, detection.organizationId, detection.dedupKey);
      const existing = await store.findFoldableEvent(trx, detection.organizationId, detection.dedupKey);
      return existing
        ? fold(trx, existing, detection, now, occurrences)
        : open(trx, detection, now, occurrences);
    },
  };
}

export type Raiser = ReturnType<typeof createRaiser>;

/**
 * Runs tasks of one key one after another inside this process (tasks of different keys run freely),
 * so two signals of one attack arriving together cannot both find no event and open two.
 */
export function createKeyedSerializer() {
  const tails = new Map<string, Promise<unknown>>();
  return function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    // The map only holds keys with work pending.
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
