import type { EventEmitter } from 'node:events';
import { AuditSearchQuery } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Keyring } from '../../platform/crypto/keyring';
import type { Dialect } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller } from '../../platform/http/caller';
import { AUTHENTICATED } from '../../platform/http/openapi';
import { createSseStreams, type SseStream, sseFrame } from '../../platform/http/sse';
import type { JobRunner } from '../../platform/jobs';
import { presentRows, withMemberNames } from './present';
import type { AuditRecorder } from './recorder';
import { resolveSearchFilters } from './search-filters';
import { type SearchFilters, searchEvents } from './search-store';
import * as store from './store';

export interface TailDeps {
  db: Kysely<DB>;
  dialect: Dialect;
  keyring: Keyring;
  recorder: AuditRecorder;
  /** Emits 'appended' (logId) after events are written in this process. */
  events: EventEmitter;
  /** Runs the poll that wakes the open tails. */
  jobs: JobRunner;
}

const TailQuery = AuditSearchQuery.extend({ after: z.coerce.number().int().min(0).optional() });
/** Other processes' appends are seen by polling; this process' are pushed at once. */
const POLL_MS = 2_000;
const PAGE = 200;

/**
 * Live tail over Server-Sent Events: the events matching the filters, as they are appended. The
 * SSE helper ends each stream after a few minutes; the browser reconnects with Last-Event-ID,
 * which is authorised (and audited) again like the first request.
 */
export function tailRoutes(deps: TailDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const streams = createSseStreams();
    /** Each open tail's pump: the poll job wakes them all. */
    const tails = new Set<() => void>();
    const poll = deps.jobs.add({
      name: 'audit.tail-poll',
      everyMs: POLL_MS,
      // Each pump is single-flight on its own: a tail reading a long backlog does not hold up the rest.
      run: async () => {
        for (const pump of tails) pump();
      },
    });
    poll.start();
    app.addHook('preClose', async () => streams.closeAll());
    app.addHook('onClose', async () => poll.stop());
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
        return streams.serve(req, reply, {
          authorize: (lastEventId) => {
            const resumed = lastEventId === null ? Number.NaN : Number(lastEventId);
            const start = Number.isInteger(resumed) && resumed >= 0 ? resumed : after;
            return openTail(deps, req.caller, filters, start);
          },
          start: (stream, opened) =>
            streamTail(deps, tails, stream, opened.logId, opened.filters, opened.from),
        });
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
  return {
    logId: c.organizationId,
    from,
    filters: await resolveSearchFilters(deps.db, deps.keyring, c, filters),
  };
}

function streamTail(
  deps: TailDeps,
  tails: Set<() => void>,
  stream: SseStream,
  logId: string,
  filters: SearchFilters,
  from: number,
) {
  let last = from;
  let busy = false;
  let again = false;

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
        const events = await withMemberNames(
          deps.db,
          logId,
          await presentRows(deps.db, deps.keyring, logId, rows),
        );
        for (const event of events) {
          if (stream.closed) return;
          const frame = sseFrame({ id: event.seq, event: 'audit', data: JSON.stringify(event) });
          // A backlog waits for the reader rather than piling up; one that never reads is cut off.
          if (!stream.write(frame)) await stream.drained();
          last = event.seq;
        }
        if (rows.length === PAGE) again = true;
      } while (again && !stream.closed);
    } catch {
      stream.close();
    } finally {
      busy = false;
    }
  };
  const wake = () => void pump();
  const onAppended = (appended: string) => {
    if (appended === logId) wake();
  };
  tails.add(wake);
  deps.events.on('appended', onAppended);
  stream.onClose(() => {
    tails.delete(wake);
    deps.events.off('appended', onAppended);
  });
  wake();
}
