import type { Logger } from 'pino';
import type { CommittedAuditEvent } from '../audit';
import type { Detection, DetectionEvidence, DetectorEngine, ResolvedThreatSettings } from './detection';
import { higherSeverity } from './present';
import { type Signal, type SignalContext, type SignalKind, signalOf } from './signal';

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
  /** Signals waiting beyond this are dropped (with a logged warning). */
  maxPending?: number;
  /** At most one write per dedup key in this many milliseconds; repeats in between are merged. */
  coalesceMs?: number;
  /** Detection writes (transactions) running at once; the rest wait, gathering repeats. */
  maxConcurrentWrites?: number;
}

export interface ThreatPipelineStats {
  /** Signals taken through the detectors. */
  signals: number;
  detections: number;
  /** Security events created. */
  raised: number;
  /** Detections folded into an existing event. */
  repeated: number;
  /** Signals dropped because the queue was full (or nearly, for low-priority kinds). */
  dropped: number;
  /** Signals or writes that failed (logged). */
  failed: number;
}

/**
 * Kinds shed first when the queue nears its bound: they feed baselines and volume detectors that a
 * gap barely moves, while every lost sign-in signal is an attempt brute-force counting never sees.
 */
const LOW_PRIORITY: ReadonlySet<SignalKind> = new Set(['activity', 'data_export']);
/** Share of the bound low-priority signals may fill; the rest is kept for the others. */
const LOW_PRIORITY_SHARE = 0.8;
/** A lane gives the event loop back after this many signals or milliseconds of its own work. */
const YIELD_EVERY_SIGNALS = 200;
const YIELD_EVERY_MS = 5;
const DROP_WARNING_MS = 10_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

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

/**
 * Evidence one merged write carries at most. The event counts its attempts (and their addresses)
 * from the evidence, so merging keeps all of it rather than the newest few (the store lists only the
 * newest). Only a backlog of one key far beyond any threshold passes this; the attempts past it
 * then go uncounted rather than hold memory without bound.
 */
const MERGED_EVIDENCE_LIMIT = 10_000;

function merge(into: Pending | null, detection: Detection, settings: ResolvedThreatSettings): Pending {
  if (!into) {
    return {
      detection,
      settings,
      occurrences: 1,
      evidence: new Map(detection.evidence.map((e) => [e.auditEventId, e])),
    };
  }
  // The latest detection speaks (explanation, details), at the highest severity seen. Its evidence
  // joins what gathered, in place: consecutive detections list mostly the same audit events.
  for (const e of detection.evidence) {
    if (into.evidence.size >= MERGED_EVIDENCE_LIMIT) break;
    if (!into.evidence.has(e.auditEventId)) into.evidence.set(e.auditEventId, e);
  }
  return {
    detection: { ...detection, severity: higherSeverity(into.detection.severity, detection.severity) },
    settings,
    occurrences: into.occurrences + 1,
    evidence: into.evidence,
  };
}

/**
 * A counting semaphore: at most `limit` holders; the others wait in arrival order. A released
 * permit passes straight to the next waiter.
 */
function createPermits(limit: number) {
  let held = 0;
  const waiting = new Fifo<() => void>();
  return {
    acquire(): Promise<void> {
      if (held < limit) {
        held += 1;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else held -= 1;
    },
  };
}

/**
 * Committed audit events → signals → detectors → security events. Runs beside the audit append
 * path, never in it: `handle` only reduces events to signals and queues them (bounded), then
 * returns; signals are processed in order per log, asynchronously, giving the event loop back
 * every few hundred. A quiet stream costs no database access (settings are cached); only a
 * detection writes, repeats of one attack are coalesced to one write per key per `coalesceMs`,
 * and only a few writes run at once. Nothing here throws into the caller: failures are logged
 * and counted.
 */
export function createThreatPipeline(options: ThreatPipelineOptions) {
  const { log, engine, settingsFor, signalContext, record } = options;
  const maxPending = options.maxPending ?? 50_000;
  const lowPriorityBound = Math.floor(maxPending * LOW_PRIORITY_SHARE);
  const coalesceMs = options.coalesceMs ?? 250;
  const permits = createPermits(Math.max(1, options.maxConcurrentWrites ?? 4));
  const stats: ThreatPipelineStats = {
    signals: 0,
    detections: 0,
    raised: 0,
    repeated: 0,
    dropped: 0,
    failed: 0,
  };

  const lanes = new Map<string, Fifo<Signal>>();
  let queued = 0;
  let writes = 0;
  const slots = new Map<string, Slot>();
  let idleWaiters: Array<() => void> = [];
  /** Held while someone waits for idle(): the quiet-period timers are unref'd and would not be. */
  let keepAlive: NodeJS.Timeout | null = null;
  const droppedByKind = new Map<SignalKind, number>();
  let lastDropWarning = 0;

  const busy = () => queued > 0 || lanes.size > 0 || writes > 0 || [...slots.values()].some((s) => s.pending);

  function settle(): void {
    if (idleWaiters.length === 0 || busy()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    if (keepAlive) clearInterval(keepAlive);
    keepAlive = null;
    for (const resolve of waiters) resolve();
  }

  // ------------------------------------------------------------ coalesced writes

  function afterWrite(key: string, slot: Slot): void {
    permits.release();
    slot.writing = false;
    writes -= 1;
    // The quiet period: what arrives now gathers into one write when it ends.
    slot.timer = setTimeout(() => write(key, slot), coalesceMs);
    // A server's sockets keep the process alive; idle() holds its own timer for waiters.
    slot.timer.unref();
    settle();
  }

  async function runWrite(pending: Pending): Promise<void> {
    const detection = { ...pending.detection, evidence: [...pending.evidence.values()] };
    try {
      const { created } = await record(detection, pending.settings, pending.occurrences);
      stats.raised += created ? 1 : 0;
      stats.repeated += pending.occurrences - (created ? 1 : 0);
    } catch (err) {
      stats.failed += 1;
      log.error(
        { err, organizationId: detection.organizationId, type: detection.type },
        'recording a detection failed',
      );
    }
  }

  function write(key: string, slot: Slot): void {
    slot.timer = null;
    if (!slot.pending) {
      slots.delete(key);
      settle();
      return;
    }
    slot.writing = true;
    writes += 1;
    // Waiting for a permit, the slot keeps gathering: the write takes what is there once it may run.
    void permits.acquire().then(async () => {
      const pending = slot.pending;
      slot.pending = null;
      if (pending) await runWrite(pending);
      afterWrite(key, slot);
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
    // Writing (or waiting to), or quiet after a write: the timer (or the write's end) picks it up.
    if (slot.writing || slot.timer) return;
    write(key, slot);
  }

  // ------------------------------------------------------------ signals

  async function processSignal(signal: Signal): Promise<void> {
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

  async function drain(laneKey: string, lane: Fifo<Signal>): Promise<void> {
    let sinceYield = 0;
    let sliceStart = performance.now();
    for (let signal = lane.shift(); signal; signal = lane.shift()) {
      try {
        await processSignal(signal);
      } catch (err) {
        stats.failed += 1;
        log.error({ err, action: signal.action, logId: laneKey }, 'threat detection failed on a signal');
      } finally {
        queued -= 1;
      }
      // With state in memory every step above resolves without I/O: without this, a backlog would
      // run in one turn of the event loop and starve requests (and the alert stream) meanwhile.
      sinceYield += 1;
      if (sinceYield >= YIELD_EVERY_SIGNALS || performance.now() - sliceStart >= YIELD_EVERY_MS) {
        await nextTurn();
        sinceYield = 0;
        sliceStart = performance.now();
      }
    }
    lanes.delete(laneKey);
    settle();
  }

  function drop(kind: SignalKind): void {
    stats.dropped += 1;
    droppedByKind.set(kind, (droppedByKind.get(kind) ?? 0) + 1);
    const now = Date.now();
    if (now - lastDropWarning > DROP_WARNING_MS) {
      lastDropWarning = now;
      log.warn(
        { dropped: stats.dropped, byKind: Object.fromEntries(droppedByKind), maxPending },
        'threat detection is behind: signals dropped',
      );
    }
  }

  function accept(event: CommittedAuditEvent): void {
    // Reduced now, so the queue holds small signals, never the events' metadata.
    const signal = signalOf(event, signalContext);
    if (!signal) return;
    const bound = LOW_PRIORITY.has(signal.kind) ? lowPriorityBound : maxPending;
    if (queued >= bound) {
      drop(signal.kind);
      return;
    }
    queued += 1;
    const laneKey = event.logId;
    const lane = lanes.get(laneKey);
    if (lane) {
      lane.push(signal);
      return;
    }
    const fresh = new Fifo<Signal>();
    fresh.push(signal);
    lanes.set(laneKey, fresh);
    // Off the caller's stack: the append path returns before any detector runs.
    setImmediate(() => void drain(laneKey, fresh));
  }

  /** Resolves when nothing is queued, processing, waiting to be written, or being written. */
  function idle(): Promise<void> {
    return new Promise((resolve) => {
      idleWaiters.push(resolve);
      // Keeps Node running until the waiters are answered (nothing else may, e.g. in a script).
      keepAlive ??= setInterval(() => {}, 60_000);
      settle();
    });
  }

  return {
    stats,

    /** Queues committed events' signals for detection; returns at once and never throws. */
    handle(events: readonly CommittedAuditEvent[]): void {
      for (const event of events) {
        try {
          accept(event);
        } catch (err) {
          stats.failed += 1;
          log.error({ err, action: event.action }, 'threat detection could not queue an event');
        }
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
