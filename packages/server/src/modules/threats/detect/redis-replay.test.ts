import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryDetectionState } from './memory-state';
import { RedisDetectionState } from './redis-state';
import { attackStream } from './test-attack-stream';
import { replay, series } from './test-fixtures';

const redisUrl = process.env.CUSTOS_TEST_REDIS_URL;
const prefix = `custos:threat:test:${randomUUID()}:`;

describe.skipIf(!redisUrl)('detector replay on Redis state', () => {
  const url = redisUrl ?? '';
  const states: RedisDetectionState[] = [];
  const redisState = () => {
    const state = new RedisDetectionState(url, { keyPrefix: prefix });
    states.push(state);
    return state;
  };

  afterAll(async () => {
    for (const state of states) await state.close();
    const redis = new Redis(url);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('answers exactly what the memory state answers for the same stream', async () => {
    const stream = attackStream();
    const inMemory = await replay(stream, null, new MemoryDetectionState());
    const onRedis = await replay(stream, null, redisState());
    expect(onRedis.perSignal).toEqual(inMemory.perSignal);
    expect(new Set(onRedis.all.map((d) => d.type)).size).toBe(11);
  });

  it('shares counters between processes: two engines on one Redis count one attack', async () => {
    const userId = `usr_${randomUUID()}`;
    const signals = series(10, 'sign_in_failed', () => ({ userId, ip: '192.0.2.200' }));
    const a = redisState();
    const b = redisState();
    const first = await replay(signals.slice(0, 5), null, a);
    const second = await replay(signals.slice(5), null, b);
    expect(first.of('brute_force_account')).toEqual([]);
    expect(second.of('brute_force_account')[0]?.details).toMatchObject({ observed: 10 });
    expect(second.of('brute_force_account')[0]?.evidence).toHaveLength(10);
  });
});
