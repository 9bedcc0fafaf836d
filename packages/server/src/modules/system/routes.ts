import { Health, SystemCapabilities } from '@custos/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { AUTHENTICATED } from '../../platform/http/openapi';
import type { JobState } from '../../platform/jobs';
import type { Mailer } from '../../platform/mail/mailer';
import { createCapabilities } from './capabilities';

export interface SystemHealthSources {
  /** Current audit integrity alarms (one per log and kind). */
  integrityAlarms: () => readonly { kind: string }[];
  /** Whether e-mail can be sent: `configured` is false when CUSTOS_SMTP_URL is unset. */
  mailer: Pick<Mailer, 'configured'>;
  /** The background jobs' state (platform/jobs): a job whose last run failed becomes a warning. */
  jobs?: () => readonly Pick<JobState, 'name' | 'lastOutcome' | 'lastError'>[];
}

/** One warning per background job whose last run failed; the job's name says what is behind. */
function jobWarnings(jobs: readonly Pick<JobState, 'name' | 'lastOutcome' | 'lastError'>[]): string[] {
  return jobs
    .filter((job) => job.lastOutcome === 'failed')
    .map(
      (job) =>
        `The background job ${job.name} failed on its last run${job.lastError ? ` (${job.lastError.at})` : ''}; ` +
        'it runs again on its interval. See the server log for the error.',
    );
}

/** Warnings for operators, without organization names or ids: the health route is public. */
function integrityWarnings(alarms: readonly { kind: string }[]): string[] {
  if (alarms.length === 0) return [];
  return [
    `The audit trail integrity check failed for ${alarms.length} log(s) ` +
      `(${[...new Set(alarms.map((a) => a.kind))].join(', ')}): Custos signs no checkpoint for them. ` +
      "See the server log and the organizations' critical security events.",
  ];
}

export function systemRoutes(db: Kysely<DB>, sources: SystemHealthSources) {
  const capabilities = createCapabilities(sources.mailer);
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/v1/system/capabilities',
      {
        schema: {
          tags: ['system'],
          security: AUTHENTICATED,
          summary: 'What this server can do (e.g. whether e-mail is configured)',
          response: { 200: SystemCapabilities },
        },
      },
      async (req) => capabilities.get(req.caller),
    );
    app.get(
      '/api/health',
      {
        schema: {
          tags: ['system'],
          summary: 'Liveness and database check',
          response: { 200: Health, 503: Health },
        },
      },
      async (req, reply) => {
        const alarms = sources.integrityAlarms();
        const integrity = {
          auditIntegrity: alarms.length > 0 ? ('alarm' as const) : ('ok' as const),
          warnings: [...integrityWarnings(alarms), ...jobWarnings(sources.jobs?.() ?? [])],
        };
        try {
          await sql`select 1`.execute(db);
          // Alive and serving (200), but not healthy: monitoring should page on 'degraded'.
          return {
            status: alarms.length > 0 ? ('degraded' as const) : ('ok' as const),
            database: 'ok' as const,
            ...integrity,
          };
        } catch (error) {
          req.log.error({ err: error }, 'health check: database unreachable');
          return reply
            .status(503)
            .send({ status: 'degraded' as const, database: 'down' as const, ...integrity });
        }
      },
    );
  };
}
