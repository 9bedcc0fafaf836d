import type { Redis } from 'ioredis';
import { AppError } from '../http/errors';
import { openRedis } from '../redis';

export interface LimitResult {
  allowed: boolean;
  retryAfterSeconds: number;
}

/** Fixed-window counters: `consume` counts one attempt under `key` and says whether it is allowed. */
export interface RateLimiter {
  consume(key: string, limit: number, windowMs: number): Promise<LimitResult>;
  /** Gives back one attempt counted under `key` (an attempt that turned out to be the owner's). */
  release(key: string): Promise<void>;
  /** The live windows of these keys, read without counting (null: no attempt counted now). */
  peek(keys: readonly string[]): Promise<Array<WindowState | null>>;
  /** Forgets a key's window (an admin lifted a lockout). */
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface WindowState {
  count: number;
  /** Epoch milliseconds when the window ends and its count is forgotten. */
  resetAt: number;
}

export function createRateLimiter(redisUrl: string | null): RateLimiter {
  return redisUrl ? new RedisRateLimiter(redisUrl) : new MemoryRateLimiter();
}

/** Live windows a memory limiter holds before the oldest are dropped. */
const MAX_WINDOWS = 100_000;

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private sweptAt = 0;

  async consume(key: string, limit: number, windowMs: number): Promise<LimitResult> {
    const now = Date.now();
    // Swept at most once a second when large, so a flood of new keys does not make every call scan.
    if (this.windows.size > MAX_WINDOWS && now - this.sweptAt > 1000) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { allowed: window.count <= limit, retryAfterSeconds: Math.ceil((window.resetAt - now) / 1000) };
  }

  async release(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count -= 1;
  }

  async peek(keys: readonly string[]): Promise<Array<WindowState | null>> {
    const now = Date.now();
    return keys.map((key) => {
      const window = this.windows.get(key);
      return window && window.resetAt > now ? { count: window.count, resetAt: window.resetAt } : null;
    });
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    // Still full of live windows: the oldest go (a lost window only forgets some attempts).
    let evict = this.windows.size - MAX_WINDOWS;
    for (const key of this.windows.keys()) {
      if (evict-- <= 0) break;
      this.windows.delete(key);
    }
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

/** Decrements a live window's count, never below zero, never creating a key. */
const RELEASE_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return count
`;

/** Shared counters so a limit holds across several server processes. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;

  constructor(url: string) {
    // Connection errors surface where they matter: as a 503 from consume(), while ioredis reconnects.
    this.redis = openRedis(url, { keyPrefix: 'custos:rl:' });
  }

  async consume(key: string, limit: number, windowMs: number): Promise<LimitResult> {
    let result: Array<[Error | null, unknown]> | null;
    try {
      result = await this.redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec();
    } catch {
      // Fail closed: without the shared counter we cannot tell an attack from a user.
      throw new AppError(
        503,
        'SERVICE_UNAVAILABLE',
        'Sign-in is briefly unavailable (rate-limit store unreachable). Try again shortly.',
      );
    }
    const count = Number(result?.[0]?.[1] ?? 0);
    const ttl = Number(result?.[2]?.[1] ?? windowMs);
    return { allowed: count <= limit, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
  }

  async release(key: string): Promise<void> {
    // Best effort: a lost refund only leaves the window one attempt fuller, as before.
    await this.redis.eval(RELEASE_SCRIPT, 1, key).catch(() => undefined);
  }

  async peek(keys: readonly string[]): Promise<Array<WindowState | null>> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.get(key).pttl(key);
    let result: Array<[Error | null, unknown]> | null;
    try {
      result = await pipeline.exec();
    } catch {
      throw new AppError(
        503,
        'SERVICE_UNAVAILABLE',
        'The rate-limit store is unreachable. Try again shortly.',
      );
    }
    const now = Date.now();
    return keys.map((_, i) => {
      const count = Number(result?.[i * 2]?.[1] ?? 0);
      const ttl = Number(result?.[i * 2 + 1]?.[1] ?? -2);
      return count > 0 && ttl > 0 ? { count, resetAt: now + ttl } : null;
    });
  }

  async reset(key: string): Promise<void> {
    try {
      await this.redis.del(key);
    } catch {
      throw new AppError(
        503,
        'SERVICE_UNAVAILABLE',
        'The rate-limit store is unreachable. Try again shortly.',
      );
    }
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
