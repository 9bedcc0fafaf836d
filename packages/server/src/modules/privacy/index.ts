import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps';
import { createJobRunner, type JobRunner } from '../../platform/jobs';
import type { OutboxService } from '../outbox';
import type { ComplianceViolation } from '../threats';
import { createPrivacyAdminService } from './admin-service';
import { createCategoriesService } from './categories-service';
import { createDataMapService } from './datamap-service';
import { createAccessPackages, type DigestSigner } from './packages';
import { publicPrivacyRoutes } from './public/routes';
import { createPublicIntakeService } from './public/service';
import { createRequestsService } from './requests-service';
import { createRetention } from './retention';
import { privacyRoutes } from './routes';
import { createPrivacySettingsService } from './settings-service';
import { createSubjectSeal } from './subject-seal';
import { createClockSweep } from './sweep';
import { createPrivacyTasks } from './tasks';

export type { PrivacyAdminService } from './admin-service';
export type { CategoriesService } from './categories-service';
export type { DataMapService } from './datamap-service';
export type { RequestsService } from './requests-service';
export type { RetentionService } from './retention';
export type { PrivacySettingsService } from './settings-service';
export type { SweepResult } from './sweep';

/** How often the statutory clocks are swept for reminders and overdue requests. */
export const CLOCK_SWEEP_INTERVAL_MS = 15 * 60_000;

/**
 * Privacy (issue 18): the data map, data subject requests with their statutory clocks, the
 * organization's privacy settings and the super admin's view. The clock sweep is a leader-only job
 * on `jobs` (the server's runner); `raiseViolation` is threats' port for compliance violations.
 */
export function createPrivacyModule(
  deps: Deps & {
    outbox: OutboxService;
    raiseViolation: (violation: ComplianceViolation) => Promise<unknown>;
    jobs?: JobRunner;
    /** The audit checkpoint key, which signs access packages and certificates (null: none made). */
    signer?: DigestSigner | null;
  },
) {
  const jobs = deps.jobs ?? createJobRunner({ log: deps.log });
  const seal = createSubjectSeal(deps.keyring);
  const settings = createPrivacySettingsService(deps);
  const dataMap = createDataMapService(deps);
  const categories = createCategoriesService(deps);
  const packages = createAccessPackages({ ...deps, seal, jobs, signer: deps.signer ?? null });
  const tasks = createPrivacyTasks({
    ...deps,
    seal,
    dataMap,
    jobs,
    onRequestCompleted: packages.onRequestCompleted,
  });
  const requests = createRequestsService({ ...deps, seal, settings, tasks: tasks.hooks });
  const admin = createPrivacyAdminService(deps);
  const publicIntake = createPublicIntakeService({ ...deps, requests, settings });
  const sweep = createClockSweep({ ...deps, settings });
  const retention = createRetention({ ...deps, dataMap, jobs, kick: () => void tasks.runDue() });
  const sweepJob = jobs.add({
    name: 'privacy.clocks',
    everyMs: CLOCK_SWEEP_INTERVAL_MS,
    // Claims make a second run harmless, but one server doing the pass is enough.
    leaderOnly: true,
    run: () => sweep(new Date()),
  });
  return {
    settings,
    dataMap,
    categories,
    requests,
    admin,
    /** One pass of the clocks at `now` (tests pass a fake one). */
    sweep,
    /** Per-system tasks: the host queue's service, a pass of the delivery worker (tests), idle. */
    tasks,
    /** Access packages (their service, a pass of the job, idle) and completion certificates. */
    packages,
    /** Retention rules and runs; the daily `privacy.retention` job runs them for every organization. */
    retention: retention.service,
    start: () => {
      sweepJob.start();
      tasks.start();
      packages.start();
      retention.start();
    },
    stop: () => Promise.all([sweepJob.stop(), tasks.stop(), retention.stop(), packages.stop()]),
    publicIntake,
    routes: async (instance: FastifyInstance) => {
      await privacyRoutes({ dataMap, categories, requests, settings, admin })(instance);
      // The public request page (no account): its own file, the same module.
      await publicPrivacyRoutes(publicIntake)(instance);
      // Tasks in a scope of their own (their upload hook applies to their routes only).
      await instance.register(tasks.routes);
      await retention.routes(instance);
      await packages.routes(instance);
    },
  };
}

export type PrivacyModule = ReturnType<typeof createPrivacyModule>;
