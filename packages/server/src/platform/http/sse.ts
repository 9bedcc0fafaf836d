import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Server-Sent Events, the one way Custos streams: every stream gets the same protections.
 *
 * - A heartbeat comment keeps proxies from closing a quiet stream.
 * - A slow reader is cut off, never buffered without bound: a frame pushed to a reader who still
 *   has more than `maxBufferedBytes` unsent ends the stream, and so does a producer waiting in
 *   `drained()` for longer than `drainTimeoutMs`. The reader reconnects and catches up from
 *   Last-Event-ID.
 * - Every stream ends after `maxStreamMs`. The browser reconnects by itself, and a reconnect is a
 *   new request: the auth hook and the route's `authorize` run again before any frame is written,
 *   so a revoked session or a removed permission stops the stream within that time.
 */
export interface SseLimits {
  heartbeatMs: number;
  maxStreamMs: number;
  maxBufferedBytes: number;
  drainTimeoutMs: number;
  /** The reconnect delay the browser is told to use. */
  retryMs: number;
}

export const SSE_LIMITS: Readonly<SseLimits> = Object.freeze({
  heartbeatMs: 15_000,
  maxStreamMs: 5 * 60_000,
  maxBufferedBytes: 1 << 20,
  drainTimeoutMs: 30_000,
  retryMs: 3_000,
});

/** One SSE frame; `id` becomes the reader's Last-Event-ID when it reconnects. */
export function sseFrame(frame: { id?: string | number; event?: string; data: string }): string {
  const lines: string[] = [];
  if (frame.id !== undefined) lines.push(`id: ${frame.id}`);
  if (frame.event !== undefined) lines.push(`event: ${frame.event}`);
  for (const line of frame.data.split('\n')) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

/** What a stream writes to: the raw response of a hijacked reply (a fake one in tests). */
export interface SseSink {
  readonly writableLength: number;
  write(chunk: string): boolean;
  end(): void;
  on(event: 'close' | 'drain', listener: () => void): unknown;
  off(event: 'close' | 'drain', listener: () => void): unknown;
}

export interface SseStream {
  /** Sends a ready-made frame; false when closed, or when the reader is behind (see drained). */
  write(frame: string): boolean;
  /**
   * Resolves once the reader has taken what was written (at once when it is not behind), or the
   * stream closed. A producer that can wait uses this instead of piling frames up; a reader that
   * does not drain within `drainTimeoutMs` is cut off.
   */
  drained(): Promise<void>;
  close(): void;
  readonly closed: boolean;
  /** Called once when the stream ends, whoever ends it (at once if it already has). */
  onClose(listener: () => void): void;
}

/** Starts a stream on a sink whose headers are already sent: retry hint, heartbeat, limits. */
export function startSse(sink: SseSink, limits: SseLimits = SSE_LIMITS): SseStream {
  let closed = false;
  let behind = false;
  const closeListeners: Array<() => void> = [];
  const drainWaiters = new Set<() => void>();

  const onDrain = () => {
    behind = false;
    wakeDrainWaiters();
  };
  const wakeDrainWaiters = () => {
    for (const wake of [...drainWaiters]) wake();
    drainWaiters.clear();
  };

  const stream: SseStream = {
    get closed() {
      return closed;
    },
    write(frame) {
      if (closed) return false;
      // Judged before writing: one large frame still reaches a reader who keeps up.
      if (sink.writableLength > limits.maxBufferedBytes) {
        close();
        return false;
      }
      if (!sink.write(frame)) behind = true;
      return !behind;
    },
    drained() {
      if (closed || !behind) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(close, limits.drainTimeoutMs);
        drainWaiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    close,
    onClose(listener) {
      if (closed) listener();
      else closeListeners.push(listener);
    },
  };

  const heartbeat = setInterval(() => stream.write(': ping\n\n'), limits.heartbeatMs);
  const limit = setTimeout(close, limits.maxStreamMs);
  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(limit);
    sink.off('drain', onDrain);
    sink.off('close', close);
    wakeDrainWaiters();
    sink.end();
    for (const listener of closeListeners.splice(0)) listener();
  }
  sink.on('drain', onDrain);
  sink.on('close', close);
  stream.write(`retry: ${limits.retryMs}\n\n`);
  return stream;
}

/** Takes the reply over from Fastify and opens the stream on it. */
export function openSse(reply: FastifyReply, limits: SseLimits = SSE_LIMITS): SseStream {
  reply.hijack();
  reply.raw.writeHead(200, {
    // Headers set by hooks so far (security headers, request id): a hijacked reply skips onSend.
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  return startSse(reply.raw, limits);
}

export interface SseRoute<T> {
  /**
   * Runs on every connection, a reconnect with Last-Event-ID included, before the stream opens:
   * throws to refuse (the error handler answers as for any request). Answers what `start` needs.
   */
  authorize(lastEventId: string | null): T | Promise<T>;
  /** Feeds the open stream. */
  start(stream: SseStream, authorized: T): void;
}

/**
 * The open streams of one route plugin: each request authorised first, then streamed; all of them
 * ended by `closeAll` (register it as a preClose hook: an open stream never ends on its own, and
 * the server would wait for it).
 */
export function createSseStreams(limits: Partial<SseLimits> = {}) {
  const resolved: SseLimits = { ...SSE_LIMITS, ...limits };
  const open = new Set<SseStream>();
  return {
    async serve<T>(req: FastifyRequest, reply: FastifyReply, route: SseRoute<T>): Promise<FastifyReply> {
      const header = req.headers['last-event-id'];
      const authorized = await route.authorize(typeof header === 'string' ? header : null);
      const stream = openSse(reply, resolved);
      open.add(stream);
      stream.onClose(() => open.delete(stream));
      route.start(stream, authorized);
      return reply;
    },
    closeAll(): void {
      for (const stream of [...open]) stream.close();
    },
    count(): number {
      return open.size;
    },
  };
}

export type SseStreams = ReturnType<typeof createSseStreams>;
