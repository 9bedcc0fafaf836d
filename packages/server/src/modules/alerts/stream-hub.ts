import { randomUUID } from 'node:crypto';
import type { SecurityStreamMessage } from '@custos/shared';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { sseFrame } from '../../platform/http/sse';
import { openRedis, openRedisSubscriber } from '../../platform/redis';

/** One open stream: receives ready-made SSE frames of its organization. */
export type StreamListener = (frame: string) => void;

const REDIS_CHANNEL = 'custos:security-stream';
const SUBSCRIBE_PATIENCE_MS = 3_000;

interface BusMessage {
  origin: string;
  organizationId: string;
  message: SecurityStreamMessage;
}

/** An SSE frame: id = the message time (a reconnect's Last-Event-ID), event = its kind. */
export function securityFrame(message: SecurityStreamMessage): string {
  return sseFrame({ id: message.at, event: message.kind, data: JSON.stringify(message) });
}

/**
 * Fans security changes out to the open streams: this process' at once (a synchronous write per
 * stream, no polling, no database read), other processes' through Redis pub/sub when configured.
 * Each process tags what it publishes with its own id and ignores its own echo.
 */
export function createStreamHub(redisUrl: string | null, log: Logger) {
  const processId = randomUUID();
  const listeners = new Map<string, Set<StreamListener>>();
  /** How to end each open stream, for shutdown. */
  const closers = new Set<() => void>();
  let publisher: Redis | null = null;
  let subscriber: Redis | null = null;

  function deliverLocal(organizationId: string, message: SecurityStreamMessage) {
    const set = listeners.get(organizationId);
    if (!set || set.size === 0) return;
    const frame = securityFrame(message);
    for (const listener of set) {
      try {
        listener(frame);
      } catch (error) {
        log.warn({ err: error }, 'security stream: a listener failed');
      }
    }
  }

  function onBusMessage(raw: string) {
    let parsed: BusMessage;
    try {
      parsed = JSON.parse(raw) as BusMessage;
    } catch {
      return;
    }
    if (parsed.origin === processId || typeof parsed.organizationId !== 'string') return;
    deliverLocal(parsed.organizationId, parsed.message);
  }

  return {
    subscribe(organizationId: string, listener: StreamListener, close?: () => void): () => void {
      if (close) closers.add(close);
      let set = listeners.get(organizationId);
      if (!set) {
        set = new Set();
        listeners.set(organizationId, set);
      }
      set.add(listener);
      return () => {
        if (close) closers.delete(close);
        set.delete(listener);
        if (set.size === 0) listeners.delete(organizationId);
      };
    },

    publish(organizationId: string, message: SecurityStreamMessage): void {
      deliverLocal(organizationId, message);
      if (!publisher) return;
      const bus: BusMessage = { origin: processId, organizationId, message };
      publisher.publish(REDIS_CHANNEL, JSON.stringify(bus)).catch((error: unknown) => {
        log.warn({ err: error }, 'security stream: publishing to Redis failed');
      });
    },

    /** Open streams, for tests and health. */
    openStreams(): number {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },

    async start(): Promise<void> {
      if (!redisUrl || publisher) return;
      // ioredis reconnects by itself; errors are logged, never thrown into the process.
      publisher = openRedis(redisUrl, {
        onError: (error) => log.warn({ err: error }, 'security stream: Redis publisher error'),
      });
      // A subscribed connection cannot publish: the bus needs its own.
      subscriber = openRedisSubscriber(redisUrl, {
        onError: (error) => log.warn({ err: error }, 'security stream: Redis subscriber error'),
      });
      subscriber.on('message', (_channel: string, raw: string) => onBusMessage(raw));
      // Start-up does not wait on an unreachable Redis for long: ioredis subscribes once it connects.
      const subscribed = subscriber.subscribe(REDIS_CHANNEL).catch((error: unknown) => {
        log.warn({ err: error }, 'security stream: Redis subscribe failed');
      });
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SUBSCRIBE_PATIENCE_MS);
      });
      await Promise.race([subscribed, patience]);
      clearTimeout(timer);
    },

    /**
     * Ends every open stream (their readers reconnect, to another process or after a restart) and
     * closes the Redis connections.
     */
    async stop(): Promise<void> {
      for (const close of [...closers]) close();
      const [p, s] = [publisher, subscriber];
      publisher = null;
      subscriber = null;
      await Promise.all([p?.quit().catch(() => undefined), s?.quit().catch(() => undefined)]);
    },
  };
}

export type StreamHub = ReturnType<typeof createStreamHub>;
