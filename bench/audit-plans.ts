/**
 * Issue 15: audit search plans on a fresh PostgreSQL database. A new schema is migrated, 20,000
 * events are loaded through POST /api/v1/audit/events/batch (1,000 a request, as host apps send
 * them) and nobody runs ANALYZE by hand; then each of the 171 search shapes
 * (packages/server/test/audit-search-shapes.ts) runs once, right away, through the search store as
 * a request would (default page of 50, the request statement timeout of 5 s). Needs
 * CUSTOS_BENCH_DATABASE_URL (or CUSTOS_TEST_DATABASE_URL). Goal: no search over 2 s.
 */
import { buildApp } from '@custos/server';
import { createLogger } from '@custos/server/log';
import { AuditSearchQuery } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import { searchEvents } from '../packages/server/src/modules/audit/search-store';
import { isQueryTimeout } from '../packages/server/src/platform/db/errors';
import { runAsRequest } from '../packages/server/src/platform/db/statement-timeout';
import { hostEvents, searchShapes } from '../packages/server/test/audit-search-shapes';
import { fmt, PASSWORD, percentile, type SummaryRow } from './common';
import { benchConfig, freshDatabase, postgresUrl } from './threats-db';

const EVENTS = Number(process.env.BENCH_AUDIT_PLANS_EVENTS ?? 20_000);
const BATCH = 1_000;
const GOAL_MS = 2_000;

async function inject<T>(app: FastifyInstance, url: string, payload: unknown, token?: string): Promise<T> {
  const res = await app.inject({
    method: 'POST',
    url,
    payload: payload as object,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (res.statusCode >= 300) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}

export async function runPlans(): Promise<SummaryRow[]> {
  if (!postgresUrl) {
    console.log('\n== Audit search plans: skipped (set CUSTOS_BENCH_DATABASE_URL to a PostgreSQL database)');
    return [];
  }
  console.log(
    `\n== Audit search plans on a fresh PostgreSQL schema: ${EVENTS.toLocaleString('en-US')} events`,
  );
  const { database, dataDir, cleanup } = await freshDatabase(postgresUrl);
  const { app, services } = await buildApp({
    config: benchConfig(dataDir),
    database,
    logger: createLogger('silent'),
    webRoot: null,
  });
  try {
    const email = `owner.${Date.now()}@plans.bench.example`;
    const { organization } = await services.setup.createAdminFromCli({
      email,
      name: 'Bench Owner',
      password: PASSWORD,
      organizationName: 'Plans Bench Org',
    });
    const { token } = await inject<{ token: string }>(app, '/api/v1/auth/sign-in', {
      email,
      password: PASSWORD,
      tokenType: 'bearer',
    });
    const { secret } = await inject<{ secret: string }>(
      app,
      '/api/v1/api-keys',
      { name: 'bench audit:write', permissions: ['audit:write'] },
      token,
    );
    const now = Date.now();
    const events = hostEvents(EVENTS, now);
    const loadStarted = performance.now();
    for (let from = 0; from < EVENTS; from += BATCH) {
      await inject(app, '/api/v1/audit/events/batch', { events: events.slice(from, from + BATCH) }, secret);
    }
    console.log(`  loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

    const timed: { shape: string; ms: number; cancelled: boolean }[] = [];
    for (const shape of searchShapes(now)) {
      const filters = AuditSearchQuery.parse(shape);
      const started = performance.now();
      let cancelled = false;
      await runAsRequest(() =>
        searchEvents(database.db, 'postgres', organization.id, filters, { limit: 51 }),
      ).catch((error: unknown) => {
        if (!isQueryTimeout(error)) throw error;
        cancelled = true;
      });
      timed.push({ shape: JSON.stringify(shape), ms: performance.now() - started, cancelled });
    }
    const times = timed.map((t) => t.ms);
    const max = Math.max(...times);
    const cancelled = timed.filter((t) => t.cancelled).length;
    console.log(
      `  ${timed.length} shapes: p50 ${fmt(percentile(times, 50))} p95 ${fmt(percentile(times, 95))} max ${fmt(max)}; ` +
        `${cancelled} cancelled by the 5 s request timeout   ${max < GOAL_MS ? 'MET' : 'NOT MET'}`,
    );
    for (const t of [...timed].sort((a, b) => b.ms - a.ms).slice(0, 5)) {
      console.log(`    ${fmt(t.ms)}${t.cancelled ? ' (cancelled)' : ''}  ${t.shape}`);
    }
    return [
      {
        measurement: `search plans, fresh PostgreSQL, ${EVENTS} events: slowest of ${timed.length} shapes`,
        figure: `${max.toFixed(0)} ms (p95 ${percentile(times, 95).toFixed(1)})`,
        goal: `< ${GOAL_MS} ms`,
        met: max < GOAL_MS,
      },
    ];
  } finally {
    await app.close();
    await cleanup();
  }
}
