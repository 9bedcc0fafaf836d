import type { JobRunner } from '../../../platform/jobs';
import { retentionRoutes } from './routes';
import { createRetentionService, type RetentionServiceDeps } from './service';

export type { RetentionService } from './service';

/** How often the scheduler enforces retention: daily. */
export const RETENTION_INTERVAL_MS = 24 * 60 * 60_000;

/** Enforced retention: the service, its routes and the daily `privacy.retention` job (one server). */
export function createRetention(deps: RetentionServiceDeps & { jobs: JobRunner }) {
  const service = createRetentionService(deps);
  const job = deps.jobs.add({
    name: 'privacy.retention',
    everyMs: RETENTION_INTERVAL_MS,
    // Two servers running it would only find nothing left the second time, but one is enough.
    leaderOnly: true,
    run: () => service.runScheduled(),
  });
  return {
    service,
    routes: retentionRoutes(service),
    start: () => job.start(),
    stop: () => job.stop(),
  };
}
