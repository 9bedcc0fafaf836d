import type { SecurityStreamMessage } from '@custos/shared';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller } from '../../platform/http/caller';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { eventsChangedSince, presentSecurityEvent } from '../threats';
import { type StreamHub, sseFrame } from './stream-hub';

const HEARTBEAT_MS = 15_000;
/**
 * Streams end after a few minutes and the browser reconnects (with Last-Event-ID), which
 * re-authenticates: a revoked session or a removed permission stops the stream within this time.
 */
const MAX_STREAM_MS = 5 * 60_000;
/** A reader this far behind is dropped rather than buffered without bound (it reconnects and catches up). */
const MAX_BUFFERED_BYTES = 1 << 20;
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
 * created since), so the few seconds between streams lose nothing a console shows.
 */
export function streamRoutes(deps: { db: Kysely<DB>; hub: StreamHub }) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    // Open streams never finish on their own: end them before the server waits for its connections.
    app.addHook('preClose', async () => deps.hub.closeStreams());
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
      async (req, reply) => {
        const organizationId = openStream(req.caller);
        openSse(deps, reply, organizationId, catchUpFrom(req.headers['last-event-id']));
        return reply;
      },
    );
  };
}

/** Reading the stream needs security:read; opening it changes nothing, so it is not audited. */
function openStream(caller: Caller): string {
  return authorize(caller, 'security:read').organizationId;
}

function openSse(
  deps: { db: Kysely<DB>; hub: StreamHub },
  reply: FastifyReply,
  organizationId: string,
  since: string | null,
): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  raw.write('retry: 3000\n\n');
  let closed = false;
  // Live frames wait while the catch-up is read, so nothing older is written after something newer.
  let held: string[] | null = since ? [] : null;

  const write = (frame: string) => {
    if (closed) return;
    if (held) {
      held.push(frame);
      return;
    }
    raw.write(frame);
    if (raw.writableLength > MAX_BUFFERED_BYTES) close();
  };
  const unsubscribe = deps.hub.subscribe(organizationId, write, () => close());
  const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
  const limit = setTimeout(() => close(), MAX_STREAM_MS);
  function close() {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    clearTimeout(limit);
    raw.end();
  }
  raw.on('close', close);
  if (since) {
    void catchUp(deps.db, organizationId, since)
      .then((frames) => {
        const live = held ?? [];
        held = null;
        for (const frame of [...frames, ...live]) write(frame);
      })
      .catch(() => close());
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
    return sseFrame(message);
  });
}
