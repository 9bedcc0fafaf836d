import { useEffect, useState } from 'react';
import { api } from '../../app/api';
import { client } from '../../app/client';
import { useAppDispatch } from '../../app/hooks';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'failed';

type Tag = 'SecurityEvents' | 'ThreatResponses' | 'SecurityOverview';

/** A burst of events (an attack in progress) refetches at most this often. */
const THROTTLE_MS = 2000;
/** Attempts after the server closed the stream for good, with backoff, before giving up. */
const MAX_RETRIES = 5;
const retryDelay = (attempt: number) => Math.min(30_000, 1000 * 2 ** attempt);

const TAGS_BY_MESSAGE: Record<'security_event' | 'response', Tag[]> = {
  security_event: ['SecurityEvents', 'SecurityOverview'],
  // An event's detail lists its responses, so both refetch.
  response: ['ThreatResponses', 'SecurityEvents', 'SecurityOverview'],
};

/**
 * Follows `GET /api/v1/security/stream` while mounted and refetches what a message changes: the
 * message only says that something changed, the lists stay the source of truth. `EventSource`
 * sends the session cookie and reconnects by itself after a dropped connection; when the server
 * closes the stream for good, this retries a few times with backoff, then reports `failed`.
 */
export function useSecurityStream(): { status: StreamStatus; retry: () => void } {
  const dispatch = useAppDispatch();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is how `retry()` reconnects
  useEffect(() => {
    let source: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let lastFlush = 0;
    let failures = 0;
    let stopped = false;
    const pending = new Set<Tag>();

    const flush = () => {
      flushTimer = undefined;
      lastFlush = Date.now();
      if (pending.size === 0) return;
      dispatch(api.util.invalidateTags([...pending]));
      pending.clear();
    };
    const onMessage = (kind: keyof typeof TAGS_BY_MESSAGE) => () => {
      for (const tag of TAGS_BY_MESSAGE[kind]) pending.add(tag);
      if (flushTimer) return;
      flushTimer = setTimeout(flush, Math.max(0, lastFlush + THROTTLE_MS - Date.now()));
    };

    const connect = () => {
      setStatus(failures === 0 ? 'connecting' : 'reconnecting');
      source = new EventSource(client.threats.streamUrl(), { withCredentials: true });
      source.onopen = () => {
        failures = 0;
        setStatus('live');
      };
      source.addEventListener('security_event', onMessage('security_event'));
      source.addEventListener('response', onMessage('response'));
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
      clearTimeout(flushTimer);
      source?.close();
    };
  }, [dispatch, attempt]);

  return { status, retry: () => setAttempt((n) => n + 1) };
}
