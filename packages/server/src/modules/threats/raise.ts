import type { SecurityEventOut, Severity } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import type { DB } from '../../platform/db/schema';
import { type Caller, systemMeta } from '../../platform/http/caller';
import type { Detection } from './detection';
import { higherSeverity, presentSecurityEvent, type SecurityEventRow, severityRank } from './present';
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
 * Whether a fold from `before` to `after` signals deserves a timeline row: the first repeat and
 * each power of ten, so a long attack leaves a handful of rows, not one per failure.
 */
function reachesMilestone(before: number, after: number): boolean {
  if (before < 2 && after >= 2) return true;
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

  /** Folds into `existing`; null when it was closed meanwhile (the caller opens a new event). */
  async function fold(
    trx: Transaction<DB>,
    existing: SecurityEventRow,
    detection: Detection,
    now: string,
    occurrences: number,
  ): Promise<RaiseResult | null> {
    const previousSeverity = existing.severity as Severity;
    const severity = higherSeverity(previousSeverity, detection.severity);
    const severityRose = severityRank(severity) > severityRank(previousSeverity);
    const folded = await store.foldIntoEvent(trx, detection.organizationId, existing.id, {
      occurrences,
      severity,
      subjectLabel: detection.subject.label ?? existing.subjectLabel,
      sourceIp: detection.sourceIp ?? existing.sourceIp,
      country: detection.country ?? existing.country,
      explanation: detection.explanation,
      details: detection.details,
      at: now,
    });
    if (!folded) return null;
    await store.addEvidence(trx, existing.id, detection.evidence);
    const count = Number(existing.count) + occurrences;
    if (severityRose || reachesMilestone(Number(existing.count), count)) {
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
    const id = await store.insertEvent(trx, {
      organizationId: detection.organizationId,
      type: detection.type,
      severity: detection.severity,
      subjectType: detection.subject.type,
      subjectId: detection.subject.id,
      subjectLabel: detection.subject.label,
      sourceIp: detection.sourceIp,
      country: detection.country,
      dedupKey: detection.dedupKey,
      count: occurrences,
      explanation: detection.explanation,
      details: detection.details,
      at: now,
    });
    await store.addEvidence(trx, id, detection.evidence);
    await store.addActivity(trx, id, {
      kind: 'raised',
      actorId: null,
      actorName: null,
      data: { count: occurrences, severity: detection.severity },
      at: now,
    });
    await audit.record(trx, SYSTEM_CALLER, {
      action: 'security_event.raised',
      organizationId: detection.organizationId,
      targets: [
        { type: 'security_event', id },
        { type: detection.subject.type, id: detection.subject.id },
      ],
      metadata: { type: detection.type, severity: detection.severity, count: occurrences },
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
      const folded = existing ? await fold(trx, existing, detection, now, occurrences) : null;
      return folded ?? open(trx, detection, now, occurrences);
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
