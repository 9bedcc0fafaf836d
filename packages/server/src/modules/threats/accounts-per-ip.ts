import type { Redis } from 'ioredis';
import { AppError } from '../../platform/http/errors';
import { openRedis } from '../../platform/redis';

/**
 * Distinct accounts each IP failed to sign in to, counted when the attempt is made, before its
 * password is checked: credential stuffing is stopped at its threshold however many tasks run in
 * parallel (detection, which counts after commit, would let a burst through before it fires). An
 * account the IP then signs in to is taken back out: the owner's success is not an attack.
 */
export interface AccountsPerIp {
  /**
   * Adds `account` to the IP's accounts in the window unless that would pass `limit` (an account
   * already there is always allowed). Answers how long to wait when refused (0 when allowed).
   */
  reserve(ip: string, account: string, limit: number, windowMs: number, at: number): Promise<number>;
  release(ip: string, account: string): Promise<void>;
  close(): Promise<void>;
}

export function createAccountsPerIp(redisUrl: string | null): AccountsPerIp {
  return redisUrl ? new RedisAccountsPerIp(redisUrl) : new MemoryAccountsPerIp();
}

const MAX_TRACKED_IPS = 100_000;

export class MemoryAccountsPerIp implements AccountsPerIp {
  private readonly byIp = new Map<string, Map<string, number>>();

  async reserve(ip: string, account: string, limit: number, windowMs: number, at: number): Promise<number> {
    // No await between the read and the write: the reservation is atomic in this process.
    const accounts = this.byIp.get(ip) ?? new Map<string, number>();
    // The map is kept in order of last use: when it is full the least recently active sources go,
    // never every source's cap at once (which a flood from many addresses could otherwise force).
    this.byIp.delete(ip);
    if (this.byIp.size >= MAX_TRACKED_IPS) this.evictOldest();
    for (const [key, seenAt] of accounts) if (seenAt <= at - windowMs) accounts.delete(key);
    this.byIp.set(ip, accounts);
    if (!accounts.has(account) && accounts.size >= limit) {
      const oldest = Math.min(...accounts.values());
      return Math.max(1000, oldest + windowMs - at);
    }
    accounts.set(account, at);
    return 0;
  }

  async release(ip: string, account: string): Promise<void> {
    this.byIp.get(ip)?.delete(account);
  }

  private evictOldest(): void {
    let evict = Math.ceil(MAX_TRACKED_IPS / 10);
    for (const key of this.byIp.keys()) {
      if (evict-- <= 0) break;
      this.byIp.delete(key);
    }
  }

  async close(): Promise<void> {
    this.byIp.clear();
  }
}

/** One script: drop what left the window, then admit or refuse, atomically across servers. */
const RESERVE_SCRIPT = `
local at = tonumber(ARGV[2])
local window = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - window)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1000, tonumber(oldest[2]) + window - at)
end
redis.call('ZADD', KEYS[1], at, ARGV[1])
redis.call('PEXPIRE', KEYS[1], window)
return 0
`;

class RedisAccountsPerIp implements AccountsPerIp {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = openRedis(url, { keyPrefix: 'custos:signin-accounts:' });
  }

  async reserve(ip: string, account: string, limit: number, windowMs: number, at: number): Promise<number> {
    try {
      const waitMs = await this.redis.eval(RESERVE_SCRIPT, 1, ip, account, at, limit, windowMs);
      return Number(waitMs);
    } catch {
      // Fail closed like the other sign-in counters: without them an attack looks like a user.
      throw new AppError(
        503,
        'SERVICE_UNAVAILABLE',
        'Sign-in is briefly unavailable. Try again in a moment.',
      );
    }
  }

  async release(ip: string, account: string): Promise<void> {
    await this.redis.zrem(ip, account).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
