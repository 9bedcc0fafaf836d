import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRateLimiter, MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from './limiter';

const limiters: Array<[string, () => RateLimiter]> = [['memory', () => new MemoryRateLimiter()]];
if (process.env.CUSTOS_TEST_REDIS_URL) {
  const url = process.env.CUSTOS_TEST_REDIS_URL;
  limiters.push(['redis', () => new RedisRateLimiter(url)]);
}

describe.each(limiters)('rate limiter (%s)', (_name, make) => {
  it('allows up to the limit in a window, then refuses with a retry time, then resets', async () => {
    const limiter = make();
    const key = `test:${randomUUID()}`;
    for (let i = 0; i < 3; i++) expect((await limiter.consume(key, 3, 400)).allowed).toBe(true);
    const refused = await limiter.consume(key, 3, 400);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await limiter.consume(`${key}:other`, 3, 400)).allowed).toBe(true);
    await new Promise((r) => setTimeout(r, 450));
    expect((await limiter.consume(key, 3, 400)).allowed).toBe(true);
    await limiter.close();
  });

  it('reads windows without counting, and forgets one on reset', async () => {
    const limiter = make();
    const key = `test:${randomUUID()}`;
    expect(await limiter.peek([key])).toEqual([null]);
    await limiter.consume(key, 3, 10_000);
    await limiter.consume(key, 3, 10_000);
    const [window, none] = await limiter.peek([key, `${key}:other`]);
    expect(window?.count).toBe(2);
    expect(window?.resetAt).toBeGreaterThan(Date.now());
    expect(none).toBeNull();
    expect((await limiter.peek([key]))[0]?.count).toBe(2);
    await limiter.reset(key);
    expect(await limiter.peek([key])).toEqual([null]);
    expect((await limiter.consume(key, 1, 10_000)).allowed).toBe(true);
    await limiter.close();
  });

  it('gives an attempt back on release, never below zero and never creating a window', async () => {
    const limiter = make();
    const key = `test:${randomUUID()}`;
    await limiter.release(key);
    for (let i = 0; i < 3; i++) expect((await limiter.consume(key, 3, 10_000)).allowed).toBe(true);
    await limiter.release(key);
    await limiter.release(key);
    expect((await limiter.consume(key, 3, 10_000)).allowed).toBe(true);
    expect((await limiter.consume(key, 3, 10_000)).allowed).toBe(true);
    expect((await limiter.consume(key, 3, 10_000)).allowed).toBe(false);
    await limiter.close();
  });

  it('shares counters between instances (one per server process)', async () => {
    const a = make();
    const b = make();
    const key = `test:${randomUUID()}`;
    await a.consume(key, 2, 10_000);
    await b.consume(key, 2, 10_000);
    const third = await a.consume(key, 2, 10_000);
    // Memory limiters are per process by design; Redis ones share the count.
    expect(third.allowed).toBe(a instanceof MemoryRateLimiter);
    await a.close();
    await b.close();
  });
});

describe('rate limiter with Redis unreachable', () => {
  it('fails closed with 503 SERVICE_UNAVAILABLE instead of a 500', async () => {
    const limiter = new RedisRateLimiter('redis://127.0.0.1:1');
    await expect(limiter.consume('k', 1, 1000)).rejects.toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
    });
    await limiter.close().catch(() => undefined);
  });
});

describe('createRateLimiter', () => {
  it('keeps counters in memory by default and in Redis when a URL is configured', async () => {
    const memory = createRateLimiter(null);
    expect(memory).toBeInstanceOf(MemoryRateLimiter);
    const redis = createRateLimiter('redis://127.0.0.1:1');
    expect(redis).toBeInstanceOf(RedisRateLimiter);
    await memory.close();
    await redis.close().catch(() => undefined);
  });
});
