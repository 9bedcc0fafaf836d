import type { Redis } from 'ioredis';
import { AppError } from '../../platform/http/errors';
import { openRedis } from '../../platform/redis';

/**
 * Progressive sign-in delay per account, for attempts from origins the account never used:
 * after DELAY_AFTER attempts each further one must wait twice as long as the one before (1 s,
 * 2 s, 4 s … capped at 15 minutes). An attempt is counted (atomically) before its password is
 * checked, so attempts sent in parallel cannot all slip through, and one sent too early counts
 * too. A successful sign-in clears it. Unknown e-mail addresses are delayed exactly like real
 * ones. Shared through Redis when configured.
 */
export const DELAY_AFTER = 3;
const MAX_DELAY_MS = 15 * 60_000;
/** A quiet quarter of an hour forgets the failures. */
const FORGET_AFTER_MS = 15 * 60_000;

export interface FailureRecord {
  failures: number;
  lastAt: number;
}

export function delayMsAfter(failures: number): number {
  if (failures < DELAY_AFTER) return 0;
  return Math.min(1000 * 2 ** (failures - DELAY_AFTER), MAX_DELAY_MS);
}

export interface DelayStore {
  get(key: string): Promise<FailureRecord | null>;
  /** Counts an attempt now and answers the record as it was before it (null: none). */
  reserve(key: string, at: number): Promise<FailureRecord | null>;
  clear(key: string): Promise<void>;
  close(): Promise<void>;
}

/** How long the attempt must still wait, judged on the record before it (0: go ahead). */
export function waitMsFor(previous: FailureRecord | null, at: number): number {
  return previous ? Math.max(0, previous.lastAt + delayMsAfter(previous.failures) - at) : 0;
}

export function createDelayStore(redisUrl: string | null): DelayStore {
  return redisUrl ? new RedisDelayStore(redisUrl) : new MemoryDelayStore();
}

export class MemoryDelayStore implements DelayStore {
  private readonly records = new Map<string, FailureRecord>();

  async get(key: string): Promise<FailureRecord | null> {
    const record = this.records.get(key);
    if (!record) return null;
    if (Date.now() - record.lastAt > FORGET_AFTER_MS) {
      this.records.delete(key);
      return null;
    }
    return record;
  }

  async reserve(key: string, at: number): Promise<FailureRecord | null> {
    if (this.records.size > 100_000) this.sweep();
    // No await between the read and the write: the reservation is atomic in this process.
    const previous = this.records.get(key);
    const live = previous && at - previous.lastAt <= FORGET_AFTER_MS ? previous : null;
    this.records.set(key, { failures: (live?.failures ?? 0) + 1, lastAt: at });
    return live ? { ...live } : null;
  }

  async clear(key: string): Promise<void> {
    this.records.delete(key);
  }

  async close(): Promise<void> {
    this.records.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, record] of this.records)
      if (now - record.lastAt > FORGET_AFTER_MS) this.records.delete(key);
  }
}

const unavailable = () =>
  new AppError(503, 'SERVICE_UNAVAILABLE', 'Sign-in is briefly unavailable. Try again in a moment.');

const RESERVE_SCRIPT = `
local failures = redis.call('HGET', KEYS[1], 'failures')
local lastAt = redis.call('HGET', KEYS[1], 'lastAt')
redis.call('HINCRBY', KEYS[1], 'failures', 1)
redis.call('HSET', KEYS[1], 'lastAt', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {failures, lastAt}
`;

class RedisDelayStore implements DelayStore {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = openRedis(url, { keyPrefix: 'custos:signin-delay:' });
  }

  async get(key: string): Promise<FailureRecord | null> {
    try {
      const [failures, lastAt] = await this.redis.hmget(key, 'failures', 'lastAt');
      return failures && lastAt ? { failures: Number(failures), lastAt: Number(lastAt) } : null;
    } catch {
      // Fail closed, as the rate limiter does: without shared state an attack looks like a user.
      throw unavailable();
    }
  }

  async reserve(key: string, at: number): Promise<FailureRecord | null> {
    try {
      // One script: read the record as it was, count this attempt, in one atomic step.
      const previous = (await this.redis.eval(
        RESERVE_SCRIPT,
        1,
        key,
        String(at),
        String(FORGET_AFTER_MS),
      )) as [string | null, string | null];
      const [failures, lastAt] = previous;
      return failures && lastAt ? { failures: Number(failures), lastAt: Number(lastAt) } : null;
    } catch {
      throw unavailable();
    }
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(key).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
