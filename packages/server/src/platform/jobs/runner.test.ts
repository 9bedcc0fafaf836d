import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../log';
import { createJobRunner, type Lease } from './runner';

const log = createLogger('silent');

/** A promise the test settles by hand. */
function deferred() {
  let resolve: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One lease store shared by several runners, as Redis is by several servers; time is the fake clock's. */
function fakeLease(): Lease {
  const held = new Map<string, { owner: symbol; until: number }>();
  return {
    async acquire(name, ttlMs) {
      const now = Date.now();
      const current = held.get(name);
      if (current && current.until > now) return null;
      const owner = Symbol(name);
      held.set(name, { owner, until: now + ttlMs });
      return {
        async renew(renewMs) {
          const mine = held.get(name);
          if (mine?.owner !== owner) return false;
          mine.until = Date.now() + renewMs;
          return true;
        },
      };
    },
  };
}

describe('job runner', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a job every interval once started, and records its runs', async () => {
    const runner = createJobRunner({ log });
    let runs = 0;
    const job = runner.add({
      name: 'test.count',
      everyMs: 1_000,
      run: async () => {
        runs += 1;
      },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(0);
    job.start();
    job.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs).toBe(3);
    expect(runner.states()).toEqual([
      expect.objectContaining({
        name: 'test.count',
        everyMs: 1_000,
        running: false,
        lastOutcome: 'ok',
        lastError: null,
        runs: 3,
        failures: 0,
      }),
    ]);
    await runner.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(3);
  });

  it('is single-flight: a tick during a run is skipped, never stacked', async () => {
    const runner = createJobRunner({ log });
    const gate = deferred();
    let started = 0;
    const job = runner.add({
      name: 'test.slow',
      everyMs: 100,
      run: async () => {
        started += 1;
        await gate.promise;
      },
    });
    job.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toBe(1);
    expect(job.state().running).toBe(true);
    // Asked for while running: the caller waits for the run in progress.
    const now = job.runNow();
    expect(started).toBe(1);
    gate.resolve();
    await now;
    expect(job.state()).toMatchObject({ running: false, runs: 1 });
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(2);
    await runner.stop();
  });

  it('stop waits for the run in progress and starts no other', async () => {
    const runner = createJobRunner({ log });
    const gate = deferred();
    let finished = false;
    let started = 0;
    runner
      .add({
        name: 'test.stop',
        everyMs: 100,
        run: async () => {
          started += 1;
          await gate.promise;
          finished = true;
        },
      })
      .start();
    await vi.advanceTimersByTimeAsync(100);
    let stopped = false;
    const stopping = runner.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(finished).toBe(true);
    expect(started).toBe(1);
  });

  it('records a failure (and logs it) without stopping the job', async () => {
    const runner = createJobRunner({ log, now: () => new Date(Date.now()) });
    let calls = 0;
    const job = runner.add({
      name: 'test.flaky',
      everyMs: 1_000,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('database unreachable');
      },
    });
    await job.runNow();
    expect(job.state()).toMatchObject({
      lastOutcome: 'failed',
      lastError: { message: 'database unreachable', at: expect.any(String) },
      runs: 1,
      failures: 1,
    });
    await job.runNow();
    // The failure stays visible after a later success; the outcome says the last run went well.
    expect(job.state()).toMatchObject({ lastOutcome: 'ok', runs: 2, failures: 1 });
    expect(job.state().lastError?.message).toBe('database unreachable');
  });

  it('refuses two jobs of one name', () => {
    const runner = createJobRunner({ log });
    runner.add({ name: 'test.twice', everyMs: 1_000, run: async () => {} });
    expect(() => runner.add({ name: 'test.twice', everyMs: 1_000, run: async () => {} })).toThrow(
      /already added/,
    );
  });

  it('runs a leader-only job on one server per interval, through the lease', async () => {
    const lease = fakeLease();
    const ran: string[] = [];
    const servers = ['a', 'b', 'c'].map((server) => {
      const runner = createJobRunner({ log, lease });
      const job = runner.add({
        name: 'test.leader',
        everyMs: 1_000,
        leaderOnly: true,
        run: async () => {
          ran.push(server);
        },
      });
      return { runner, job };
    });
    for (const { job } of servers) await job.runNow();
    expect(ran).toEqual(['a']);
    expect(servers.map(({ job }) => job.state().lastOutcome)).toEqual(['ok', 'skipped', 'skipped']);
    // The lease lasts the interval; then whoever comes first takes it.
    await vi.advanceTimersByTimeAsync(1_000);
    await servers[2]?.job.runNow();
    await servers[0]?.job.runNow();
    expect(ran).toEqual(['a', 'c']);
    for (const { runner } of servers) await runner.stop();
  });

  it('renews the lease while a long leader-only run goes on', async () => {
    const lease = fakeLease();
    const gate = deferred();
    const first = createJobRunner({ log, lease }).add({
      name: 'test.long',
      everyMs: 1_000,
      leaderOnly: true,
      run: () => gate.promise,
    });
    let secondRan = false;
    const second = createJobRunner({ log, lease }).add({
      name: 'test.long',
      everyMs: 1_000,
      leaderOnly: true,
      run: async () => {
        secondRan = true;
      },
    });
    const running = first.runNow();
    await vi.advanceTimersByTimeAsync(3_500);
    await second.runNow();
    expect(secondRan).toBe(false);
    gate.resolve();
    await running;
    await vi.advanceTimersByTimeAsync(1_000);
    await second.runNow();
    expect(secondRan).toBe(true);
  });

  it('runs a leader-only job without a lease when no lease store is configured (one server)', async () => {
    let runs = 0;
    const job = createJobRunner({ log }).add({
      name: 'test.alone',
      everyMs: 1_000,
      leaderOnly: true,
      run: async () => {
        runs += 1;
      },
    });
    await job.runNow();
    expect(runs).toBe(1);
  });

  it('records a lease store failure as the run failing', async () => {
    const broken: Lease = {
      acquire: async () => {
        throw new Error('redis unreachable');
      },
    };
    let runs = 0;
    const job = createJobRunner({ log, lease: broken }).add({
      name: 'test.broken-lease',
      everyMs: 1_000,
      leaderOnly: true,
      run: async () => {
        runs += 1;
      },
    });
    await job.runNow();
    expect(runs).toBe(0);
    expect(job.state()).toMatchObject({ lastOutcome: 'failed', lastError: { message: 'redis unreachable' } });
  });
});
