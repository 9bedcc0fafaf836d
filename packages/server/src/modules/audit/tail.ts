import type { EventEmitter } from 'node:events';
import { AuditSearchQuery } from '@custos/shared';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Keyring } from '../../platform/crypto/keyring';
import type { Dialect } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller } from '../../platform/http/caller';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { presentRows } from './present';
import type { AuditRecorder } from './recorder';
import { searchEvents } from './search-store';
import * as store from './store';

export interface TailDeps {
  db: Kysely<DB>;
  dialect: Dialect;
  keyring: Keyring;
  recorder: AuditRecorder;
  /** Emits 'appended' (logId) after events are written in this process. */
  events: EventEmitter;
}

const TailQuery = AuditSearchQuery.extend({ after: z.coerce.number().int().min(0).optional() });
/** Other processes' appends are seen by polling; this process' are pushed at once. */
const POLL_MS = 2_000;
const HEARTBEAT_MS = 15_000;
/**
 * Streams end after a few minutes and the browser reconnects (with Last-Event-ID), which
 * re-authenticates: a revoked session or a removed permission stops the tail within this time.
 */
const MAX_STREAM_MS = 5 * 60_000;
const PAGE = 200;

/** Live tail over Server-Sent Events: the events matching the filters, as they are appended. */
export function tailRoutes(deps: TailDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/v1/audit/tail',
      {
        schema: {
          tags: ['audit'],
          security: AUTHENTICATED,
          summary: 'Live tail (Server-Sent Events): `event: audit`, `id: <seq>`, data = the event',
          querystring: TailQuery,
          produces: ['text/event-stream'],
        },
      },
      async (req, reply) => {
        const { after, ...filters } = req.query;
        const lastEventId = Number(req.headers['last-event-id']);
        const start = Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : after;
        const opened = await openTail(deps, req.caller, filters, start);
        streamTail(deps, reply, opened.logId, filters, opened.from);
        return reply;
      },
    );
  };
}

async function openTail(
  deps: TailDeps,
  caller: Caller,
  filters: AuditSearchQuery,
  after: number | undefined,
) {
  const c = authorize(caller, 'audit:read');
  const from = after ?? (await store.logSize(deps.db, c.organizationId));
  await deps.recorder.recordAlone(c, {
    action: 'audit.tail_opened',
    metadata: { query: filters, after: from },
  });
  return { logId: c.organizationId, from };
}

function streamTail(
  deps: TailDeps,
  reply: FastifyReply,
  logId: string,
  filters: AuditSearchQuery,
  from: number,
) {
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
  let last = from;
  let busy = false;
  let again = false;
  let closed = false;

  const pump = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const rows = await searchEvents(deps.db, deps.dialect, logId, filters, {
          afterSeq: last,
          limit: PAGE,
          ascending: true,
        });
        const events = await presentRows(deps.db, deps.keyring, logId, rows);
        for (const event of events) {
          if (closed) return;
          raw.write(`id: ${event.seq}\nevent: audit\ndata: ${JSON.stringify(event)}\n\n`);
          last = event.seq;
        }
        if (rows.length === PAGE) again = true;
      } while (again && !closed);
    } catch {
      close();
    } finally {
      busy = false;
    }
  };
  const onAppended = (appended: string) => {
    if (appended === logId) void pump();
  };
  const poll = setInterval(() => void pump(), POLL_MS);
  const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
  const limit = setTimeout(() => close(), MAX_STREAM_MS);
  function close() {
    if (closed) return;
    closed = true;
    clearInterval(poll);
    clearInterval(heartbeat);
    clearTimeout(limit);
    deps.events.off('appended', onAppended);
    raw.end();
  }
  deps.events.on('appended', onAppended);
  raw.on('close', close);
  void pump();
}
