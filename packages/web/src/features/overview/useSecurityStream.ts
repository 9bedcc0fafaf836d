import type { SecurityStreamMessage } from '@custos/shared';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../app/api';
import { client } from '../../app/client';
import { useAppDispatch } from '../../app/hooks';
import { throttle } from './figures';

export type StreamStatus = 'connecting' | 'live' | 'offline';

/** The overview is fetched again at most this often however busy the stream is. */
const REFRESH_INTERVAL_MS = 5000;
/** When the server closes the stream for good (signed out, restarted), try again after this, doubling. */
const retryDelay = (failures: number) => Math.min(60_000, 2000 * 2 ** (failures - 1));

const EVENT_NAMES = ['security_event', 'response'] as const;

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

/**
 * Follows GET /api/v1/security/stream while mounted. `EventSource` sends the session cookie and
 * reconnects by itself after a dropped connection; when the server ends the stream for good, this
 * opens a new one with backoff. Every message refreshes the overview (throttled), and so does an
 * open after a failure, since messages may have been missed meanwhile.
 */
export function useSecurityStream(onMessage: (message: SecurityStreamMessage) => void): StreamStatus {
  const dispatch = useAppDispatch();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const onMessageRef = useRef(onMessage);
  onMessageRef.current = onMessage;

  useEffect(() => {
    const refresh = throttle(
      () => dispatch(api.util.invalidateTags(['SecurityOverview'])),
      REFRESH_INTERVAL_MS,
    );
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    // Set once the stream has failed: messages may have been missed, so the next open refreshes.
    let interrupted = false;
    let stopped = false;

    const listener = (message: MessageEvent) => {
      const parsed = parseMessage(message.data);
      if (!parsed) return;
      onMessageRef.current(parsed);
      refresh.call();
    };

    const connect = () => {
      source = new EventSource(client.threats.streamUrl(), { withCredentials: true });
      source.onopen = () => {
        failures = 0;
        if (interrupted) refresh.call();
        interrupted = false;
        setStatus('live');
      };
      for (const name of EVENT_NAMES) source.addEventListener(name, listener);
      source.onerror = () => {
        if (stopped || !source) return;
        interrupted = true;
        setStatus('offline');
        if (source.readyState !== EventSource.CLOSED) return;
        source.close();
        failures += 1;
        timer = setTimeout(connect, retryDelay(failures));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      refresh.cancel();
      source?.close();
    };
  }, [dispatch]);

  return status;
}
