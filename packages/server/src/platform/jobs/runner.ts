import type { Logger } from 'pino';

/**
 * Background work that repeats: every timer of the server is a named job here, so each one is
 * single-flight (a tick that finds the previous run still going is skipped, never stacked), stops
 * gracefully (stop waits for the run in progress), records how its runs went (for health), and —
 * when it must happen once across servers — runs only on the server holding its lease.
 */
export interface JobSpec {
  /** `<module>.<what>`, unique in a runner: it names the job in logs, health and the lease. */
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
  /**
   * At most one run per interval across the servers sharing state: each run first takes the job's
   * lease for `everyMs` (renewed while it runs) and is skipped when another server holds it. Only
   * for work that must not be done twice; without a lease (one server) the job simply runs.
   */
  leaderOnly?: boolean;
}

/** A lease store shared by the servers (Redis); a fake in tests. */
export interface Lease {
  /** Takes `name` for `ttlMs` unless another holder has it; null when it is held elsewhere. */
  acquire(name: string, ttlMs: number): Promise<LeaseHold | null>;
}

export interface LeaseHold {
  /** Extends the hold; false when it was lost (expired and taken by another holder). */
  renew(ttlMs: number): Promise<boolean>;
}

export interface JobState {
  name: string;
  everyMs: number;
  leaderOnly: boolean;
  running: boolean;
  /** When the last run started and ended (ISO); null before the first. */
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  /** 'skipped': another server held the lease. */
  lastOutcome: 'ok' | 'failed' | 'skipped' | null;
  /** The most recent failure, kept after later runs succeed (compare with lastFinishedAt). */
  lastError: { at: string; message: string } | null;
  runs: number;
  failures: number;
}

export interface Job {
  readonly name: string;
  /** Starts the timer (the first run is one interval away); a no-op when started. */
  start(): void;
  /** Stops the timer and waits for the run in progress. */
  stop(): Promise<void>;
  /** Runs now, or waits for the run in progress instead of starting another. */
  runNow(): Promise<void>;
  state(): JobState;
}

export interface JobRunnerOptions {
  log: Logger;
  /** Where leader-only jobs take their lease; none when a single server runs. */
  lease?: Lease | null;
  now?: () => Date;
}

export function createJobRunner(options: JobRunnerOptions) {
  const jobs = new Map<string, Job>();
  return {
    /** Adds a job, stopped: the module that owns it starts it. */
    add(spec: JobSpec): Job {
      if (jobs.has(spec.name)) throw new Error(`job ${spec.name} is already added`);
      const job = createJob(spec, options);
      jobs.set(spec.name, job);
      return job;
    },
    /** Stops every job, waiting for the runs in progress. */
    async stop(): Promise<void> {
      await Promise.all([...jobs.values()].map((job) => job.stop()));
    },
    /** Each job's name, timing and last outcome: what a health check shows. */
    states(): JobState[] {
      return [...jobs.values()].map((job) => job.state());
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;

function createJob(spec: JobSpec, options: JobRunnerOptions): Job {
  const { log } = options;
  const now = options.now ?? (() => new Date());
  const state: JobState = {
    name: spec.name,
    everyMs: spec.everyMs,
    leaderOnly: spec.leaderOnly ?? false,
    running: false,
    lastStartedAt: null,
    lastFinishedAt: null,
    lastOutcome: null,
    lastError: null,
    runs: 0,
    failures: 0,
  };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function runOnce(): Promise<void> {
    state.running = true;
    state.lastStartedAt = now().toISOString();
    let renewal: NodeJS.Timeout | null = null;
    try {
      if (spec.leaderOnly && options.lease) {
        const hold = await options.lease.acquire(spec.name, spec.everyMs);
        if (!hold) {
          state.lastOutcome = 'skipped';
          return;
        }
        // Kept (not released) after the run: the other servers skip the rest of this interval.
        renewal = setInterval(() => void hold.renew(spec.everyMs).catch(() => false), spec.everyMs / 2);
        renewal.unref();
      }
      await spec.run();
      state.runs += 1;
      state.lastOutcome = 'ok';
    } catch (error) {
      state.runs += 1;
      state.failures += 1;
      state.lastOutcome = 'failed';
      state.lastError = {
        at: now().toISOString(),
        message: error instanceof Error ? error.message : String(error),
      };
      log.error({ err: error, job: spec.name }, 'background job failed');
    } finally {
      if (renewal) clearInterval(renewal);
      state.running = false;
      state.lastFinishedAt = now().toISOString();
    }
  }

  function runNow(): Promise<void> {
    running ??= runOnce().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    name: spec.name,
    start() {
      if (timer) return;
      timer = setInterval(() => void runNow(), spec.everyMs);
      // The server's sockets keep the process alive; a timer alone must not.
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
    runNow,
    state: () => ({ ...state, lastError: state.lastError ? { ...state.lastError } : null }),
  };
}
