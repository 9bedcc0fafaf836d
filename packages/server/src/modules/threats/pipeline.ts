import type { Logger } from 'pino';
import type { CommittedAuditEvent } from '../audit';
import type { Detection, DetectionEvidence, DetectorEngine, ResolvedThreatSettings } from './detection';
import { higherSeverity } from './present';
import { type SignalContext, signalOf } from './signal';
import { EVIDENCE_CAP } from './store';

export interface ThreatPipelineOptions {
  log: Logger;
  engine: DetectorEngine;
  /** Cached settings (no database read per signal). */
  settingsFor(organizationId: string): Promise<ResolvedThreatSettings>;
  signalContext: SignalContext;
  /** Writes one detection, `occurrences` of it coalesced, and tells alerts after commit. */
  record(
    detection: Detection,
    settings: ResolvedThreatSettings,
    occurrences: number,
  ): Promise<{ created: boolean }>;
  /** Events waiting beyond this are dropped (with a logged warning). */
  maxPending?: number;
  /** At most one write per dedup key in this many milliseconds; repeats in between are merged. */
  coalesceMs?: number;
}

export interface ThreatPipelineStats {
  /** Audit events that became signals. */
  signals: number;
  detections: number;
  /** Security events created. */
  raised: number;
  /** Detections folded into an existing event. */
  repeated: number;
  /** Audit events dropped because the queue was full. */
  dropped: number;
  /** Signals or writes that failed (logged). */
  failed: number;
}

/** A FIFO that does not shift arrays (a 50 000-event backlog must not cost O(n) per event). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Detections of one key waiting for their write. */
interface Pending {
  detection: Detection;
  settings: ResolvedThreatSettings;
  occurrences: number;
  evidence: Map<string, DetectionEvidence>;
}

interface Slot {
  writing: boolean;
  /** Wakes the slot when its quiet period ends: writes what gathered, or forgets the slot. */
  timer: NodeJS.Timeout | null;
  pending: Pending | null;
}

function merge(into: Pending | null, detection: Detection, settings: ResolvedThreatSettings): Pending {
  if (!into) {
    return {
      detection,
      settings,
      occurrences: 1,
      evidence: new Map(detection.evidence.map((e) => [e.auditEventId, e])),
    };
  }
  // The latest detection speaks (explanation, details), at the highest severity seen, newest evidence first.
  const evidence = new Map(detection.evidence.map((e) => [e.auditEventId, e]));
  for (const [id, e] of into.evidence) {
    if (evidence.size >= EVIDENCE_CAP) break;
    if (!evidence.has(id)) evidence.set(id, e);
  }
  return {
    detection: { ...detection, severity: higherSeverity(into.detection.severity, detection.severity) },
    settings,
    occurrences: into.occurrences + 1,
    evidence,
  };
}

/**
 * Committed audit events → signals → detectors → security events. Runs beside the audit append
 * path, never in it: `handle` only queues (bounded) and returns; events are processed in order per
 * log, asynchronously. A quiet stream costs no database access (settings are cached); only a
 * detection writes, and repeats of one attack are coalesced to one write per key per `coalesceMs`.
 * Nothing here throws into the caller: failures are logged and counted.
 */
export function createThreatPipeline(options: ThreatPipelineOptions) {
  const { log, engine, settingsFor, signalContext, record } = options;
  const maxPending = options.maxPending ?? 50_000;
  const coalesceMs = options.coalesceMs ?? 250;
  const stats: ThreatPipelineStats = {
    signals: 0,
    detections: 0,
    raised: 0,
    repeated: 0,
    dropped: 0,
    failed: 0,
  };

  const lanes = new Map<string, Fifo<CommittedAuditEvent>>();
  let queued = 0;
  let writes = 0;
  const slots = new Map<string, Slot>();
  let idleWaiters: Array<() => void> = [];
  let lastDropWarning = 0;

  const busy = () => queued > 0 || lanes.size > 0 || writes > 0 || [...slots.values()].some((s) => s.pending);

  function settle(): void {
    if (idleWaiters.length === 0 || busy()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ------------------------------------------------------------ coalesced writes

  function write(key: string, slot: Slot): void {
    const pending = slot.pending;
    slot.timer = null;
    if (!pending) {
      slots.delete(key);
      settle();
      return;
    }
    slot.pending = null;
    slot.writing = true;
    writes += 1;
    const detection = { ...pending.detection, evidence: [...pending.evidence.values()] };
    record(detection, pending.settings, pending.occurrences)
      .then(({ created }) => {
        stats.raised += created ? 1 : 0;
        stats.repeated += pending.occurrences - (created ? 1 : 0);
      })
      .catch((err: unknown) => {
        stats.failed += 1;
        log.error(
          { err, organizationId: detection.organizationId, type: detection.type },
          'recording a detection failed',
        );
      })
      .finally(() => {
        slot.writing = false;
        writes -= 1;
        // The quiet period: what arrives now gathers into one write when it ends.
        slot.timer = setTimeout(() => write(key, slot), coalesceMs);
        slot.timer.unref();
        settle();
      });
  }

  function enqueueDetection(detection: Detection, settings: ResolvedThreatSettings): void {
    const key = `${detection.organizationId}\u0000${detection.dedupKey}`;
    let slot = slots.get(key);
    if (!slot) {
      slot = { writing: false, timer: null, pending: null };
      slots.set(key, slot);
    }
    slot.pending = merge(slot.pending, detection, settings);
    // Writing, or quiet after a write: the timer (or the write's end) picks it up.
    if (slot.writing || slot.timer) return;
    write(key, slot);
  }

  // ------------------------------------------------------------ signals

  async function processEvent(event: CommittedAuditEvent): Promise<void> {
    const signal = signalOf(event, signalContext);
    if (!signal) return;
    stats.signals += 1;
    const orgId = signal.organizationId;
    const settings = orgId ? await settingsFor(orgId) : null;
    const detections = await engine.process(signal, settings);
    for (const detection of detections) {
      stats.detections += 1;
      const own =
        settings && detection.organizationId === orgId
          ? settings
          : await settingsFor(detection.organizationId);
      enqueueDetection(detection, own);
    }
  }

  async function drain(laneKey: string, lane: Fifo<CommittedAuditEvent>): Promise<void> {
    for (let event = lane.shift(); event; event = lane.shift()) {
      try {
        await processEvent(event);
      } catch (err) {
        stats.failed += 1;
        log.error({ err, action: event.action, logId: event.logId }, 'threat detection failed on an event');
      } finally {
        queued -= 1;
      }
    }
    lanes.delete(laneKey);
    settle();
  }

  function accept(event: CommittedAuditEvent): void {
    if (queued >= maxPending) {
      stats.dropped += 1;
      const now = Date.now();
      if (now - lastDropWarning > 10_000) {
        lastDropWarning = now;
        log.warn({ dropped: stats.dropped, maxPending }, 'threat detection is behind: audit events dropped');
      }
      return;
    }
    queued += 1;
    const laneKey = event.logId;
    const lane = lanes.get(laneKey);
    if (lane) {
      lane.push(event);
      return;
    }
    const fresh = new Fifo<CommittedAuditEvent>();
    fresh.push(event);
    lanes.set(laneKey, fresh);
    // Off the caller's stack: the append path returns before any detector runs.
    setImmediate(() => void drain(laneKey, fresh));
  }

  /** Resolves when nothing is queued, processing, waiting to be written, or being written. */
  function idle(): Promise<void> {
    return new Promise((resolve) => {
      idleWaiters.push(resolve);
      settle();
    });
  }

  return {
    stats,

    /** Queues committed events for detection; returns at once and never throws. */
    handle(events: readonly CommittedAuditEvent[]): void {
      try {
        for (const event of events) accept(event);
      } catch (err) {
        log.error({ err }, 'threat detection could not queue events');
      }
    },

    idle,

    /** Writes what is gathering now instead of at the end of its quiet period, then waits for idle. */
    async flush(): Promise<void> {
      for (const [key, slot] of slots) {
        if (slot.pending && !slot.writing && slot.timer) {
          clearTimeout(slot.timer);
          write(key, slot);
        }
      }
      await idle();
    },
  };
}

export type ThreatPipeline = ReturnType<typeof createThreatPipeline>;
