import { Redis } from 'ioredis';

/**
 * Every Redis connection Custos opens is made here, so they all behave alike: a command waits
 * through at most two reconnect attempts and then rejects (each caller decides to fail closed or to
 * skip), and a connection error never reaches the process as an unhandled 'error' event — ioredis
 * reconnects by itself, and the failure surfaces where it matters, as a rejected command.
 */
export interface RedisConnectionOptions {
  /** Put before every key, so the modules sharing one Redis never touch each other's keys. */
  keyPrefix?: string;
  /** Hears connection errors (to log them); by default they are left to the rejected commands. */
  onError?: (error: Error) => void;
}

/** A connection for commands (and publishing). */
export function openRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
  });
  redis.on('error', options.onError ?? ignore);
  return redis;
}

/**
 * A connection for SUBSCRIBE: Redis allows nothing else on a subscribed connection, so pub/sub needs
 * its own. Its subscription waits for Redis however long it is away (no retry limit): it is made
 * once, and ioredis subscribes again after every reconnect.
 */
export function openRedisSubscriber(
  url: string,
  options: Pick<RedisConnectionOptions, 'onError'> = {},
): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', options.onError ?? ignore);
  return redis;
}

function ignore(): void {}
