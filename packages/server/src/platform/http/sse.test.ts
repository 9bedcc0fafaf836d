import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SSE_LIMITS, type SseLimits, type SseSink, sseFrame, startSse } from './sse';

/** A socket whose reader takes nothing until told to: what it was sent piles up in writableLength. */
class FakeSocket extends EventEmitter implements SseSink {
  readonly sent: string[] = [];
  writableLength = 0;
  ended = false;
  constructor(private readonly highWaterMark = 64) {
    super();
  }
  write(chunk: string): boolean {
    this.sent.push(chunk);
    this.writableLength += Buffer.byteLength(chunk);
    return this.writableLength < this.highWaterMark;
  }
  end(): void {
    this.ended = true;
  }
  /** The reader catches up. */
  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

const limits = (overrides: Partial<SseLimits> = {}): SseLimits => ({ ...SSE_LIMITS, ...overrides });

describe('SSE helper', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('formats frames as before: id, event, data', () => {
    expect(sseFrame({ id: 7, event: 'audit', data: '{"a":1}' })).toBe(
      'id: 7\nevent: audit\ndata: {"a":1}\n\n',
    );
    expect(sseFrame({ data: 'two\nlines' })).toBe('data: two\ndata: lines\n\n');
  });

  it('tells the reconnect delay, then sends a heartbeat comment every interval', async () => {
    const socket = new FakeSocket(1 << 20);
    const stream = startSse(socket, limits({ heartbeatMs: 1_000, retryMs: 3_000 }));
    expect(socket.sent).toEqual(['retry: 3000\n\n']);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(socket.sent.slice(1)).toEqual([': ping\n\n', ': ping\n\n', ': ping\n\n']);
    stream.close();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(socket.sent).toHaveLength(4);
    expect(socket.ended).toBe(true);
  });

  it('cuts off a reader that lets pushed frames pile up past the bound', () => {
    const socket = new FakeSocket();
    const frame = sseFrame({ event: 'x', data: 'y'.repeat(100) });
    // Past the bound once the retry hint and nine frames wait unread: the tenth finds the reader too far behind.
    const bound = Buffer.byteLength('retry: 3000\n\n') + 9 * Buffer.byteLength(frame) - 1;
    const stream = startSse(socket, limits({ maxBufferedBytes: bound }));
    let ended = 0;
    stream.onClose(() => {
      ended += 1;
    });
    for (let i = 0; i < 9; i++) stream.write(frame);
    expect(stream.closed).toBe(false);
    expect(stream.write(frame)).toBe(false);
    expect(stream.closed).toBe(true);
    expect(socket.ended).toBe(true);
    expect(ended).toBe(1);
    // Nothing more is written once cut off.
    const count = socket.sent.length;
    expect(stream.write(frame)).toBe(false);
    expect(socket.sent).toHaveLength(count);
  });

  it('lets one frame larger than the bound through to a reader who keeps up', () => {
    const socket = new FakeSocket();
    const stream = startSse(socket, limits({ maxBufferedBytes: 100 }));
    socket.drain();
    stream.write(sseFrame({ data: 'x'.repeat(500) }));
    expect(stream.closed).toBe(false);
    stream.write(sseFrame({ data: 'next' }));
    expect(stream.closed).toBe(true);
  });

  it('lets a producer wait for a reader that drains, and cuts off one that does not', async () => {
    const socket = new FakeSocket(64);
    const stream = startSse(socket, limits({ drainTimeoutMs: 5_000 }));
    const frame = sseFrame({ data: 'z'.repeat(80) });
    expect(stream.write(frame)).toBe(false);
    let drained = false;
    const waiting = stream.drained().then(() => {
      drained = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(drained).toBe(false);
    socket.drain();
    await waiting;
    expect(stream.closed).toBe(false);
    await expect(stream.drained()).resolves.toBeUndefined();

    expect(stream.write(frame)).toBe(false);
    const stuck = stream.drained();
    await vi.advanceTimersByTimeAsync(5_000);
    await stuck;
    expect(stream.closed).toBe(true);
    expect(socket.ended).toBe(true);
  });

  it('ends the stream after its maximum duration, so the reader reconnects and is authorised again', async () => {
    const socket = new FakeSocket(1 << 20);
    const stream = startSse(socket, limits({ maxStreamMs: 60_000 }));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(stream.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stream.closed).toBe(true);
    expect(socket.ended).toBe(true);
  });

  it('closes when the reader goes away, and tells its listeners once', () => {
    const socket = new FakeSocket(1 << 20);
    const stream = startSse(socket);
    const heard: string[] = [];
    stream.onClose(() => heard.push('first'));
    socket.emit('close');
    stream.close();
    stream.onClose(() => heard.push('late'));
    expect(heard).toEqual(['first', 'late']);
    expect(stream.write('data: x\n\n')).toBe(false);
  });
});
