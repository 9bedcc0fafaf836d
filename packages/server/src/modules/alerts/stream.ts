import type { SecurityStreamMessage } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller } from '../../platform/http/caller';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { createSseStreams, type SseStream } from '../../platform/http/sse';
import { eventsChangedSince, presentSecurityEvent } from '../threats';
import { type StreamHub, securityFrame } from './stream-hub';

const CATCH_UP_LIMIT = 200;
const CATCH_UP_WINDOW_MS = 60 * 60_000;

/** The Last-Event-ID we hand out is the message time; anything else (or too old) is ignored. */
function catchUpFrom(header: unknown, now = Date.now()): string | null {
  if (typeof header !== 'string' || header.length > 40) return null;
  const at = Date.parse(header);
  if (!Number.isFinite(at) || at > now || now - at > CATCH_UP_WINDOW_MS) return null;
  return new Date(at).toISOString();
}

/**
 * GET /api/v1/security/stream: Server-Sent Events of the organization's security changes
 * (`event: security_event | response`, data = SecurityStreamMessage). A reconnect with
 * Last-Event-ID first gets the security events changed since then (as `updated`, or `raised` when
 * created since), so the few seconds between streams lose nothing a console shows. The SSE helper
 * ends each stream after a few minutes, so the reconnect re-checks the reader's permission.
 */
export function streamRoutes(deps: { db: Kysely<DB>; hub: StreamHub }) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const streams = createSseStreams();
    // Open streams never finish on their own: end them before the server waits for its connections.
    app.addHook('preClose', async () => streams.closeAll());
    app.get(
      '/api/v1/security/stream',
      {
        schema: {
          tags: ['security events'],
          security: AUTHENTICATED,
          summary:
            'Live security changes (Server-Sent Events): `event: security_event | response`, data = SecurityStreamMessage',
          produces: ['text/event-stream'],
        },
      },
      async (req, reply) =>
        streams.serve(req, reply, {
          authorize: (lastEventId) => ({
            organizationId: openStream(req.caller),
            since: catchUpFrom(lastEventId),
          }),
          start: (stream, { organizationId, since }) => feedStream(deps, stream, organizationId, since),
        }),
    );
  };
}

/** Reading the stream needs security:read; opening it changes nothing, so it is not audited. */
function openStream(caller: Caller): string {
  return authorize(caller, 'security:read').organizationId;
}

/** Live frames as the hub fans them out; after a reconnect, first what changed since Last-Event-ID. */
function feedStream(
  deps: { db: Kysely<DB>; hub: StreamHub },
  stream: SseStream,
  organizationId: string,
  since: string | null,
): void {
  // Live frames wait while the catch-up is read, so nothing older is written after something newer.
  let held: string[] | null = since ? [] : null;
  // Frames are pushed, not pulled: a reader too far behind is cut off by the helper (it reconnects).
  const write = (frame: string) => {
    if (held) held.push(frame);
    else stream.write(frame);
  };
  const unsubscribe = deps.hub.subscribe(organizationId, write, () => stream.close());
  stream.onClose(unsubscribe);
  if (since) {
    void catchUp(deps.db, organizationId, since)
      .then((frames) => {
        const live = held ?? [];
        held = null;
        for (const frame of [...frames, ...live]) write(frame);
      })
      .catch(() => stream.close());
  }
}

async function catchUp(db: Kysely<DB>, organizationId: string, since: string): Promise<string[]> {
  const rows = await eventsChangedSince(db, organizationId, since, CATCH_UP_LIMIT);
  return rows.map((row) => {
    const event = presentSecurityEvent(row);
    const message: SecurityStreamMessage = {
      kind: 'security_event',
      change: event.createdAt >= since ? 'raised' : 'updated',
      event,
      response: null,
      at: event.updatedAt,
    };
    return securityFrame(message);
  });
}
