import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisLease } from './redis-lease';

const redisUrl = process.env.CUSTOS_TEST_REDIS_URL;

describe.skipIf(!redisUrl)('Redis job lease', () => {
  const a = createRedisLease(redisUrl ?? '');
  const b = createRedisLease(redisUrl ?? '');
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('gives a name to one holder until it expires; only the holder renews it', async () => {
    const name = `test-${randomBytes(4).toString('hex')}`;
    const held = await a.acquire(name, 200);
    expect(held).not.toBeNull();
    expect(await b.acquire(name, 200)).toBeNull();
    expect(await held?.renew(400)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const taken = await b.acquire(name, 10_000);
    expect(taken).not.toBeNull();
    // The first holder's lease expired and is someone else's now: renewing it must not steal it.
    expect(await held?.renew(10_000)).toBe(false);
    expect(await a.acquire(name, 10_000)).toBeNull();
  });
});
