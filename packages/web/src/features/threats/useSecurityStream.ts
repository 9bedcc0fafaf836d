import type { SecurityStreamMessage } from '@custos/shared';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../app/api';
import { client } from '../../app/client';
import { useAppDispatch } from '../../app/hooks';
import { throttle } from './throttle';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'failed';

type Tag = 'SecurityEvents' | 'ThreatResponses' | 'SecurityOverview';
type MessageKind = SecurityStreamMessage['kind'];

/** A burst of events (an attack in progress) refetches at most this often unless told otherwise. */
const THROTTLE_MS = 2000;
/** Attempts after the server closed the stream for good, with backoff, before giving up. */
const MAX_RETRIES = 5;
const retryDelay = (attempt: number) => Math.min(30_000, 1000 * 2 ** attempt);

const TAGS_BY_MESSAGE: Record<MessageKind, Tag[]> = {
  security_event: ['SecurityEvents', 'SecurityOverview'],
  // An event's detail lists its responses, so both refetch.
  response: ['ThreatResponses', 'SecurityEvents', 'SecurityOverview'],
};
const ALL_TAGS: Tag[] = ['SecurityEvents', 'ThreatResponses', 'SecurityOverview'];

/** The message an SSE frame carries, or undefined for one that is not JSON with a kind. */
function parseMessage(data: unknown): SecurityStreamMessage | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const message: unknown = JSON.parse(data);
    if (typeof message !== 'object' || message === null || !('kind' in message)) return undefined;
    return message as SecurityStreamMessage;
  } catch {
    return undefined;
  }
}

export interface SecurityStreamOptions {
  /** Called with every message, for pages that show the pushed events themselves. */
  onMessage?: (message: SecurityStreamMessage) => void;
  /** The lists are fetched again at most this often however busy the stream is. */
  throttleMs?: number;
}

export interface SecurityStream {
  status: StreamStatus;
  /** Opens the stream again after it `failed`. */
  retry: () => void;
}

/**
 * Follows `GET /api/v1/security/stream` while mounted and refetches what a message changes: the
 * message only says that something changed, the lists stay the source of truth. `EventSource`
 * sends the session cookie and reconnects by itself after a dropped connection; when the server
 * closes the stream for good, this retries a few times with backoff, then reports `failed`. A
 * stream opened again after a failure refetches everything, since messages may have been missed.
 */
export function useSecurityStream(options: SecurityStreamOptions = {}): SecurityStream {
  const dispatch = useAppDispatch();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [attempt, setAttempt] = useState(0);
  const onMessageRef = useRef(options.onMessage);
  onMessageRef.current = options.onMessage;
  const throttleMs = options.throttleMs ?? THROTTLE_MS;

  useEffect(() => {
    let source: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    // Set once the stream has failed (or after `retry()`): messages may have been missed, so the
    // next open refetches everything.
    let interrupted = attempt > 0;
    let stopped = false;
    const pending = new Set<Tag>();

    const flush = throttle(() => {
      if (pending.size === 0) return;
      dispatch(api.util.invalidateTags([...pending]));
      pending.clear();
    }, throttleMs);
    const refetch = (tags: readonly Tag[]) => {
      for (const tag of tags) pending.add(tag);
      flush.call();
    };
    const onFrame = (kind: MessageKind) => (frame: MessageEvent) => {
      const message = parseMessage(frame.data);
      if (message) onMessageRef.current?.(message);
      refetch(TAGS_BY_MESSAGE[kind]);
    };

    const connect = () => {
      setStatus(failures === 0 ? 'connecting' : 'reconnecting');
      source = new EventSource(client.threats.streamUrl(), { withCredentials: true });
      source.onopen = () => {
        if (interrupted) refetch(ALL_TAGS);
        interrupted = false;
        failures = 0;
        setStatus('live');
      };
      source.addEventListener('security_event', onFrame('security_event'));
      source.addEventListener('response', onFrame('response'));
      source.onerror = () => {
        if (stopped || !source) return;
        interrupted = true;
        if (source.readyState === EventSource.CONNECTING) {
          setStatus('reconnecting');
          return;
        }
        source.close();
        failures += 1;
        if (failures > MAX_RETRIES) {
          setStatus('failed');
          // A stream that keeps failing may mean the session ended: asking /me again finds out.
          dispatch(api.util.invalidateTags(['Me']));
          return;
        }
        setStatus('reconnecting');
        retryTimer = setTimeout(connect, retryDelay(failures));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      flush.cancel();
      source?.close();
    };
  }, [dispatch, attempt, throttleMs]);

  return { status, retry: () => setAttempt((n) => n + 1) };
}
