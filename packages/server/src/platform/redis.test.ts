import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { openRedis, openRedisSubscriber } from './redis';

describe('Redis connection factory', () => {
  const opened: Redis[] = [];
  afterEach(() => {
    for (const redis of opened.splice(0)) redis.disconnect();
  });

  it('opens command connections that give up after two retries, with the key prefix asked for', () => {
    const redis = openRedis('redis://127.0.0.1:1', { keyPrefix: 'custos:test:' });
    opened.push(redis);
    expect(redis.options).toMatchObject({ maxRetriesPerRequest: 2, keyPrefix: 'custos:test:' });
    const plain = openRedis('redis://127.0.0.1:1');
    opened.push(plain);
    expect(plain.options.keyPrefix).toBe('');
  });

  it('opens subscriber connections whose subscription waits for Redis', () => {
    const redis = openRedisSubscriber('redis://127.0.0.1:1');
    opened.push(redis);
    expect(redis.options.maxRetriesPerRequest).toBeNull();
  });

  it('never lets a connection error reach the process; a command rejects instead', async () => {
    const heard: Error[] = [];
    const redis = openRedis('redis://127.0.0.1:1', { onError: (error) => heard.push(error) });
    opened.push(redis);
    await expect(redis.get('x')).rejects.toThrow();
    expect(heard.length).toBeGreaterThan(0);
    expect(redis.listenerCount('error')).toBe(1);
  });
});
