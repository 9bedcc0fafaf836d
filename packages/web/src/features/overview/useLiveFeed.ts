import type { SecurityEventOut, SecurityStreamMessage } from '@custos/shared';
import { useCallback, useMemo, useState } from 'react';
import { type SecurityStream, useSecurityStream } from '../threats/useSecurityStream';
import { mergeFeed } from './figures';

/** Events the feed shows; older ones are on the security events page. */
export const FEED_LENGTH = 12;
/** The overview is fetched again at most this often however busy the stream is. */
const REFRESH_INTERVAL_MS = 5000;

export interface LiveFeed {
  events: SecurityEventOut[];
  /** Ids raised while the page was open: they flash once. */
  fresh: ReadonlySet<string>;
  stream: SecurityStream;
}

/** The overview's recent events, kept current by the stream: raised events on top, updates in place. */
export function useLiveFeed(recent: SecurityEventOut[] | undefined): LiveFeed {
  const [pushed, setPushed] = useState<SecurityEventOut[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());

  const onMessage = useCallback((message: SecurityStreamMessage) => {
    const event = message.event;
    if (message.kind !== 'security_event' || !event) return;
    setPushed((list) => [event, ...list.filter((known) => known.id !== event.id)].slice(0, FEED_LENGTH * 2));
    if (message.change === 'raised') setFresh((ids) => new Set(ids).add(event.id));
  }, []);

  const stream = useSecurityStream({ onMessage, throttleMs: REFRESH_INTERVAL_MS });
  const events = useMemo(() => mergeFeed(recent ?? [], pushed, FEED_LENGTH), [recent, pushed]);
  return { events, fresh, stream };
}
