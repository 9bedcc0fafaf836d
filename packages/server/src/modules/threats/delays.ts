import { Redis } from 'ioredis';
import { AppError } from '../../platform/http/errors';

/**
 * Progressive sign-in delay per account, for attempts from origins the account never used:
 * after DELAY_AFTER failures each further attempt must wait twice as long as the one before
 * (1 s, 2 s, 4 s … capped at 15 minutes). Unknown e-mail addresses are delayed exactly like real
 * ones, so the delay tells nobody which accounts exist. Shared through Redis when configured.
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
  recordFailure(key: string, at: number): Promise<FailureRecord>;
  clear(key: string): Promise<void>;
  close(): Promise<void>;
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

  async recordFailure(key: string, at: number): Promise<FailureRecord> {
    if (this.records.size > 100_000) this.sweep();
    const previous = await this.get(key);
    const record = { failures: (previous?.failures ?? 0) + 1, lastAt: at };
    this.records.set(key, record);
    return record;
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

class RedisDelayStore implements DelayStore {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, keyPrefix: 'custos:signin-delay:' });
    this.redis.on('error', () => {});
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

  async recordFailure(key: string, at: number): Promise<FailureRecord> {
    try {
      const result = await this.redis
        .multi()
        .hincrby(key, 'failures', 1)
        .hset(key, 'lastAt', String(at))
        .pexpire(key, FORGET_AFTER_MS)
        .exec();
      const failures = Number(result?.[0]?.[1] ?? 1);
      return { failures, lastAt: at };
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
