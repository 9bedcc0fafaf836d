import type { AuditEventOut, AuditSearchQuery } from '@custos/shared';
import { useEffect, useRef, useState } from 'react';
import { client } from '../../app/client';

export type TailStatus = 'off' | 'connecting' | 'live' | 'reconnecting' | 'failed';

/** Attempts after the stream is closed for good (the server refused, or it is down), with backoff. */
const MAX_RETRIES = 5;
const retryDelay = (attempt: number) => Math.min(30_000, 1000 * 2 ** attempt);

interface LiveTailOptions {
  enabled: boolean;
  query: AuditSearchQuery;
  /** Stream events after this seq (the newest one shown), so none are missed between load and tail. */
  after: number | undefined;
  onEvent: (event: AuditEventOut) => void;
}

/**
 * Follows the log over Server-Sent Events while `enabled`: `EventSource` sends the session cookie and,
 * when a stream drops, reconnects by itself with the last seq it saw (`Last-Event-ID`). When the
 * server closes the stream for good, this retries a few times with backoff, then reports `failed`.
 */
export function useLiveTail({ enabled, query, after, onEvent }: LiveTailOptions) {
  const [status, setStatus] = useState<TailStatus>('off');
  const [attempt, setAttempt] = useState(0);
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;
  const afterRef = useRef(after);
  afterRef.current = after;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is how `retry()` reconnects
  useEffect(() => {
    if (!enabled) {
      setStatus('off');
      return;
    }
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;
    let lastSeq = afterRef.current;

    const connect = () => {
      setStatus(failures === 0 ? 'connecting' : 'reconnecting');
      source = new EventSource(client.audit.tailUrl(query, lastSeq), { withCredentials: true });
      source.onopen = () => {
        failures = 0;
        setStatus('live');
      };
      source.addEventListener('audit', (message) => {
        const event = JSON.parse(message.data) as AuditEventOut;
        lastSeq = Math.max(lastSeq ?? 0, event.seq);
        onEventRef.current(event);
      });
      source.onerror = () => {
        if (stopped || !source) return;
        if (source.readyState === EventSource.CONNECTING) {
          setStatus('reconnecting');
          return;
        }
        source.close();
        failures += 1;
        if (failures > MAX_RETRIES) {
          setStatus('failed');
          return;
        }
        setStatus('reconnecting');
        timer = setTimeout(connect, retryDelay(failures));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [enabled, query, attempt]);

  return { status, retry: () => setAttempt((n) => n + 1) };
}
